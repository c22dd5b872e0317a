// Hash commands: byte-exact differential scripts against redis-server (RESP2
// and RESP3, 1 and 2 shard threads), a random-operation property test
// against redis, and smoke tests with real clients.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { RawClient } from '../helpers/resp';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, configSetEverywhere, oursByThreads, suiteServers, type Script } from '../helpers/suite';
import { sortedReply } from './unordered';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
const redis4 = require('redis4');
/* eslint-enable @typescript-eslint/no-var-requires */

const servers = suiteServers();

/** Commands whose replies come in hash-table order; compared sorted (HGETALL in pairs). */
const UNORDERED: Record<string, number> = { HGETALL: 2, HKEYS: 1, HVALS: 1 };

function normalizer(commands: Script): (i: number, reply: Buffer) => Buffer {
  return (i, reply) => {
    const group = UNORDERED[String(commands[i][0]).toUpperCase()];
    return group === undefined ? reply : sortedReply(reply, group);
  };
}

test('HSET, HGET, HMGET, HDEL, HLEN, HEXISTS, HSTRLEN and HSETNX match redis', async (t) => {
  await compareEverywhere(t, servers, 'basic', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['HSET', a, 'f1', 'v1'], ['HSET', a, 'f1', 'v2', 'f2', '12', 'f3', ''], ['HGET', a, 'f1'], ['HGET', a, 'nope'], ['HGET', b, 'f1'],
      ['HMGET', a, 'f1', 'f2', 'nope', 'f3'], ['HMGET', b, 'x', 'y'], ['HLEN', a], ['HLEN', b], ['HEXISTS', a, 'f2'], ['HEXISTS', a, 'x'],
      ['HSTRLEN', a, 'f2'], ['HSTRLEN', a, 'f3'], ['HSTRLEN', a, 'x'], ['HSTRLEN', b, 'x'], ['HSETNX', a, 'f1', 'z'], ['HSETNX', a, 'f4', '-7'],
      ['HGETALL', a], ['HKEYS', a], ['HVALS', a], ['HGETALL', b], ['HKEYS', b], ['OBJECT', 'ENCODING', a],
      ['HSET', a, Buffer.from([0, 0xff]), Buffer.from([13, 10])], ['HGET', a, Buffer.from([0, 0xff])],
      ['HDEL', a, 'f1', 'f1', 'nope'], ['HDEL', b, 'x'], ['HLEN', a], ['HDEL', a, 'f2', 'f3', 'f4', Buffer.from([0, 0xff])], ['EXISTS', a],
      ['HMSET', a, 'x', '1', 'y', '2'], ['HGETALL', a], ['HMSET', a, 'x'], ['HSET', a, 'x'], ['HSET', a, 'x', '1', 'y'],
      ['SET', b, 'str'], ['HSET', b, 'f', 'v'], ['HGET', b, 'f'], ['HMGET', b, 'f'], ['HLEN', b], ['HDEL', b, 'f'], ['HGETALL', b],
      ['HSTRLEN', b, 'f'], ['HEXISTS', b, 'f'], ['HSETNX', b, 'f', 'v'], ['HINCRBY', b, 'f', '1'], ['HRANDFIELD', b], ['HSCAN', b, '0'],
      ['HGET', a], ['HMGET', a], ['HDEL', a], ['HSETNX', a, 'x'],
    ];
  }, normalizer);
});

test('encodings follow hash-max-listpack-entries and -value', async (t) => {
  await compareEverywhere(t, servers, 'enc', (p) => {
    const { a, b, c } = runKeys(p);
    const fields: string[] = [];
    for (let i = 0; i < 513; i++) fields.push(`f${i}`, String(i * 3));
    return [
      ['HSET', a, ...fields.slice(0, 1024)], ['OBJECT', 'ENCODING', a], ['HSET', a, ...fields.slice(1024)], ['OBJECT', 'ENCODING', a],
      ['HLEN', a], ['HGET', a, 'f512'], ['HMGET', a, 'f0', 'f64', 'nope'], ['HGETALL', a],
      ['HSET', b, 'f', 'x'.repeat(64)], ['OBJECT', 'ENCODING', b], ['HSET', b, 'g', 'x'.repeat(65)], ['OBJECT', 'ENCODING', b],
      ['HSET', c, 'y'.repeat(65), '1'], ['OBJECT', 'ENCODING', c], ['HDEL', c, 'y'.repeat(65)], ['EXISTS', c],
      ['HINCRBY', c, 'z'.repeat(70), '1'], ['OBJECT', 'ENCODING', c], ['HSTRLEN', c, 'z'.repeat(70)],
    ];
  }, normalizer);
});

test('HINCRBY and HINCRBYFLOAT match redis', async (t) => {
  await compareEverywhere(t, servers, 'incr', (p) => {
    const { a } = runKeys(p);
    return [
      ['HINCRBY', a, 'n', '5'], ['HINCRBY', a, 'n', '-10'], ['HGET', a, 'n'], ['HINCRBY', a, 'n', 'x'], ['HINCRBY', a, 'n', '1.5'],
      ['HSET', a, 'big', '-9223372036854775484'], ['HINCRBY', a, 'big', '-1'], ['HINCRBY', a, 'big', '-10000'],
      ['HSET', a, 'max', '9223372036854775807'], ['HINCRBY', a, 'max', '1'], ['HINCRBY', a, 'max', '-9223372036854775807'],
      ['HINCRBY', a, 'new', '9223372036854775808'], ['HSET', a, 's', 'abc'], ['HINCRBY', a, 's', '1'], ['HSET', a, 'sp', ' 1'], ['HINCRBY', a, 'sp', '1'],
      ['HINCRBYFLOAT', a, 'f', '10.5'], ['HINCRBYFLOAT', a, 'f', '0.25'], ['HINCRBYFLOAT', a, 'f', '-5e3'], ['HINCRBYFLOAT', a, 'f', 'x'],
      ['HINCRBYFLOAT', a, 'f', 'inf'], ['HINCRBYFLOAT', a, 'f', 'nan'], ['HINCRBYFLOAT', a, 'n', '1'], ['HINCRBYFLOAT', a, 's', '1'],
      ['HINCRBYFLOAT', a, 'g', '3.0e3'], ['HINCRBYFLOAT', a, 'g', '1'],
      ['HGETALL', a], ['HINCRBY', a, 'n'], ['HINCRBYFLOAT', a],
    ];
  }, normalizer);
});

test('HRANDFIELD argument errors and deterministic cases match redis', async (t) => {
  await compareEverywhere(t, servers, 'rand', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['HRANDFIELD', b], ['HRANDFIELD', b, '5'], ['HRANDFIELD', b, '5', 'WITHVALUES'], ['HRANDFIELD', b, '-5', 'WITHVALUES'],
      ['HSET', a, 'only', '1'], ['HRANDFIELD', a], ['HRANDFIELD', a, '1'], ['HRANDFIELD', a, '5', 'WITHVALUES'], ['HRANDFIELD', a, '-3', 'withvalues'],
      ['HRANDFIELD', a, '-3'], ['HRANDFIELD', a, '0'], ['HRANDFIELD', a, '0', 'WITHVALUES'], ['HRANDFIELD', a, 'x'], ['HRANDFIELD', a, '1', 'bogus'],
      ['HRANDFIELD', a, '1', 'WITHVALUES', 'x'], ['HRANDFIELD', a, '-9223372036854770000', 'WITHVALUES'],
      ['HRANDFIELD', a, '-9223372036854775808', 'WITHVALUES'], ['HRANDFIELD', a, '-9223372036854775808'], ['HRANDFIELD', a, '9223372036854775807'],
    ];
  }, normalizer);
});

test('HSCAN on listpack hashes and its errors match redis', async (t) => {
  await compareEverywhere(t, servers, 'scan', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['HSET', a, 'foo', '1', 'bar', '2', 'fab', '3', '7', '8'], ['HSCAN', a, '0'], ['HSCAN', a, '0', 'MATCH', 'f*'], ['HSCAN', a, '0', 'COUNT', '1'],
      ['HSCAN', a, '0', 'MATCH', '*'], ['HSCAN', a, '0', 'COUNT', '0'], ['HSCAN', a, '0', 'COUNT', 'x'], ['HSCAN', a, '0', 'TYPE', 'hash'],
      ['HSCAN', a, 'x'], ['HSCAN', a, '-1'], ['HSCAN', a, '18446744073709551616'], ['HSCAN', b, '0'], ['HSCAN', b, '0', 'COUNT', '0'],
      ['HSCAN', a, '0', 'MATCH'], ['HSCAN', a],
    ];
  }, normalizer);
});

test('HSCAN on a hashtable returns every field once in a full iteration', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    const client = await RawClient.connect(server.port, server.host);
    try {
      const args: string[] = [];
      for (let i = 0; i < 1000; i++) args.push(`field:${i}`, `v${i}`);
      await client.command('DEL', 'hscan:big');
      await client.command('HSET', 'hscan:big', ...args);
      const ioredis = new IORedis5({ port: server.port, host: server.host, lazyConnect: true });
      await ioredis.connect();
      const seen = new Map<string, string>();
      let cursor = '0';
      do {
        const [next, items] = await ioredis.hscan('hscan:big', cursor, 'COUNT', 37);
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
        cursor = next;
      } while (cursor !== '0');
      ioredis.disconnect();
      assert.equal(seen.size, 1000);
      assert.equal(seen.get('field:999'), 'v999');
    } finally {
      await client.close();
    }
  }
});

test('HRANDFIELD picks distinct fields and RESP3 pairs', async () => {
  const client = redis4.createClient({ socket: { port: servers.ours2.port, host: servers.ours2.host } });
  await client.connect();
  try {
    const fields: string[] = [];
    for (let i = 0; i < 300; i++) fields.push(`f${i}`, `v${i}`);
    await client.sendCommand(['HSET', 'rand:big', ...fields]);
    for (const key of ['rand:big']) {
      const picked = (await client.sendCommand(['HRANDFIELD', key, '50'])) as string[];
      assert.equal(new Set(picked).size, 50);
      const withValues = (await client.sendCommand(['HRANDFIELD', key, '-400', 'WITHVALUES'])) as string[];
      assert.equal(withValues.length, 800);
      for (let i = 0; i < withValues.length; i += 2) assert.equal(withValues[i + 1], `v${withValues[i].slice(1)}`);
    }
  } finally {
    await client.quit();
  }
  const raw = await RawClient.connect(servers.ours1.port, servers.ours1.host);
  try {
    await raw.command('HELLO', '3');
    await raw.command('HSET', 'rand:r3', 'a', '1');
    assert.equal((await raw.command('HRANDFIELD', 'rand:r3', '-2', 'WITHVALUES')).toString(), '*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
  } finally {
    await raw.close();
  }
});

test('random hash operations match redis', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const field = fc.constantFrom('a', 'b', 'c', '1', '-2', '10', 'x'.repeat(70), '');
  const value = fc.constantFrom('1', '0', '-5', 'v', '', '3.5', '9223372036854775807', 'y'.repeat(70));
  const op = fc.oneof(
    fc.tuple(fc.constant('HSET'), field, value),
    fc.tuple(fc.constant('HSETNX'), field, value),
    fc.tuple(fc.constant('HDEL'), field, field),
    fc.tuple(fc.constant('HGET'), field),
    fc.tuple(fc.constant('HMGET'), field, field),
    fc.tuple(fc.constant('HINCRBY'), field, fc.constantFrom('1', '-3', '100')),
    fc.tuple(fc.constant('HINCRBYFLOAT'), field, fc.constantFrom('1.5', '-0.25')),
    fc.tuple(fc.constant('HSTRLEN'), field),
    fc.tuple(fc.constant('HEXISTS'), field),
    fc.tuple(fc.constant('HLEN')),
    fc.tuple(fc.constant('HGETALL')),
    fc.tuple(fc.constant('HKEYS')),
    fc.tuple(fc.constant('OBJECT'), fc.constant('ENCODING')),
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 200 }), async (ops) => {
      run++;
      for (const [threads, ours] of oursByThreads(servers)) {
        const key = `prop:hash:${run}:${threads}`;
        const script: Script = [['CONFIG', 'SET', 'hash-max-listpack-entries', '4'], ...ops.map(([name, ...args]) =>
          name === 'OBJECT' ? [name, ...args, key] : [name, key, ...args])];
        await compareWithRedis(t, ours, servers.redis, script, { normalize: normalizer(script) });
      }
    }),
    { numRuns: 8 },
  );
  await configSetEverywhere(servers, 'hash-max-listpack-entries', '512');
});

test('listpack hashes (kept packed in their record) survive RENAME, COPY, MOVE, SWAPDB, TTL changes and conversion', async (t) => {
  await compareEverywhere(t, servers, 'packed', (p) => {
    const { a, b, c } = runKeys(p);
    return [
      ['HSET', a, 'f1', 'v1', 'f2', '2'], ['OBJECT', 'ENCODING', a], ['RENAME', a, c], ['HGETALL', c], ['EXISTS', a],
      ['COPY', c, a], ['HSET', a, 'f3', '3'], ['HLEN', c], ['HGETALL', a], ['COPY', a, c, 'REPLACE'], ['HGETALL', c],
      ['RENAME', c, b], ['HGETALL', b], ['OBJECT', 'ENCODING', b], ['RENAMENX', b, a], ['RENAME', b, a], ['HGETALL', a],
      ['MOVE', a, '9'], ['SELECT', '9'], ['HGETALL', a], ['HSET', a, 'in9', 'x'], ['MOVE', a, '0'], ['SELECT', '0'], ['HGETALL', a],
      ['SWAPDB', '0', '9'], ['EXISTS', a], ['SWAPDB', '0', '9'], ['HDEL', a, 'in9'], ['HGETALL', a],
      ['EXPIRE', a, '100'], ['HSET', a, 'f4', '4'], ['TTL', a], ['PERSIST', a], ['HSET', a, 'f5', 'y'.repeat(100)], ['OBJECT', 'ENCODING', a],
      ['HGETALL', a], ['TTL', a], ['SET', a, 'now a string'], ['GET', a], ['HSET', b, 'f', 'v'], ['PEXPIREAT', b, '1'], ['EXISTS', b],
      ['HSET', c, 'f', 'v'], ['HDEL', c, 'f'], ['EXISTS', c], ['DEL', a],
    ];
  }, normalizer);
});

test('real clients read hashes', async () => {
  const client = new IORedis5({ port: servers.ours2.port, host: servers.ours2.host });
  try {
    await client.hset('client:h', { a: '1', b: '2' });
    assert.deepEqual(await client.hgetall('client:h'), { a: '1', b: '2' });
    assert.equal(await client.hincrby('client:h', 'a', 41), 42);
  } finally {
    client.disconnect();
  }
});
