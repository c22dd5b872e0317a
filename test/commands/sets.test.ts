// Set commands: byte-exact differential scripts against redis-server (RESP2
// and RESP3, 1 and 2 shard threads, multi-key commands with keys on both
// shards), a random-operation property test against redis, and smoke tests
// with real clients.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, configSetEverywhere, oursByThreads, suiteServers, type Script } from '../helpers/suite';
import { sortedReply } from './unordered';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis6 = require('ioredis6');
const redis5 = require('redis5');
/* eslint-enable @typescript-eslint/no-var-requires */

const servers = suiteServers();

/** Commands whose replies come in hash-table order, compared sorted. */
const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF']);

function normalizer(commands: Script): (i: number, reply: Buffer) => Buffer {
  return (i, reply) => (UNORDERED.has(String(commands[i][0]).toUpperCase()) ? sortedReply(reply) : reply);
}

test('SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS and encodings match redis', async (t) => {
  await compareEverywhere(t, servers, 'basic', (p) => {
    const { a, b, c } = runKeys(p);
    const ints: string[] = [];
    for (let i = 0; i < 513; i++) ints.push(String(i * 7 - 100));
    return [
      ['SADD', a, '3', '1', '2', '1'], ['SMEMBERS', a], ['OBJECT', 'ENCODING', a], ['SISMEMBER', a, '2'], ['SISMEMBER', a, '02'],
      ['SMISMEMBER', a, '1', 'x', '3'], ['SMISMEMBER', b, 'x'], ['SCARD', a], ['SCARD', b], ['SADD', a, '-9223372036854775808', '9223372036854775807'],
      ['SMEMBERS', a], ['SADD', a, '9223372036854775808'], ['OBJECT', 'ENCODING', a], ['SISMEMBER', a, '9223372036854775808'], ['SMEMBERS', a],
      ['SREM', a, '1', '9223372036854775808', 'nope'], ['SCARD', a], ['SREM', b, 'x'],
      ['SADD', b, ...ints.slice(0, 512)], ['OBJECT', 'ENCODING', b], ['SADD', b, ints[512]], ['OBJECT', 'ENCODING', b], ['SCARD', b],
      ['SADD', c, 'x', 'y', Buffer.from([0, 0xff])], ['OBJECT', 'ENCODING', c], ['SMEMBERS', c], ['SREM', c, 'x', 'y', Buffer.from([0, 0xff])], ['EXISTS', c],
      ['SET', c, 'str'], ['SADD', c, 'x'], ['SREM', c, 'x'], ['SISMEMBER', c, 'x'], ['SMISMEMBER', c, 'x'], ['SCARD', c], ['SMEMBERS', c],
      ['SPOP', c], ['SRANDMEMBER', c], ['SSCAN', c, '0'], ['SMISMEMBER', a], ['SADD', a], ['SREM', a], ['SISMEMBER', a],
    ];
  }, normalizer);
});

test('SINTER, SUNION, SDIFF, their STORE forms and SINTERCARD match redis across shards', async (t) => {
  await compareEverywhere(t, servers, 'ops', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['SADD', a, '1', '2', '3', '4'], ['SADD', b, '3', '4', '5', 'x'], ['SADD', c, '4', '3', '9'],
      ['SINTER', a, b], ['SINTER', a, b, c], ['SINTER', a, d], ['SINTER', d], ['SUNION', a, b], ['SUNION', a, c], ['SUNION', d],
      ['SDIFF', a, b], ['SDIFF', b, a], ['SDIFF', a, c, b], ['SDIFF', d, a], ['SDIFF', a, d], ['SDIFF', a, a],
      ['SINTERSTORE', d, a, c], ['SMEMBERS', d], ['OBJECT', 'ENCODING', d], ['SUNIONSTORE', d, a, b], ['SMEMBERS', d], ['OBJECT', 'ENCODING', d],
      ['SDIFFSTORE', d, a, b], ['SMEMBERS', d], ['SINTERSTORE', d, a, `${d}none`], ['EXISTS', d], ['SUNIONSTORE', a, a, c], ['SMEMBERS', a],
      ['SET', d, 'str'], ['SDIFFSTORE', d, b, c], ['TYPE', d], ['SET', d, 'str'], ['SINTER', a, d], ['SUNION', d, a], ['SDIFF', a, d],
      ['SINTERSTORE', b, d], ['SUNIONSTORE', c, a, d], ['SMEMBERS', c], ['EXPIRE', c, '100'], ['SUNIONSTORE', c, a], ['TTL', c],
      ['SINTERCARD', '2', a, b], ['SINTERCARD', '3', a, b, c], ['SINTERCARD', '2', a, b, 'LIMIT', '1'], ['SINTERCARD', '2', a, b, 'limit', '0'],
      ['SINTERCARD', '1', `${a}none`], ['SINTERCARD', '0', a], ['SINTERCARD', 'x', a], ['SINTERCARD', '3', a, b], ['SINTERCARD', '2', a, d],
      ['SINTERCARD', '2', a, b, 'LIMIT', '-1'], ['SINTERCARD', '2', a, b, 'LIMIT'], ['SINTERCARD', '2', a, b, 'bogus', '1'],
      ['SINTER'], ['SINTERSTORE', a], ['SINTERCARD', '1'],
    ];
  }, normalizer);
});

test('SMOVE matches redis across shards', async (t) => {
  await compareEverywhere(t, servers, 'smove', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['SADD', a, '1', '2', 'x'], ['SADD', b, '3'], ['SMOVE', a, b, '1'], ['SMEMBERS', a], ['SMEMBERS', b], ['OBJECT', 'ENCODING', b],
      ['SMOVE', a, b, 'nope'], ['SMOVE', a, b, 'x'], ['OBJECT', 'ENCODING', b], ['SMOVE', `${a}none`, b, 'x'], ['SMOVE', a, a, '2'], ['SMOVE', a, a, '9'],
      ['SMOVE', a, d, '2'], ['EXISTS', a], ['SMEMBERS', d], ['SET', c, 'str'], ['SMOVE', c, b, 'x'], ['SMOVE', b, c, 'x'], ['SMOVE', `${a}none`, c, 'x'],
      ['SMOVE', a, b],
    ];
  }, normalizer);
});

test('SPOP and SRANDMEMBER argument handling and deterministic cases match redis', async (t) => {
  await compareEverywhere(t, servers, 'pop', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['SPOP', b], ['SPOP', b, '3'], ['SRANDMEMBER', b], ['SRANDMEMBER', b, '3'], ['SRANDMEMBER', b, '-3'],
      ['SADD', a, '5'], ['SRANDMEMBER', a], ['SRANDMEMBER', a, '-3'], ['SRANDMEMBER', a, '10'], ['SRANDMEMBER', a, '0'],
      ['SRANDMEMBER', a, 'x'], ['SRANDMEMBER', a, '1', '2'], ['SRANDMEMBER', a, '-9223372036854775808'], ['SRANDMEMBER', a, '9223372036854775807'],
      ['SPOP', a, '0'], ['SPOP', a, '-1'], ['SPOP', a, 'x'], ['SPOP', a, '1', '2'], ['SPOP', a], ['EXISTS', a],
      ['SADD', a, '1', '2', '3'], ['SPOP', a, '10'], ['EXISTS', a], ['SADD', a, 'q'], ['SPOP', a, '1'], ['EXISTS', a],
    ];
  }, normalizer);
});

test('SSCAN on intsets and its errors match redis', async (t) => {
  await compareEverywhere(t, servers, 'sscan', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['SADD', a, '10', '2', '33', '-4'], ['SSCAN', a, '0'], ['SSCAN', a, '0', 'MATCH', '3*'], ['SSCAN', a, '0', 'COUNT', '1'],
      ['SSCAN', a, '0', 'COUNT', '0'], ['SSCAN', a, 'abc'], ['SSCAN', b, '0'], ['SSCAN', b, '0', 'bogus'], ['SSCAN', a, '0', 'TYPE', 'set'],
    ];
  }, normalizer);
});

test('SPOP with counts takes distinct members and keeps the rest, for every strategy', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    const client = new IORedis6({ port: server.port, host: server.host });
    try {
      for (const [size, pop, strings] of [[100, 10, false], [100, 90, false], [2000, 300, true], [2000, 1990, true]] as const) {
        const key = `spop:${size}:${pop}:${strings}`;
        const members = Array.from({ length: size }, (_, i) => (strings ? `m${i}` : String(i)));
        await client.del(key);
        await client.sadd(key, ...members);
        const popped: string[] = await client.spop(key, pop);
        assert.equal(new Set(popped).size, pop);
        const rest: string[] = await client.smembers(key);
        assert.equal(rest.length, size - pop);
        assert.deepEqual([...popped, ...rest].sort(), [...members].sort());
      }
      await client.del('srand');
      await client.sadd('srand', ...Array.from({ length: 1000 }, (_, i) => `m${i}`));
      for (const count of [5, 400, 900]) assert.equal(new Set(await client.srandmember('srand', count)).size, count);
      assert.equal((await client.srandmember('srand', -3000)).length, 3000);
    } finally {
      client.disconnect();
    }
  }
});

test('SSCAN on a hashtable returns every member once in a full iteration', async () => {
  const client = redis5.createClient({ socket: { port: servers.ours2.port, host: servers.ours2.host } });
  await client.connect();
  try {
    const members = Array.from({ length: 1500 }, (_, i) => `member:${i}`);
    await client.sendCommand(['SADD', 'sscan:big', ...members]);
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, items] = (await client.sendCommand(['SSCAN', 'sscan:big', cursor, 'COUNT', '50'])) as [string, string[]];
      for (const item of items) seen.add(item);
      cursor = next;
    } while (cursor !== '0');
    assert.equal(seen.size, 1500);
  } finally {
    await client.quit();
  }
});

test('random set operations match redis', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const member = fc.constantFrom('1', '2', '3', '-7', '100', 'a', 'b', '', '007');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(5), member, fc.nat(3), fc.nat(3)), { minLength: 1, maxLength: 200 }), async (ops) => {
      run++;
      for (const [threads, ours] of oursByThreads(servers)) {
        const { a, b, c, d } = runKeys(`prop:set:${run}:${threads}:`);
        const keys = [a, b, c, d];
        const script: Script = [['CONFIG', 'SET', 'set-max-intset-entries', '4']];
        for (const [kind, m, k1, k2] of ops) {
          const [x, y] = [keys[k1], keys[k2]];
          if (kind === 0) script.push(['SADD', x, m]);
          else if (kind === 1) script.push(['SREM', x, m]);
          else if (kind === 2) script.push(['SMOVE', x, y, m]);
          else if (kind === 3) script.push(['SUNIONSTORE', y, x, keys[(k1 + 1) % 4]], ['OBJECT', 'ENCODING', y]);
          else if (kind === 4) script.push(['SINTER', x, y], ['SDIFF', y, x], ['SISMEMBER', x, m]);
          else script.push(['SMEMBERS', x], ['SCARD', y], ['SINTERCARD', '2', x, y]);
        }
        await compareWithRedis(t, ours, servers.redis, script, { normalize: normalizer(script) });
      }
    }),
    { numRuns: 6 },
  );
  await configSetEverywhere(servers, 'set-max-intset-entries', '512');
});
