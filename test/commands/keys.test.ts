// Generic key commands: byte-exact differential scripts against redis-server
// (RESP2 and RESP3, 1 and 2 shard threads, keys placed on different shards),
// multi-shard SCAN/KEYS/RANDOMKEY/RENAME/COPY, and real client libraries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server';
import { compareWithRedis } from '../helpers/differential';
import { RawClient } from '../helpers/resp';
import { keysOnAlternateShards, shardOf } from '../helpers/shards';
import { suiteServers } from '../helpers/suite';
import { arrayElements, isArray } from '../../src/dispatch/resp-scan';
import { Heap } from '../../src/store/heap';
import { Keyspace } from '../../src/store/keyspace';
import { NO_EXPIRE, ValueType } from '../../src/store/types';
import { packEntry, unpackEntry, valueTypeOps } from '../../src/commands/value-types';

/* eslint-disable @typescript-eslint/no-require-imports */
const IORedis5 = require('ioredis5');
const IORedis6 = require('ioredis6');
const redis4 = require('redis4');
const redis5 = require('redis5');

const servers = suiteServers();

/** Array replies in a canonical element order, for commands whose order is unspecified (KEYS). */
function sortedArray(reply: Buffer): Buffer {
  if (!isArray(reply)) return reply;
  const elements = arrayElements(reply).sort(Buffer.compare);
  return Buffer.concat([reply.subarray(0, reply.indexOf('\r\n') + 2), ...elements]);
}

/** Commands whose reply order is unspecified: compared after sortedArray(). */
const UNORDERED = Symbol('unordered');
type Step = Array<string | Buffer> & { [UNORDERED]?: true };

function unordered(...args: string[]): Step {
  const step: Step = args;
  step[UNORDERED] = true;
  return step;
}

/** A future absolute time in ms whose EXPIRETIME rounding is deterministic. */
const FUTURE_MS = 4102444800499;

function script(p: string): Step[] {
  const [a, b, c] = keysOnAlternateShards(`${p}k`, 3);
  const missing = `${p}missing`;
  return [
    // Arity and unknown subcommands.
    ['DEL'], ['UNLINK'], ['EXISTS'], ['TYPE'], ['TYPE', a, b], ['KEYS'], ['KEYS', 'a', 'b'], ['SCAN'], ['RANDOMKEY', 'x'],
    ['RENAME', a], ['RENAMENX', a], ['COPY', a], ['MOVE', a], ['EXPIRE', a], ['PEXPIREAT', a], ['TTL'], ['PTTL', a, b],
    ['EXPIRETIME'], ['PEXPIRETIME'], ['PERSIST'], ['TOUCH'], ['OBJECT'], ['OBJECT', 'ENCODING'], ['OBJECT', 'HELP', 'x'],
    ['OBJECT', 'nosuch', a], ['OBJECT', 'encoding', a, b],
    // DEL UNLINK EXISTS TOUCH TYPE across shards.
    ['SET', a, '1'], ['SET', b, 'hello'], ['SET', c, ''],
    ['EXISTS', a, b, missing, a, c], ['TOUCH', a, b, missing], ['TYPE', a], ['TYPE', missing], ['TYPE', c],
    unordered('KEYS', `${p}*`), unordered('KEYS', `${p}k?`), unordered('KEYS', `${p}[k]*`), unordered('KEYS', `${p}nomatch*`),
    ['DEL', a, b, missing, a], ['EXISTS', a, b, c], ['UNLINK', c, missing], ['EXISTS', c],
    // OBJECT.
    ...['5', '-5', '0', '9999', '10000', '123456789012345678', '-9223372036854775808', '9223372036854775807', '9223372036854775808',
      '99999999999999999999', '007', ' 1', '+1', '-0', '', 'x'.repeat(44), 'x'.repeat(45), '1.5'].flatMap((v) => [
      ['SET', a, v], ['OBJECT', 'ENCODING', a], ['OBJECT', 'REFCOUNT', a],
    ]),
    ['OBJECT', 'IDLETIME', a], ['OBJECT', 'FREQ', a], ['OBJECT', 'ENCODING', missing], ['OBJECT', 'REFCOUNT', missing],
    ['OBJECT', 'IDLETIME', missing], ['OBJECT', 'FREQ', missing], ['OBJECT', 'HELP'], ['object', 'help'],
    // RENAME / RENAMENX (a and b are on different shards when there are two).
    ['SET', a, 'va'], ['PEXPIREAT', a, String(FUTURE_MS)], ['RENAME', a, b], ['EXISTS', a], ['GET', b], ['PEXPIRETIME', b],
    ['RENAME', missing, b], ['RENAME', missing, missing], ['RENAME', b, b], ['RENAMENX', b, b], ['RENAMENX', missing, missing],
    ['SET', a, 'other'], ['RENAMENX', a, b], ['RENAMENX', b, c], ['GET', c], ['PEXPIRETIME', c], ['RENAMENX', c, a],
    ['RENAME', a, c], ['GET', c], ['PTTL', c], ['EXISTS', a, b],
    // COPY.
    ['COPY', c, a], ['GET', a], ['COPY', c, a], ['SET', c, 'second'], ['COPY', c, a, 'REPLACE'], ['GET', a],
    ['COPY', c, c], ['COPY', c, c, 'DB', '0'], ['COPY', c, a, 'DB'], ['COPY', c, a, 'DB', 'x'], ['COPY', c, a, 'DB', '16'],
    ['COPY', c, a, 'DB', '-1'], ['COPY', c, a, 'DB', '4294967296'], ['COPY', c, a, 'foo'], ['COPY', c, a, 'replace', 'db', '1', 'replace'],
    ['COPY', missing, a], ['PEXPIREAT', c, String(FUTURE_MS + 1000)], ['COPY', c, b, 'DB', '1'], ['COPY', c, c, 'DB', '1'],
    ['SELECT', '1'], ['GET', b], ['PEXPIRETIME', b], ['PEXPIRETIME', c], ['DEL', b, c], ['SELECT', '0'],
    // MOVE.
    ['MOVE', c, '1'], ['MOVE', c, '1'], ['EXISTS', c], ['SET', c, 'x'], ['MOVE', c, '0'], ['MOVE', c, 'x'], ['MOVE', c, '16'],
    ['MOVE', c, '-1'], ['MOVE', missing, '1'], ['SELECT', '1'], ['PEXPIRETIME', c], ['SET', a, 'in db1'], ['SELECT', '0'],
    ['MOVE', a, '1'], ['GET', a], ['SELECT', '1'], ['GET', a], ['DEL', a, c], ['SELECT', '0'],
    // EXPIRE family.
    ['SET', a, 'v'], ['EXPIRE', missing, '10'], ['TTL', missing], ['PTTL', missing], ['EXPIRETIME', missing], ['PEXPIRETIME', missing],
    ['TTL', a], ['PTTL', a], ['EXPIRETIME', a], ['PEXPIRETIME', a], ['PERSIST', a], ['PERSIST', missing],
    ['EXPIRE', a, '100', 'XX'], ['EXPIRE', a, '100', 'GT'], ['EXPIRE', a, '100', 'LT'], ['TTL', a],
    ['EXPIRE', a, '200', 'NX'], ['EXPIRE', a, '200', 'GT'], ['TTL', a], ['EXPIRE', a, '300', 'LT'], ['EXPIRE', a, '50', 'lt', 'xx'], ['TTL', a],
    ['EXPIRE', a, '10', 'NX', 'GT'], ['EXPIRE', a, '10', 'nx', 'xx'], ['EXPIRE', a, '10', 'NX', 'LT'], ['EXPIRE', a, '10', 'GT', 'LT'],
    ['EXPIRE', a, '10', 'foo'], ['EXPIRE', a, '10', 'NX', 'bar'], ['EXPIRE', a, 'abc'], ['EXPIRE', a, ''], ['EXPIRE', a, '1.5'],
    ['EXPIRE', a, '9223370399119966'], ['EXPIRE', a, '9223372036854776'], ['EXPIRE', a, '10000000000000000'], ['EXPIRE', a, '18446744073709561'],
    ['EXPIRE', a, '-9223372036854776'], ['EXPIRE', a, '-9999999999999999'], ['PEXPIRE', a, '9223372036854770000'],
    ['EXPIREAT', a, '9223372036854776'], ['TTL', a], ['PERSIST', a], ['PERSIST', a],
    ['PEXPIREAT', a, String(FUTURE_MS)], ['PEXPIRETIME', a], ['EXPIRETIME', a], ['PEXPIREAT', a, String(FUTURE_MS + 1)], ['EXPIRETIME', a],
    ['EXPIREAT', a, String(Math.floor(FUTURE_MS / 1000))], ['PEXPIRETIME', a],
    ['PEXPIREAT', a, '9223372036854770000'], ['PEXPIRETIME', a], ['EXPIRETIME', a],
    ['PEXPIREAT', a, '-9223372036854770000'], ['TTL', a], ['EXISTS', a],
    ['SET', a, 'v'], ['EXPIRE', a, '-1'], ['EXISTS', a], ['SET', a, 'v'], ['EXPIREAT', a, '1'], ['GET', a],
    ['SET', a, 'v'], ['PEXPIRE', a, '0'], ['GET', a], ['SET', a, 'v'], ['EXPIRE', a, '-5', 'GT'], ['EXPIRE', a, '-5', 'LT'], ['EXISTS', a],
    ['SET', a, 'v', 'EX', '100'], ['SET', b, 'w'], ['RENAME', b, a], ['TTL', a], ['DEL', a],
    // SCAN argument errors.
    ['SCAN', 'abc'], ['SCAN', ' 1'], ['SCAN', '18446744073709551616'], ['SCAN', '1x'], ['SCAN', '-'],
    ['SCAN', '0', 'COUNT', '0'], ['SCAN', '', 'COUNT', '0'], ['SCAN', '-1', 'COUNT', '-1'], ['SCAN', '+0', 'COUNT', 'x'],
    ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'foo', 'bar'], ['SCAN', '0', 'COUNT', '99999999999999999999'],
    ['SCAN', '0', 'TYPE', 'string', 'COUNT', '0'],
    // RANDOMKEY on an empty database, then on one key.
    ['SELECT', '5'], ['RANDOMKEY'], ['SCAN', '0'], ['KEYS', '*'], ['SET', a, 'r'], ['RANDOMKEY'], ['SCAN', '0', 'COUNT', '100'], ['KEYS', '*'],
    ['SCAN', '0', 'TYPE', 'STRING'], ['SCAN', '0', 'TYPE', 'list'], ['SCAN', '0', 'MATCH', `${p}nomatch`], ['DEL', a], ['RANDOMKEY'], ['SELECT', '0'],
  ];
}

async function differential(t: import('node:test').TestContext, server: RunningServer, prefix: string, proto: 2 | 3): Promise<void> {
  const steps = script(prefix);
  await compareWithRedis(t, server, servers.redis, steps, {
    proto,
    normalize: (i, reply) => (steps[i][UNORDERED] ? sortedArray(reply) : reply),
  });
}

test('differential vs redis-server, 1 thread, RESP2', (t) => differential(t, servers.ours1, 'd1r2:', 2));
test('differential vs redis-server, 1 thread, RESP3', (t) => differential(t, servers.ours1, 'd1r3:', 3));
test('differential vs redis-server, 2 threads (keys on both shards), RESP2', (t) => differential(t, servers.ours2, 'd2r2:', 2));
test('differential vs redis-server, 2 threads (keys on both shards), RESP3', (t) => differential(t, servers.ours2, 'd2r3:', 3));

test('packEntry/unpackEntry carry a string value and its TTL; unregistered types fail loudly', () => {
  const heap = new Heap();
  const from = new Keyspace(heap);
  const to = new Keyspace(new Heap());
  const now = Date.now();
  from.setString(Buffer.from('k'), Buffer.from('value'), now + 5000);
  from.setString(Buffer.from('p'), Buffer.from('12'), NO_EXPIRE);
  for (const [key, expireAt] of [['k', now + 5000], ['p', NO_EXPIRE]] as const) {
    const record = packEntry(from, from.find(Buffer.from(key), now));
    unpackEntry(to, Buffer.from(`copy-${key}`), Buffer.from(record));
    const h = to.find(Buffer.from(`copy-${key}`), now);
    assert.equal(to.type(h), ValueType.String);
    assert.equal(to.expireAt(h), expireAt);
    assert.deepEqual(to.stringValue(h), from.stringValue(from.find(Buffer.from(key), now)));
  }
  assert.equal(valueTypeOps(ValueType.String).encoding(to, to.find(Buffer.from('copy-p'), now)), 'int');
  assert.throws(() => valueTypeOps(6 as ValueType), /no ValueTypeOps registered/);
});

/** Sends many commands in one pipeline; resolves with the raw replies. */
async function pipeline(client: RawClient, commands: string[][]): Promise<Buffer[]> {
  return Promise.all(commands.map((args) => client.command(...args)));
}

/** Full SCAN iteration; returns every key returned (with repeats) and the cursors seen. */
async function scanAll(client: RawClient, options: string[], between?: (step: number) => Promise<void>): Promise<{ keys: string[]; cursors: bigint[] }> {
  const keys: string[] = [];
  const cursors: bigint[] = [];
  let cursor = '0';
  for (let step = 0; ; step++) {
    const [cursorElement, keysElement] = arrayElements(await client.command('SCAN', cursor, ...options));
    cursor = cursorElement.toString('latin1').split('\r\n')[1];
    cursors.push(BigInt(cursor));
    for (const key of arrayElements(keysElement)) keys.push(key.toString('latin1').split('\r\n')[1]);
    if (cursor === '0') break;
    await between?.(step);
    assert.ok(step < 100_000, 'SCAN does not terminate');
  }
  return { keys, cursors };
}

for (const threads of [1, 2]) {
  test(`SCAN returns every key present for the whole iteration, with MATCH/TYPE/COUNT (threads ${threads})`, async () => {
    const server = threads === 1 ? servers.ours1 : servers.ours2;
    const client = await RawClient.connect(server.port);
    try {
      await client.command('SELECT', '7');
      await pipeline(client, Array.from({ length: 1000 }, (_, i) => ['SET', `key:${i}`, String(i)]));
      for (const options of [[], ['COUNT', '5'], ['COUNT', '1000']]) {
        const { keys } = await scanAll(client, options);
        assert.equal(new Set(keys).size, 1000, `SCAN ${options.join(' ')}`);
      }
      const matched = await scanAll(client, ['MATCH', 'key:1??']);
      assert.equal(new Set(matched.keys).size, 100);
      assert.ok(matched.keys.every((k) => /^key:1\d\d$/.test(k)));
      assert.equal((await scanAll(client, ['TYPE', 'list'])).keys.length, 0);
      assert.equal(new Set((await scanAll(client, ['TYPE', 'string', 'MATCH', 'key:*', 'COUNT', '10'])).keys).size, 1000);

      // Keys added and removed meanwhile (forcing the tables to grow and shrink) must not hide the stable ones.
      let churn = 0;
      const { keys, cursors } = await scanAll(client, ['COUNT', '20'], async (step) => {
        if (step % 3 === 0) {
          await pipeline(client, Array.from({ length: 100 }, () => ['SET', `churn:${churn++}`, 'x']));
        } else {
          await pipeline(client, Array.from({ length: 60 }, (_, i) => ['DEL', `churn:${churn - 1 - i}`]));
        }
      });
      const seen = new Set(keys);
      for (let i = 0; i < 1000; i++) assert.ok(seen.has(`key:${i}`), `key:${i} missing from SCAN under churn`);
      if (threads === 2) {
        assert.ok(cursors.some((cursor) => cursor >= 2n ** 32n), 'cursors encode the second shard in their high bits');
      }
      const all = arrayElements(await client.command('KEYS', 'key:*')).map((e) => e.toString('latin1'));
      assert.equal(new Set(all).size, 1000, 'KEYS returns each key once');
    } finally {
      await client.close();
    }
  });
}

test('multi-shard: DEL/EXISTS/TOUCH sum over shards, RENAME/COPY carry value and TTL, RANDOMKEY sees every shard', async () => {
  const client = await RawClient.connect(servers.ours2.port);
  try {
    await client.command('SELECT', '8');
    const names = keysOnAlternateShards('ms:', 6);
    await pipeline(client, names.map((n) => ['SET', n, `v-${n}`]));
    assert.equal((await client.command('EXISTS', ...names, 'ms:none')).toString(), ':6\r\n');
    assert.equal((await client.command('TOUCH', ...names)).toString(), ':6\r\n');

    const [from, to] = names;
    assert.notEqual(shardOf(from), shardOf(to));
    await client.command('PEXPIREAT', from, String(FUTURE_MS));
    assert.equal((await client.command('RENAME', from, to)).toString(), '+OK\r\n');
    assert.equal((await client.command('GET', to)).toString(), `$${`v-${from}`.length}\r\nv-${from}\r\n`);
    assert.equal((await client.command('PEXPIRETIME', to)).toString(), `:${FUTURE_MS}\r\n`);
    assert.equal((await client.command('EXISTS', from)).toString(), ':0\r\n');
    assert.equal((await client.command('RENAMENX', to, names[2])).toString(), ':0\r\n');
    assert.equal((await client.command('RENAMENX', to, from)).toString(), ':1\r\n');
    assert.equal((await client.command('COPY', from, to, 'DB', '9')).toString(), ':1\r\n');
    await client.command('SELECT', '9');
    assert.equal((await client.command('PEXPIRETIME', to)).toString(), `:${FUTURE_MS}\r\n`);
    await client.command('SELECT', '8');

    // RANDOMKEY draws from both shards.
    const drawn = new Set<string>();
    for (let i = 0; i < 200 && drawn.size < 5; i++) drawn.add((await client.command('RANDOMKEY')).toString('latin1').split('\r\n')[1]);
    assert.ok(new Set([...drawn].map(shardOf)).size === 2, 'RANDOMKEY picked keys of both shards');

    assert.equal((await client.command('DEL', ...names)).toString(), ':5\r\n');
    assert.equal((await client.command('RANDOMKEY')).toString(), '$-1\r\n');
  } finally {
    await client.close();
  }
});

test('expired keys are invisible to DEL, EXISTS, KEYS, SCAN and RANDOMKEY', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    const client = await RawClient.connect(server.port);
    try {
      await client.command('SELECT', '10');
      const names = keysOnAlternateShards('exp:', 4);
      await pipeline(client, names.map((n) => ['SET', n, 'x', 'PX', '5']));
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal((await client.command('KEYS', '*')).toString(), '*0\r\n');
      assert.equal((await client.command('EXISTS', ...names)).toString(), ':0\r\n');
      assert.equal((await client.command('DEL', ...names)).toString(), ':0\r\n');
      assert.equal((await client.command('RANDOMKEY')).toString(), '$-1\r\n');
      assert.deepEqual((await scanAll(client, [])).keys, []);
    } finally {
      await client.close();
    }
  }
});

test('real clients: ioredis 5/6 and node-redis 4/5', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    for (const IORedis of [IORedis5, IORedis6]) {
      const client = new IORedis({ port: server.port, host: server.host, db: 11, lazyConnect: true, retryStrategy: () => null });
      await client.connect();
      try {
        const [a, b] = keysOnAlternateShards('io:', 2);
        await client.set(a, '42');
        assert.equal(await client.expire(a, 100, 'NX'), 1);
        assert.equal(await client.ttl(a), 100);
        assert.equal(await client.type(a), 'string');
        assert.equal(await client.object('ENCODING', a), 'int');
        assert.equal(await client.rename(a, b), 'OK');
        assert.equal(await client.copy(b, a), 1);
        assert.equal(await client.exists(a, b), 2);
        const scanned: string[] = [];
        await new Promise<void>((resolve, reject) => {
          client.scanStream({ match: 'io:*', count: 1 }).on('data', (batch: string[]) => scanned.push(...batch)).on('end', resolve).on('error', reject);
        });
        assert.deepEqual([...new Set(scanned)].sort(), [a, b].sort());
        assert.equal(await client.del(a, b), 2);
        await assert.rejects(client.expire(a, 10, 'NX', 'XX' as 'NX'), /NX and XX, GT or LT options at the same time are not compatible/);
      } finally {
        client.disconnect();
      }
    }
    for (const lib of [redis4, redis5]) {
      const client = lib.createClient({ url: `redis://${server.host}:${server.port}/12` });
      await client.connect();
      try {
        const [a, b] = keysOnAlternateShards('nr:', 2);
        await client.set(a, 'hello');
        assert.equal(await client.pExpireAt(a, FUTURE_MS), lib === redis4 ? true : 1);
        assert.equal(await client.pExpireTime(a), FUTURE_MS);
        assert.equal(await client.renameNX(a, b), lib === redis4 ? true : 1);
        assert.equal(await client.objectEncoding(b), 'embstr');
        assert.equal(await client.persist(b), lib === redis4 ? true : 1);
        assert.equal(await client.ttl(b), -1);
        const scanned: string[] = [];
        for await (const item of client.scanIterator({ MATCH: 'nr:*', COUNT: 1 })) scanned.push(...(Array.isArray(item) ? item : [item]));
        assert.deepEqual(scanned, [b]);
        assert.equal(await client.randomKey(), b);
        assert.equal(await client.unlink(b), 1);
      } finally {
        await client.quit();
      }
    }
  }
});
