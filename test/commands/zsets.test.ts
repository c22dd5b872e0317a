// Sorted-set commands: byte-exact differential tests against redis-server (RESP2
// and RESP3, 1 and 2 shard threads, multi-key commands with keys on different
// shards), blocking pops, real clients, and a random-operation property test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { RawClient } from '../helpers/resp';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, configSetEverywhere, oursByThreads, suiteServers, type Script } from '../helpers/suite';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
const IORedis6 = require('ioredis6');
const redis4 = require('redis4');
const redis5 = require('redis5');
/* eslint-enable @typescript-eslint/no-var-requires */

const servers = suiteServers();

/** ZADD key s1 m1 s2 m2 ... for n members m0..m(n-1) with scores i * step. */
function zaddMany(key: string, n: number, step = 1, prefix = 'm'): string[] {
  const cmd = ['ZADD', key];
  for (let i = 0; i < n; i++) cmd.push(String(i * step), `${prefix}${i}`);
  return cmd;
}

test('ZADD options, ZINCRBY, ZSCORE, ZMSCORE and score formatting match redis', async (t) => {
  await compareEverywhere(t, servers, 'zadd', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['ZADD', a, '1', 'x', '2', 'y'], ['ZADD', a, 'NX', '5', 'x', '3', 'z'], ['ZADD', a, 'XX', 'CH', '7', 'x', '9', 'w'],
      ['ZADD', a, 'GT', 'CH', '1', 'x', '8', 'y'], ['ZADD', a, 'LT', 'CH', '0.5', 'x', '10', 'y'], ['ZADD', a, 'XX', 'GT', '100', 'x'],
      ['ZADD', a, 'NX', 'XX', '1', 'x'], ['ZADD', a, 'GT', 'LT', '1', 'x'], ['ZADD', a, 'NX', 'GT', '1', 'x'],
      ['ZADD', a, 'INCR', '1', 'x', '2', 'y'], ['ZADD', a, '1'], ['ZADD', a, '1', 'x', '2'], ['ZADD', a, 'abc', 'x'], ['ZADD', a, 'nan', 'x'],
      ['ZADD', a, 'INCR', '2.5', 'x'], ['ZADD', a, 'INCR', 'NX', '1', 'x'], ['ZADD', a, 'INCR', 'XX', '1', 'nope'], ['ZADD', a, 'INCR', 'GT', '-1', 'x'],
      ['ZADD', a, '+inf', 'i', '-inf', 'j', '1.1', 'k', '1e21', 'l', '-0', 'n', '0.1', 'o', '123456789012345678', 'q', '1e-7', 'r'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'], ['ZINCRBY', a, '-inf', 'i'], ['ZINCRBY', a, '1', 'i'], ['ZINCRBY', a, 'x', 'i'],
      ['ZINCRBY', a, '0.1', 'o'], ['ZINCRBY', a, '5', 'new'], ['ZSCORE', a, 'o'], ['ZSCORE', a, 'missing'], ['ZSCORE', b, 'x'],
      ['ZMSCORE', a, 'x', 'missing', 'i'], ['ZMSCORE', b, 'x', 'y'], ['ZCARD', a], ['ZCARD', b],
      ['SET', b, 'str'], ['ZADD', b, '1', 'x'], ['ZSCORE', b, 'x'], ['ZINCRBY', b, '1', 'x'], ['ZCARD', b], ['ZRANGE', b, '0', '1'],
      ['ZADD', a, 'XX', '1', 'brand-new'], ['ZADD', `${a}:none`, 'XX', '1', 'x'], ['EXISTS', `${a}:none`], ['ZADD', `${a}:none`, 'XX', 'INCR', '1', 'x'],
      ['ZREM', a, 'x', 'y', 'nope'], ['ZREM', b, 'x'], ['ZREM', `${a}:none`, 'x'], ['ZCARD', a],
    ];
  });
});

test('ZRANGE variants, ZCOUNT, ZLEXCOUNT, ZRANK and their errors match redis (listpack and skiplist)', async (t) => {
  for (const n of [6, 300]) {
    await compareEverywhere(t, servers, `zrange${n}`, (p) => {
      const { a, b } = runKeys(p);
      const lex = ['ZADD', b];
      for (let i = 0; i < n; i++) lex.push('0', `k${String(i).padStart(4, '0')}`);
      return [
        zaddMany(a, n, 0.5), lex, ['OBJECT', 'ENCODING', a], ['OBJECT', 'ENCODING', b],
        ['ZRANGE', a, '0', '-1'], ['ZRANGE', a, '1', '3', 'WITHSCORES'], ['ZRANGE', a, '-3', '-1', 'REV', 'WITHSCORES'], ['ZRANGE', a, '5', '1'],
        ['ZRANGE', a, '-100', '100'], ['ZRANGE', a, '1', '(2.5', 'BYSCORE', 'WITHSCORES'], ['ZRANGE', a, '(2.5', '1', 'BYSCORE', 'REV'],
        ['ZRANGE', a, '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '2'], ['ZRANGE', a, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '2', '3', 'WITHSCORES'],
        ['ZRANGE', a, '0', '10', 'BYSCORE', 'LIMIT', '-1', '2'], ['ZRANGE', a, '0', '10', 'BYSCORE', 'LIMIT', '1', '-1'], ['ZRANGE', a, '0', '10', 'BYSCORE', 'LIMIT', '1', '0'],
        ['ZRANGE', a, '0', '-1', 'LIMIT', '0', '1'], ['ZRANGE', b, '[k0001', '(k0004', 'BYLEX'], ['ZRANGE', b, '(k0004', '[k0001', 'BYLEX', 'REV'],
        ['ZRANGE', b, '-', '+', 'BYLEX', 'LIMIT', '2', '2'], ['ZRANGE', b, '+', '-', 'BYLEX', 'REV', 'LIMIT', '0', '3'], ['ZRANGE', b, '-', '+', 'BYLEX', 'WITHSCORES'],
        ['ZRANGE', a, '0', '1', 'BYSCORE', 'BYLEX'], ['ZRANGE', a, '0', '1', 'REV', 'REV'], ['ZRANGE', a, 'x', '1'], ['ZRANGE', a, '(x', '1', 'BYSCORE'],
        ['ZRANGE', b, 'k', '+', 'BYLEX'], ['ZRANGE', a, '0', '1', 'LIMIT', 'x', '1', 'BYSCORE'], ['ZRANGE', a, '0', '1', 'LIMIT', '1'],
        ['ZRANGEBYSCORE', a, '(0', '2', 'WITHSCORES', 'LIMIT', '0', '3'], ['ZRANGEBYSCORE', a, ' 1', '', 'WITHSCORES'], ['ZRANGEBYSCORE', a, '(', '1e999'],
        ['ZRANGEBYSCORE', a, '0', '1', 'REV'], ['ZREVRANGEBYSCORE', a, '3', '(1', 'WITHSCORES'], ['ZREVRANGEBYSCORE', a, '(1', '3'],
        ['ZRANGEBYLEX', b, '[k0002', '+', 'LIMIT', '1', '3'], ['ZREVRANGEBYLEX', b, '+', '(k0002', 'LIMIT', '0', '2'], ['ZRANGEBYLEX', b, '-', '+', 'WITHSCORES'],
        ['ZREVRANGE', a, '0', '2', 'WITHSCORES'], ['ZREVRANGE', a, '0', '2', 'REV'], ['ZREVRANGE', a, '0', '2', 'BYSCORE'],
        ['ZCOUNT', a, '-inf', '+inf'], ['ZCOUNT', a, '(1', '2'], ['ZCOUNT', a, '2', '1'], ['ZCOUNT', a, 'a', 'b'], ['ZCOUNT', `${a}:none`, '0', '1'],
        ['ZLEXCOUNT', b, '-', '+'], ['ZLEXCOUNT', b, '[k0001', '(k0003'], ['ZLEXCOUNT', b, '+', '-'], ['ZLEXCOUNT', b, 'a', 'b'], ['ZLEXCOUNT', b, '(k', ''],
        ['ZRANK', a, 'm2'], ['ZREVRANK', a, 'm2'], ['ZRANK', a, 'nope'], ['ZRANK', `${a}:none`, 'x'], ['ZREVRANK', b, 'k0000'],
        ['ZRANGE', `${a}:none`, '0', '-1'], ['ZRANGEBYSCORE', `${a}:none`, '0', '1', 'WITHSCORES'],
      ];
    });
  }
});

test('ZREMRANGEBY*, ZPOPMIN/ZPOPMAX, ZMPOP and ZRANGESTORE match redis, across shards too', async (t) => {
  await compareEverywhere(t, servers, 'zrem', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      zaddMany(a, 20), ['ZREMRANGEBYRANK', a, '0', '1'], ['ZREMRANGEBYRANK', a, '-2', '-1'], ['ZREMRANGEBYRANK', a, '5', '2'], ['ZREMRANGEBYRANK', a, 'x', '1'],
      ['ZREMRANGEBYSCORE', a, '(4', '6'], ['ZREMRANGEBYSCORE', a, 'x', '6'], ['ZREMRANGEBYLEX', a, '[m10', '[m12'], ['ZREMRANGEBYLEX', a, 'm', '+'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['ZPOPMIN', a], ['ZPOPMAX', a, '2'], ['ZPOPMIN', a, '0'], ['ZPOPMIN', a, '-1'], ['ZPOPMIN', a, 'x'], ['ZPOPMIN', a, '1', '2'], ['ZPOPMIN', `${a}:none`],
      ['ZPOPMAX', `${a}:none`, '3'],
      zaddMany(b, 3, 2, 'b'), ['ZMPOP', '2', c, b, 'MIN'], ['ZMPOP', '2', c, b, 'MAX', 'COUNT', '5'], ['ZMPOP', '2', c, b, 'MIN'], ['EXISTS', b],
      ['ZMPOP', '0', b, 'MIN'], ['ZMPOP', 'x', b, 'MIN'], ['ZMPOP', '1', b, 'MID'], ['ZMPOP', '1', b, 'MIN', 'COUNT', '0'], ['ZMPOP', '1', b, 'MIN', 'COUNT'],
      ['SET', d, 'x'], ['ZMPOP', '2', c, d, 'MIN'], ['ZMPOP', '2', a, d, 'MIN'],
      zaddMany(c, 10, 1, 'c'), ['ZRANGESTORE', b, c, '2', '5'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', b, c, '(3', '+inf', 'BYSCORE', 'LIMIT', '1', '2'],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', b, c, '[c5', '-', 'BYLEX', 'REV'], ['ZRANGE', b, '0', '-1'], ['ZRANGESTORE', b, c, '5', '1'], ['EXISTS', b],
      ['ZRANGESTORE', b, c, '0', '1', 'WITHSCORES'], ['ZRANGESTORE', b, d, '0', '1'], ['ZRANGESTORE', b, `${c}:none`, '0', '1'], ['ZRANGESTORE', c, c, '0', '2'], ['ZRANGE', c, '0', '-1'],
      ['ZRANGESTORE', d, c, '0', '0'], ['TYPE', d], ['OBJECT', 'ENCODING', d],
    ];
  });
});

test('ZUNION/ZINTER/ZDIFF (+STORE) and ZINTERCARD match redis with keys on different shards', async (t) => {
  await compareEverywhere(t, servers, 'zunion', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['ZADD', a, '1', 'x', '2', 'y', '3', 'z'], ['ZADD', b, '10', 'y', '20', 'z', '30', 'w', 'inf', 'i'], ['ZADD', c, '-inf', 'i', '5', 'x'],
      ['ZUNION', '3', a, b, c, 'WITHSCORES'], ['ZUNION', '3', a, b, c, 'WEIGHTS', '1', '2', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES'],
      ['ZUNION', '2', b, c, 'WITHSCORES'], ['ZUNION', '2', a, b, 'AGGREGATE', 'MIN', 'WITHSCORES'], ['ZUNION', '2', a, b, 'WEIGHTS', '0', 'inf', 'WITHSCORES'],
      ['ZINTER', '2', a, b, 'WITHSCORES'], ['ZINTER', '3', a, b, c], ['ZINTER', '2', b, c, 'WITHSCORES'], ['ZINTER', '2', a, a, 'WEIGHTS', '2', '3', 'WITHSCORES'],
      ['ZDIFF', '2', a, b, 'WITHSCORES'], ['ZDIFF', '3', b, a, c], ['ZDIFF', '2', a, a], ['ZDIFF', '1', `${a}:none`],
      ['ZINTERCARD', '2', a, b], ['ZINTERCARD', '2', a, b, 'LIMIT', '1'], ['ZINTERCARD', '2', a, b, 'LIMIT', '-1'], ['ZINTERCARD', '2', a, b, 'LIMIT', 'x'],
      ['ZUNIONSTORE', d, '3', a, b, c], ['ZRANGE', d, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', d],
      ['ZINTERSTORE', d, '2', a, b, 'WEIGHTS', '2', '3'], ['ZRANGE', d, '0', '-1', 'WITHSCORES'],
      ['ZDIFFSTORE', d, '2', b, a], ['ZRANGE', d, '0', '-1', 'WITHSCORES'], ['ZDIFFSTORE', d, '2', a, a], ['EXISTS', d],
      ['ZUNIONSTORE', a, '2', a, b], ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['ZUNION', '0', a], ['ZUNION', '-1', a], ['ZUNION', 'x', a], ['ZUNION', '3', a, b], ['ZUNIONSTORE', d, '0', a], ['ZINTERSTORE', d, '0', a],
      ['ZUNION', '2', a, b, 'WEIGHTS', '1'], ['ZUNION', '2', a, b, 'WEIGHTS', '1', 'x'], ['ZUNION', '2', a, b, 'AGGREGATE', 'AVG'], ['ZUNION', '2', a, b, 'FOO'],
      ['ZDIFF', '2', a, b, 'WEIGHTS', '1', '2'], ['ZUNIONSTORE', d, '2', a, b, 'WITHSCORES'], ['ZINTERCARD', '1', a, 'WITHSCORES'],
      ['SET', c, 'str'], ['ZUNION', '2', a, c], ['ZINTER', '2', c, `${a}:none`], ['ZUNIONSTORE', d, '2', a, c], ['ZUNION', '2', c, a, 'FOO'],
      ['ZUNIONSTORE', d, '1', `${a}:none`], ['EXISTS', d],
    ];
  });
});

test('ZRANDMEMBER and ZSCAN: deterministic cases and errors match redis', async (t) => {
  await compareEverywhere(t, servers, 'zrand', (p) => {
    const { a } = runKeys(p);
    return [
      ['ZADD', a, '1', 'x', '2', 'y', '3', 'z'], ['ZRANDMEMBER', a, '3', 'WITHSCORES'], ['ZRANDMEMBER', a, '10'], ['ZRANDMEMBER', a, '0'],
      ['ZRANDMEMBER', `${a}:none`], ['ZRANDMEMBER', `${a}:none`, '5'], ['ZRANDMEMBER', a, 'x'], ['ZRANDMEMBER', a, '1', 'FOO'], ['ZRANDMEMBER', a, '1', 'WITHSCORES', 'x'],
      ['ZRANDMEMBER', a, '-9223372036854775808'], ['ZRANDMEMBER', a, '-9223372036854775807', 'WITHSCORES'],
      ['ZSCAN', a, '0'], ['ZSCAN', a, '0', 'MATCH', 'y*'], ['ZSCAN', a, '0', 'COUNT', '0'], ['ZSCAN', a, 'x'], ['ZSCAN', `${a}:none`, '0'], ['ZSCAN', a, '0', 'FOO', 'bar'],
    ];
  });
});

test('ZRANDMEMBER returns members of the set, distinct for positive counts', async () => {
  const client = new IORedis5({ port: servers.ours1.port, host: servers.ours1.host });
  try {
    const members = Array.from({ length: 200 }, (_, i) => `r${i}`);
    for (const n of [5, 200]) {
      await client.del('rand');
      await client.zadd('rand', ...members.slice(0, n).flatMap((m, i) => [i, m]));
      for (const count of [1, 3, n - 1, n, n + 5]) {
        const got: string[] = await client.zrandmember('rand', count);
        assert.equal(got.length, Math.min(count, n));
        assert.equal(new Set(got).size, got.length);
        for (const m of got) assert.ok(members.includes(m));
      }
      const repeated: string[] = await client.zrandmember('rand', -(n * 3));
      assert.equal(repeated.length, n * 3);
    }
  } finally {
    client.disconnect();
  }
});

test('ZSCAN on a skiplist returns every member present throughout, while the set changes', async () => {
  for (const ours of [servers.ours1, servers.ours2]) {
    const client = new IORedis5({ port: ours.port, host: ours.host });
    try {
      await client.del('scan');
      await client.zadd('scan', ...Array.from({ length: 1000 }, (_, i) => [i, `s${i}`]).flat());
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, items] = await client.zscan('scan', cursor, 'COUNT', 50);
        for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
        // Churn: remove members >= 900 and add new ones while scanning.
        await client.zrem('scan', `s${900 + round}`);
        await client.zadd('scan', round, `new${round}`);
        round++;
        cursor = next;
      } while (cursor !== '0');
      for (let i = 0; i < 900; i++) assert.ok(seen.has(`s${i}`), `s${i} missing`);
    } finally {
      client.disconnect();
    }
  }
});

test('encodings follow zset-max-listpack-entries/value and COPY keeps the value', async (t) => {
  await compareEverywhere(t, servers, 'enc', (p) => {
    const { a, b, c } = runKeys(p);
    const long = 'v'.repeat(70);
    return [
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'], zaddMany(a, 4), ['OBJECT', 'ENCODING', a], ['ZADD', a, '9', 'm9'], ['OBJECT', 'ENCODING', a],
      ['ZREMRANGEBYRANK', a, '0', '2'], ['OBJECT', 'ENCODING', a], ['ZUNIONSTORE', b, '1', a], ['OBJECT', 'ENCODING', b],
      ['ZADD', c, '1', long], ['OBJECT', 'ENCODING', c], ['ZRANGESTORE', b, a, '0', '-1'], ['OBJECT', 'ENCODING', b],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', `${c}:x`, '1', 'm'], ['OBJECT', 'ENCODING', `${c}:x`],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
      ['COPY', a, `${a}:copy`], ['ZRANGE', `${a}:copy`, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', `${a}:copy`],
      ['RENAME', a, b], ['ZRANGE', b, '0', '-1', 'WITHSCORES'], ['TYPE', b],
    ];
  });
});

test('listpack zsets (kept packed in their record) survive RENAME, MOVE, SWAPDB, TTL changes and conversion', async (t) => {
  await compareEverywhere(t, servers, 'packed', (p) => {
    const { a, b, c } = runKeys(p);
    const range = (key: string) => ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
    return [
      zaddMany(a, 3), ['OBJECT', 'ENCODING', a], ['RENAME', a, c], range(c), ['ZADD', c, '-1', 'first'], ['RENAME', c, b], range(b),
      ['OBJECT', 'ENCODING', b], ['RENAME', b, a], ['MOVE', a, '9'], ['SELECT', '9'], range(a), ['ZREM', a, 'first'], ['MOVE', a, '0'],
      ['SELECT', '0'], range(a), ['SWAPDB', '0', '9'], ['EXISTS', a], ['SWAPDB', '0', '9'], ['ZPOPMAX', a], range(a),
      ['EXPIRE', a, '100'], ['ZADD', a, '5', 'x'.repeat(100)], ['OBJECT', 'ENCODING', a], ['TTL', a], range(a), ['ZCARD', a],
      ['ZADD', b, '1', 'm'], ['PEXPIREAT', b, '1'], ['EXISTS', b], ['ZADD', c, '1', 'm'], ['ZREM', c, 'm'], ['EXISTS', c],
      ['ZADD', c, '1', 'm'], ['SET', c, 'now a string'], ['GET', c], ['DEL', a, c],
    ];
  });
});

test('BZPOPMIN/BZPOPMAX/BZMPOP serve data at once, block until ZADD, and time out', async () => {
  for (const ours of [servers.ours1, servers.ours2]) {
    const waiter = await RawClient.connect(ours.port, ours.host);
    const writer = await RawClient.connect(ours.port, ours.host);
    try {
      await writer.command('DEL', '{bz}a', '{bz}b');
      await writer.command('ZADD', '{bz}b', '1', 'one', '2', 'two');
      assert.equal((await waiter.command('BZPOPMIN', '{bz}a', '{bz}b', '0')).toString(), '*3\r\n$5\r\n{bz}b\r\n$3\r\none\r\n$1\r\n1\r\n');
      assert.equal((await waiter.command('BZMPOP', '0', '2', '{bz}a', '{bz}b', 'MAX')).toString(), '*2\r\n$5\r\n{bz}b\r\n*1\r\n*2\r\n$3\r\ntwo\r\n$1\r\n2\r\n');
      assert.equal((await waiter.command('BZPOPMAX', '{bz}a', '0.05')).toString(), '*-1\r\n');
      assert.equal((await waiter.command('BZPOPMIN', '{bz}a', '-1')).toString(), '-ERR timeout is negative\r\n');
      assert.equal((await waiter.command('BZPOPMIN', '{bz}a', 'x')).toString(), '-ERR timeout is not a float or out of range\r\n');
      const blocked = waiter.command('BZPOPMAX', '{bz}a', '{bz}b', '5');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writer.command('ZADD', '{bz}b', '3', 'three', '4', 'four');
      assert.equal((await blocked).toString(), '*3\r\n$5\r\n{bz}b\r\n$4\r\nfour\r\n$1\r\n4\r\n');
      const blockedM = waiter.command('BZMPOP', '5', '1', '{bz}a', 'MIN', 'COUNT', '3');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writer.command('ZUNIONSTORE', '{bz}a', '1', '{bz}b');
      assert.equal((await blockedM).toString(), '*2\r\n$5\r\n{bz}a\r\n*1\r\n*2\r\n$5\r\nthree\r\n$1\r\n3\r\n');
      // Inside MULTI a blocking pop never blocks.
      await waiter.command('MULTI');
      await waiter.command('BZPOPMIN', '{bz}none', '0');
      assert.equal((await waiter.command('EXEC')).toString(), '*1\r\n*-1\r\n');
    } finally {
      await Promise.all([waiter.close(), writer.close()]);
    }
  }
});

test('blocking pops over keys of different shards pop what is there, else block until their timeout', async () => {
  const { a, b } = runKeys('bzcross:');
  const client = await RawClient.connect(servers.ours2.port, servers.ours2.host);
  try {
    await client.command('DEL', a, b);
    await client.command('ZADD', b, '1', 'x', '2', 'y');
    assert.equal((await client.command('BZPOPMAX', a, b, '0')).toString(), `*3\r\n$${b.length}\r\n${b}\r\n$1\r\ny\r\n$1\r\n2\r\n`);
    assert.equal((await client.command('BZMPOP', '0', '2', a, b, 'MIN')).toString(), `*2\r\n$${b.length}\r\n${b}\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n`);
    assert.equal((await client.command('BZPOPMIN', a, b, '0.1')).toString(), '*-1\r\n');
    assert.equal((await client.command('BZMPOP', '0.1', '2', a, b, 'MIN')).toString(), '*-1\r\n');
  } finally {
    await client.close();
  }
});

test('real clients: ioredis 5/6 and node-redis 4/5', async () => {
  for (const ours of [servers.ours1, servers.ours2]) {
    for (const Client of [IORedis5, IORedis6]) {
      const client = new Client({ port: ours.port, host: ours.host });
      try {
        await client.del('rc');
        assert.equal(await client.zadd('rc', 1, 'a', 2.5, 'b', 3, 'c'), 3);
        assert.deepEqual(await client.zrange('rc', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2.5', 'c', '3']);
        assert.equal(await client.zincrby('rc', 0.1, 'b'), '2.6000000000000001');
        assert.equal(await client.zscore('rc', 'c'), '3');
        assert.deepEqual(await client.zpopmin('rc'), ['a', '1']);
        assert.equal(await client.zcard('rc'), 2);
      } finally {
        client.disconnect();
      }
    }
    for (const lib of [redis4, redis5]) {
      const client = lib.createClient({ socket: { port: ours.port, host: ours.host } });
      await client.connect();
      try {
        await client.del('rc2');
        assert.equal(await client.zAdd('rc2', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]), 2);
        assert.deepEqual(await client.zRangeWithScores('rc2', 0, -1), [{ value: 'a', score: 1 }, { value: 'b', score: 2 }]);
        assert.equal(await client.zRank('rc2', 'b'), 1);
        assert.equal(await client.zCount('rc2', '-inf', '+inf'), 2);
      } finally {
        await client.quit();
      }
    }
  }
});

test('random sorted-set operations match redis', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'aa', '', 'zz');
  const score = fc.constantFrom('0', '1', '-1', '2.5', '1e3', '-inf', '+inf', '0.1');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(7), member, score, fc.nat(3), fc.nat(3)), { minLength: 1, maxLength: 200 }), async (ops) => {
      run++;
      for (const [threads, ours] of oursByThreads(servers)) {
        const { a, b, c, d } = runKeys(`prop:zset:${run}:${threads}:`);
        const keys = [a, b, c, d];
        const script: Script = [['CONFIG', 'SET', 'zset-max-listpack-entries', '3']];
        for (const [kind, m, s, k1, k2] of ops) {
          const [x, y] = [keys[k1], keys[k2]];
          if (kind === 0) script.push(['ZADD', x, s, m]);
          else if (kind === 1) script.push(['ZINCRBY', x, s, m]);
          else if (kind === 2) script.push(['ZREM', x, m]);
          else if (kind === 3) script.push(['ZUNIONSTORE', y, '2', x, keys[(k1 + 1) % 4], 'AGGREGATE', 'MAX'], ['OBJECT', 'ENCODING', y]);
          else if (kind === 4) script.push(['ZRANGE', x, '0', '-1', 'WITHSCORES'], ['ZRANGEBYSCORE', x, `(${s}`, '+inf', 'LIMIT', '0', '2']);
          else if (kind === 5) script.push(['ZRANK', x, m], ['ZCOUNT', x, s, '+inf'], ['ZREVRANGE', y, '0', '1', 'WITHSCORES']);
          else if (kind === 6) script.push(['ZPOPMIN', x], ['ZINTER', '2', x, y, 'WITHSCORES'], ['ZDIFF', '2', y, x]);
          else script.push(['ZREMRANGEBYSCORE', x, s, s], ['ZRANGESTORE', y, x, '0', '1'], ['ZCARD', y]);
        }
        await compareWithRedis(t, ours, servers.redis, script);
      }
    }),
    { numRuns: 5 },
  );
  await configSetEverywhere(servers, 'zset-max-listpack-entries', '128');
});
