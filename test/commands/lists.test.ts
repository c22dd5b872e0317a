// List commands: byte-exact differential tests against redis-server (RESP2 and
// RESP3, 1 and 2 shard threads, multi-key commands with keys on different
// shards), blocking commands, a random-operation property test and smoke tests
// with real clients.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startRedis, startServer, type RunningServer } from '../helpers/server';
import { compareWithRedis } from '../helpers/differential';
import { RawClient, escapeBytes } from '../helpers/resp';
import { shardOfKey } from '../../src/dispatch/routing';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
const IORedis6 = require('ioredis6');
const redis4 = require('redis4');
const redis5 = require('redis5');
/* eslint-enable @typescript-eslint/no-var-requires */

type Script = Array<Array<string | Buffer>>;

let ours1: RunningServer;
let ours2: RunningServer;
let redis: RunningServer | null;

before(async () => {
  [ours1, ours2, redis] = await Promise.all([startServer({ threads: 1 }), startServer({ threads: 2 }), startRedis()]);
});

after(async () => {
  await Promise.all([ours1.stop(), ours2.stop(), redis?.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first key `prefix<n>` living on shard `shard` of a 2-thread server. */
function keyOnShard(prefix: string, shard: number): string {
  for (let i = 0; ; i++) if (shardOfKey(Buffer.from(`${prefix}${i}`), 2) === shard) return `${prefix}${i}`;
}

/** Keys for one run: a and c on shard 0, b and d on shard 1 of a 2-thread server. */
function runKeys(prefix: string): { a: string; b: string; c: string; d: string } {
  return { a: keyOnShard(`${prefix}a`, 0), b: keyOnShard(`${prefix}b`, 1), c: keyOnShard(`${prefix}c`, 0), d: keyOnShard(`${prefix}d`, 1) };
}

/** Runs script(prefix) against both of our servers and redis, in RESP2 and RESP3, with fresh keys each time. */
async function compareEverywhere(t: { skip(msg?: string): void }, name: string, script: (prefix: string) => Script): Promise<void> {
  for (const [threads, ours] of [[1, ours1], [2, ours2]] as const) {
    for (const proto of [2, 3] as const) {
      await compareWithRedis(t as never, ours, redis, script(`${name}:${threads}:${proto}:`), { proto });
    }
  }
}

test('push, pop (with count), LLEN, LINDEX, LRANGE match redis', async (t) => {
  await compareEverywhere(t, 'basic', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['LPUSH', a, 'x', 'y', 'z'], ['RPUSH', a, '1', '2', ''], ['LLEN', a], ['LRANGE', a, '0', '-1'], ['OBJECT', 'ENCODING', a],
      ['LPUSHX', b, 'q'], ['RPUSHX', b, 'q'], ['EXISTS', b], ['LPUSHX', a, 'h'], ['RPUSHX', a, 't', 'u'],
      ['LINDEX', a, '0'], ['LINDEX', a, '-1'], ['LINDEX', a, '100'], ['LINDEX', a, '-100'], ['LINDEX', a, 'x'], ['LINDEX', b, 'x'],
      ['LINDEX', a, '9223372036854775807'], ['LINDEX', a, '-9223372036854775808'], ['LINDEX', a, '9223372036854775808'],
      ['LRANGE', a, '1', '3'], ['LRANGE', a, '-3', '-1'], ['LRANGE', a, '5', '2'], ['LRANGE', a, '-100', '100'], ['LRANGE', a, '0', '-100'],
      ['LRANGE', a, '99', '100'], ['LRANGE', a, 'a', '1'], ['LRANGE', b, '0', '-1'], ['LRANGE', b, 'x', '1'],
      ['LRANGE', a, '-9223372036854775808', '9223372036854775807'],
      ['LPOP', a], ['RPOP', a], ['LPOP', a, '2'], ['RPOP', a, '2'], ['LPOP', a, '0'], ['RPOP', a, '-1'], ['LPOP', a, 'x'],
      ['LPOP', a, '1', '2'], ['LPOP', b], ['LPOP', b, '0'], ['LPOP', b, '3'], ['RPOP', b, '5'], ['LRANGE', a, '0', '-1'],
      ['RPOP', a, '100'], ['EXISTS', a], ['LPOP', a, '9223372036854775807'], ['LLEN', a],
      ['SET', b, 'str'], ['LPUSH', b, 'x'], ['RPUSHX', b, 'x'], ['LPOP', b], ['LPOP', b, '0'], ['LLEN', b], ['LINDEX', b, '0'], ['LRANGE', b, '0', '1'],
      ['LPUSH', a], ['LLEN'], ['LINDEX', a], ['LRANGE', a, '0'], ['RPOP'],
    ];
  });
});

test('LSET, LINSERT, LREM, LTRIM, LPOS match redis', async (t) => {
  await compareEverywhere(t, 'edit', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['RPUSH', a, 'a', 'b', 'c', 'a', 'b', 'c', 'a', '1', '2', '3', 'c', 'c'],
      ['LSET', a, '0', 'A'], ['LSET', a, '-1', 'Z'], ['LSET', a, '100', 'x'], ['LSET', a, 'x', 'y'], ['LSET', b, '0', 'x'], ['LSET', b, 'x', 'y'],
      ['LSET', a, '3', 'x'.repeat(300)], ['LRANGE', a, '0', '-1'],
      ['LINSERT', a, 'BEFORE', 'b', 'pre'], ['LINSERT', a, 'after', 'Z', 'post'], ['LINSERT', a, 'after', 'nope', 'x'],
      ['LINSERT', a, 'middle', 'b', 'x'], ['LINSERT', b, 'before', 'b', 'x'], ['LINSERT', b, 'bogus', 'b', 'x'], ['LRANGE', a, '0', '-1'],
      ['LPOS', a, 'c'], ['LPOS', a, 'c', 'RANK', '2'], ['LPOS', a, 'c', 'RANK', '-1'], ['LPOS', a, 'c', 'RANK', '-2'],
      ['LPOS', a, 'c', 'COUNT', '0'], ['LPOS', a, 'c', 'COUNT', '2'], ['LPOS', a, 'c', 'COUNT', '0', 'RANK', '-1'],
      ['LPOS', a, 'c', 'COUNT', '2', 'RANK', '2'], ['LPOS', a, 'c', 'MAXLEN', '3'], ['LPOS', a, 'c', 'MAXLEN', '3', 'COUNT', '0'],
      ['LPOS', a, 'c', 'RANK', '10'], ['LPOS', a, 'c', 'RANK', '10', 'COUNT', '1'], ['LPOS', a, 'c', 'RANK', '0'],
      ['LPOS', a, 'c', 'RANK', 'x'], ['LPOS', a, 'c', 'COUNT', '-1'], ['LPOS', a, 'c', 'COUNT', 'x'], ['LPOS', a, 'c', 'MAXLEN', '-1'],
      ['LPOS', a, 'c', 'RANK'], ['LPOS', a, 'c', 'bogus', '1'], ['LPOS', b, 'c'], ['LPOS', b, 'c', 'COUNT', '1'], ['LPOS', a, 'nope'],
      ['LPOS', a, 'c', 'RANK', '-9223372036854775808'], ['LPOS', a, 'c', 'RANK', '9223372036854775807'],
      ['LREM', a, '1', 'c'], ['LREM', a, '-1', 'c'], ['LREM', a, '0', 'a'], ['LREM', a, 'x', 'a'], ['LREM', b, '0', 'a'], ['LRANGE', a, '0', '-1'],
      ['LTRIM', a, '1', '-2'], ['LRANGE', a, '0', '-1'], ['LTRIM', a, '-100', '100'], ['LTRIM', a, 'x', '1'], ['LTRIM', b, '0', '1'],
      ['LTRIM', a, '2', '1'], ['EXISTS', a],
      ['RPUSH', a, 'v', 'v', 'v'], ['LREM', a, '0', 'v'], ['EXISTS', a],
      ['SET', b, 'str'], ['LSET', b, '0', 'x'], ['LINSERT', b, 'before', 'a', 'b'], ['LREM', b, '0', 'x'], ['LTRIM', b, '0', '1'], ['LPOS', b, 'x'],
      ['LINSERT', b, 'nope', 'a', 'b'],
    ];
  });
});

test('LMOVE, RPOPLPUSH and LMPOP match redis, keys on one shard and across shards', async (t) => {
  await compareEverywhere(t, 'move', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['RPUSH', a, '1', '2', '3', '4'], ['LMOVE', a, b, 'LEFT', 'RIGHT'], ['LMOVE', a, b, 'right', 'left'], ['LMOVE', a, c, 'left', 'left'],
      ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'], ['LRANGE', c, '0', '-1'], ['LMOVE', a, a, 'left', 'right'], ['LRANGE', a, '0', '-1'],
      ['LMOVE', a, b, 'up', 'left'], ['LMOVE', a, b, 'left', 'down'], ['LMOVE', d, b, 'left', 'left'],
      ['RPOPLPUSH', b, d], ['RPOPLPUSH', b, d], ['RPOPLPUSH', b, d], ['EXISTS', b], ['RPOPLPUSH', b, d], ['LRANGE', d, '0', '-1'],
      ['RPOPLPUSH', a, a], ['RPOPLPUSH', a, b], ['EXISTS', a], ['LRANGE', b, '0', '-1'],
      ['SET', c, 'str'], ['LMOVE', b, c, 'left', 'left'], ['LMOVE', c, b, 'left', 'left'], ['RPOPLPUSH', d, c], ['LMOVE', `${p}none`, c, 'left', 'left'],
      ['LRANGE', b, '0', '-1'],
      ['LMPOP', '2', a, b, 'LEFT'], ['LMPOP', '2', a, d, 'RIGHT', 'COUNT', '2'], ['LMPOP', '3', a, b, d, 'left', 'count', '100'],
      ['LMPOP', '1', a, 'left'], ['LMPOP', '2', a, c, 'left'], ['LMPOP', '2', c, a, 'left'],
      ['LMPOP', '0', a, 'left'], ['LMPOP', 'x', a, 'left'], ['LMPOP', '3', a, b, 'left'], ['LMPOP', '1', a, 'middle'],
      ['LMPOP', '1', a, 'left', 'count', '0'], ['LMPOP', '1', a, 'left', 'count', 'x'], ['LMPOP', '1', a, 'left', 'count', '1', 'count', '1'],
      ['LMPOP', '1', a, 'left', 'bogus'], ['LMPOP', '9223372036854775807', a, 'left'], ['LMPOP', '1', a],
    ];
  });
});

test('blocking commands with data available, bad arguments, and inside no-wait contexts match redis', async (t) => {
  await compareEverywhere(t, 'bnow', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['RPUSH', a, '1', '2', '3'], ['RPUSH', c, 'x', 'y'], ['RPUSH', d, 'q'],
      ['BLPOP', a, '0'], ['BRPOP', b, a, '0'], ['BLPOP', b, c, '1.5'], ['BRPOP', d, '0.01'],
      ['BLMOVE', a, b, 'LEFT', 'RIGHT', '0'], ['BRPOPLPUSH', c, d, '0'], ['BLMPOP', '0', '2', b, c, 'LEFT', 'COUNT', '5'],
      ['BLPOP', a, 'x'], ['BLPOP', a, '-1'], ['BLPOP', a, 'inf'], ['BLPOP', a, '1e30'], ['BRPOPLPUSH', a, b, 'x'],
      ['BLMOVE', a, b, 'up', 'left', '0'], ['BLMOVE', a, b, 'left', 'left', '-1'],
      ['BLMPOP', 'x', '1', a, 'left'], ['BLMPOP', '0', '0', a, 'left'], ['BLMPOP', '0', '1', a, 'up'], ['BLMPOP', '0', '1', a, 'left', 'count', '0'],
      ['BLMPOP', '-1', '1', a, 'left'], ['BLMPOP', '0', '2', a], ['BLPOP', a], ['BLMOVE', a, b, 'left', 'left'],
      ['SET', b, 'str'], ['BLPOP', b, '0'], ['BLPOP', `${p}none`, b, '0'], ['BLMPOP', '0', '1', b, 'left'], ['BRPOPLPUSH', b, a, '0'],
      ['RPUSH', a, 'v'], ['BLMOVE', a, b, 'left', 'left', '0'], ['LLEN', a],
    ];
  });
});

test('a large list (several nodes per fill setting) matches redis under LRANGE, LINDEX, LINSERT, LSET, LREM, LTRIM', async (t) => {
  for (const fill of ['-1', '-2', '3', '0']) {
    await compareEverywhere(t, `large${fill}`, (p) => {
      const { a } = runKeys(p);
      const script: Script = [['CONFIG', 'SET', 'list-max-listpack-size', fill]];
      const values: string[] = [];
      for (let i = 0; i < 600; i++) values.push(i % 7 === 0 ? `big-${i}-${'z'.repeat(i % 300)}` : String(i % 50));
      script.push(['RPUSH', a, ...values.slice(0, 300)], ['LPUSH', a, ...values.slice(300)]);
      script.push(['LLEN', a], ['LRANGE', a, '0', '-1'], ['LRANGE', a, '250', '350'], ['LRANGE', a, '-400', '-200']);
      for (const i of ['0', '1', '299', '300', '301', '-1', '-300', '599', '600']) script.push(['LINDEX', a, i]);
      script.push(['LINSERT', a, 'BEFORE', '25', 'ins1'], ['LINSERT', a, 'AFTER', '49', 'x'.repeat(9000)], ['LSET', a, '310', 'y'.repeat(5000)]);
      script.push(['LSET', a, '311', 'tiny'], ['LREM', a, '3', '7'], ['LREM', a, '-4', '8'], ['LREM', a, '0', '9'], ['LRANGE', a, '0', '-1']);
      script.push(['LPOS', a, '10', 'COUNT', '0'], ['LPOS', a, '10', 'RANK', '-3', 'COUNT', '2'], ['LTRIM', a, '17', '-33'], ['LRANGE', a, '0', '-1']);
      script.push(['LPOP', a, '40'], ['RPOP', a, '40'], ['LRANGE', a, '0', '-1'], ['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
      return script;
    });
  }
});

test('COMMAND INFO of every list command matches redis', async (t) => {
  const names = ['lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'llen', 'lrange', 'lindex', 'lset', 'linsert', 'lrem', 'ltrim', 'lpos',
    'lmove', 'rpoplpush', 'lmpop', 'blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop'];
  await compareWithRedis(t, ours1, redis, names.map((n) => ['COMMAND', 'INFO', n]));
  await compareWithRedis(t, ours1, redis, [
    ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'k1', 'k2', 'LEFT'], ['COMMAND', 'GETKEYS', 'BLMPOP', '0', '2', 'k1', 'k2', 'LEFT'],
    ['COMMAND', 'GETKEYS', 'BLPOP', 'k1', 'k2', '0'], ['COMMAND', 'GETKEYS', 'LMOVE', 'k1', 'k2', 'LEFT', 'LEFT'],
  ]);
});

/** Sends a command on a connection without waiting for its reply. */
function sendOnly(client: RawClient, ...args: string[]): Promise<Buffer> {
  return client.command(...args);
}

/**
 * Blocks `blocked` commands on fresh connections, then runs `wake` on another one, on our
 * server and on redis; every reply must be byte-identical.
 */
async function compareBlocking(server: RunningServer, blocked: string[][], wake: string[][], proto: 2 | 3): Promise<Buffer[]> {
  const waiters = await Promise.all(blocked.map(() => RawClient.connect(server.port, server.host)));
  const control = await RawClient.connect(server.port, server.host);
  try {
    if (proto === 3) for (const c of [...waiters, control]) await c.command('HELLO', '3');
    const pending: Promise<Buffer>[] = [];
    for (let i = 0; i < blocked.length; i++) {
      pending.push(sendOnly(waiters[i], ...blocked[i]));
      await sleep(30); // keeps the FIFO order of blocked clients deterministic
    }
    const out: Buffer[] = [];
    for (const cmd of wake) out.push(await control.command(...cmd));
    out.push(...(await Promise.all(pending)));
    return out;
  } finally {
    await Promise.all([...waiters, control].map((c) => c.close()));
  }
}

test('blocked BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP are served in order and time out like redis', async (t) => {
  if (redis === null) return t.skip('redis-server not installed');
  for (const [threads, ours] of [[1, ours1], [2, ours2]] as const) {
    for (const proto of [2, 3] as const) {
      const k = (name: string) => `{blk:${threads}:${proto}}${name}`; // one shard: blocking across shards is not supported yet
      const blocked = [
        ['BLPOP', k('q1'), k('q2'), '0'], ['BRPOP', k('q2'), '0'], ['BLMOVE', k('q1'), k('dst'), 'RIGHT', 'LEFT', '0'],
        ['BRPOPLPUSH', k('q3'), k('dst'), '0'], ['BLMPOP', '0', '2', k('q4'), k('q1'), 'RIGHT', 'COUNT', '3'],
        ['BLPOP', k('never'), '0.2'], ['BLMOVE', k('never'), k('dst'), 'LEFT', 'LEFT', '0.1'], ['BLMPOP', '0.1', '1', k('never'), 'LEFT'],
      ];
      const wake = [
        ['RPUSH', k('q2'), 'a', 'b'], ['RPUSH', k('q1'), '1', '2', '3', '4', '5', '6'], ['LPUSH', k('q3'), 'z'], ['LRANGE', k('dst'), '0', '-1'],
        ['LRANGE', k('q1'), '0', '-1'], ['EXISTS', k('q2'), k('q3')],
      ];
      const mine = await compareBlocking(ours, blocked, wake, proto);
      const theirs = await compareBlocking(redis, blocked, wake, proto);
      for (let i = 0; i < theirs.length; i++) {
        assert.equal(escapeBytes(mine[i]), escapeBytes(theirs[i]), `reply #${i} (threads ${threads}, RESP${proto})`);
      }
    }
  }
});

test('blocking across shards: data found through the coordinator, otherwise the client blocks until its timeout', async () => {
  const { a, b } = runKeys('xblock:');
  const client = await RawClient.connect(ours2.port);
  try {
    await client.command('RPUSH', b, 'v1', 'v2');
    assert.equal((await client.command('BLPOP', a, b, '0')).toString(), `*2\r\n$${b.length}\r\n${b}\r\n$2\r\nv1\r\n`);
    assert.equal((await client.command('BLMOVE', b, a, 'LEFT', 'LEFT', '0')).toString(), '$2\r\nv2\r\n');
    assert.equal((await client.command('BRPOPLPUSH', a, b, '0')).toString(), '$2\r\nv2\r\n');
    assert.equal((await client.command('BRPOP', a, `${b}x`, '0.1')).toString(), '*-1\r\n');
    assert.equal((await client.command('BLMOVE', a, b, 'LEFT', 'LEFT', '0.1')).toString(), '*-1\r\n');
    assert.equal((await client.command('BLMPOP', '0.1', '2', a, `${b}x`, 'LEFT')).toString(), '*-1\r\n');
    assert.equal((await client.command('BLMPOP', '0', '2', a, b, 'LEFT')).toString(), `*2\r\n$${b.length}\r\n${b}\r\n*1\r\n$2\r\nv2\r\n`);
  } finally {
    await client.close();
  }
});

test('random list operations match redis (property)', async (t) => {
  if (redis === null) return t.skip('redis-server not installed');
  const value = fc.oneof(fc.constantFrom('a', 'b', 'c', '1', '-2', ''), fc.integer({ min: 0, max: 120 }).map((n) => 'v'.repeat(n)));
  const index = fc.integer({ min: -12, max: 12 }).map(String);
  const end = fc.constantFrom('LEFT', 'RIGHT');
  const op = (k1: string, k2: string) => fc.oneof(
    fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), fc.constantFrom(k1, k2), fc.array(value, { minLength: 1, maxLength: 4 })).map(([c, k, vs]) => [c, k, ...vs]),
    fc.tuple(fc.constantFrom('LPOP', 'RPOP'), fc.constantFrom(k1, k2), fc.option(fc.nat(5).map(String), { nil: undefined })).map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, n])),
    fc.tuple(fc.constantFrom(k1, k2), index, index).map(([k, s, e]) => ['LRANGE', k, s, e]),
    fc.tuple(fc.constantFrom(k1, k2), index).map(([k, i]) => ['LINDEX', k, i]),
    fc.tuple(fc.constantFrom(k1, k2), index, value).map(([k, i, v]) => ['LSET', k, i, v]),
    fc.tuple(fc.constantFrom(k1, k2), fc.constantFrom('BEFORE', 'AFTER'), value, value).map(([k, w, pv, v]) => ['LINSERT', k, w, pv, v]),
    fc.tuple(fc.constantFrom(k1, k2), fc.integer({ min: -3, max: 3 }).map(String), value).map(([k, n, v]) => ['LREM', k, n, v]),
    fc.tuple(fc.constantFrom(k1, k2), index, index).map(([k, s, e]) => ['LTRIM', k, s, e]),
    fc.tuple(fc.constantFrom(k1, k2), value, fc.integer({ min: -3, max: 3 }).filter((r) => r !== 0).map(String), fc.nat(3).map(String)).map(([k, v, r, c]) => ['LPOS', k, v, 'RANK', r, 'COUNT', c]),
    fc.tuple(fc.constantFrom([k1, k2], [k2, k1], [k1, k1]), end, end).map(([[s, d], f, w]) => ['LMOVE', s, d, f, w]),
    fc.tuple(fc.constantFrom([k1, k2], [k2, k1]), end, fc.nat(4).map((n) => String(n + 1))).map(([[x, y], w, n]) => ['LMPOP', '2', x, y, w, 'COUNT', n]),
    fc.constantFrom(k1, k2).map((k) => ['LLEN', k]),
  );
  // Per thread count, its own keys: both servers end every run with the same lists in them.
  const keys = [runKeys('prop1:'), runKeys('prop2:')];
  const scripts = fc.integer({ min: 0, max: 1 }).chain((i) => fc.tuple(fc.constant(i), fc.array(op(keys[i].a, keys[i].b), { minLength: 150, maxLength: 200 })));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('-2', '2', '-1'), scripts, async (fill, [i, script]) => {
      const { a, b } = keys[i];
      await compareWithRedis(t, i === 0 ? ours1 : ours2, redis, [
        ['DEL', a, b], ['CONFIG', 'SET', 'list-max-listpack-size', fill], ...script, ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'],
        ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
      ]);
    }),
    { numRuns: 6, endOnFailure: true },
  );
});

test('ioredis 5 and 6 smoke: push, range, pop, move, blocking pop at 1 and 2 threads', async () => {
  for (const Client of [IORedis5, IORedis6]) {
    for (const ours of [ours1, ours2]) {
      const client = new Client({ port: ours.port, enableReadyCheck: false });
      const blocker = new Client({ port: ours.port, enableReadyCheck: false });
      try {
        const { a, b } = runKeys(`io${Client === IORedis5 ? 5 : 6}:${ours.port}:`);
        assert.equal(await client.rpush(a, 'x', 'y', 'z'), 3);
        assert.deepEqual(await client.lrange(a, 0, -1), ['x', 'y', 'z']);
        assert.deepEqual(await client.lpop(a, 2), ['x', 'y']);
        assert.equal(await client.lmove(a, b, 'LEFT', 'RIGHT'), 'z');
        assert.deepEqual(await client.lmpop(2, a, b, 'LEFT'), [b, ['z']]);
        const waiting = blocker.blpop(`{${a}}w`, 0);
        await sleep(50);
        await client.lpush(`{${a}}w`, 'late');
        assert.deepEqual(await waiting, [`{${a}}w`, 'late']);
        assert.equal(await client.lpos(`{${a}}w`, 'late'), null);
        assert.equal(await client.brpop(`{${a}}w`, 0.05), null);
      } finally {
        client.disconnect();
        blocker.disconnect();
      }
    }
  }
});

test('node-redis 4 and 5 smoke: push, range, LPOS, LMPOP, BLMOVE', async () => {
  for (const lib of [redis4, redis5]) {
    for (const ours of [ours1, ours2]) {
      const client = lib.createClient({ socket: { port: ours.port, host: '127.0.0.1' } });
      await client.connect();
      try {
        const k = `{nr${ours.port}}`;
        await client.del([`${k}l`, `${k}m`]);
        assert.equal(await client.rPush(`${k}l`, ['1', '2', '3', '2']), 4);
        assert.deepEqual(await client.lRange(`${k}l`, 0, -1), ['1', '2', '3', '2']);
        assert.deepEqual(await client.lPosCount(`${k}l`, '2', 0), [1, 3]);
        assert.equal(await client.lInsert(`${k}l`, 'BEFORE', '3', 'x'), 5);
        assert.equal(await client.blMove(`${k}l`, `${k}m`, 'RIGHT', 'LEFT', 0), '2');
        const popped = await client.lmPop([`${k}none`, `${k}m`], 'LEFT'); // node-redis 4: [key, elements]; 5: { key, elements }
        assert.deepEqual(Array.isArray(popped) ? popped : [popped.key, popped.elements], [`${k}m`, ['2']]);
      } finally {
        await client.quit();
      }
    }
  }
});
