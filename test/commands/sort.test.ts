// SORT and SORT_RO: byte-exact differential scripts against redis-server
// (RESP2 and RESP3, 1 and 2 shard threads: BY/GET patterns naming keys of
// both shards and STORE keys on the other shard run as coordinators), a
// random-operation property test against redis, and real clients.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, oursByThreads, suiteServers, type Script } from '../helpers/suite';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis6 = require('ioredis6');
const redis5 = require('redis5');
/* eslint-enable @typescript-eslint/no-var-requires */

const servers = suiteServers();

test('SORT of lists, sets and zsets, numeric and ALPHA, with LIMIT, matches redis', async (t) => {
  await compareEverywhere(t, servers, 'basic', (p) => {
    const { a, b, c } = runKeys(p);
    return [
      ['RPUSH', a, '3', '1', '2', '10', '-1.5', '1e2', ' 7', '0x10', '', '+.5'], ['SORT', a], ['SORT', a, 'DESC'], ['SORT', a, 'ALPHA'], ['SORT', a, 'ALPHA', 'DESC'],
      ['SORT', a, 'LIMIT', '2', '3'], ['SORT', a, 'LIMIT', '-5', '3'], ['SORT', a, 'LIMIT', '8', '100'], ['SORT', a, 'LIMIT', '100', '2'], ['SORT', a, 'LIMIT', '0', '-1'],
      ['SORT', a, 'LIMIT', '0', '0'], ['SORT', a, 'LIMIT', '9223372036854775807', '1'], ['SORT', a, 'LIMIT', '1', '9223372036854775807'], ['SORT', a, 'LIMIT', 'x', '1'],
      ['SORT', a, 'LIMIT', '1', '99999999999999999999'], ['SORT', a, 'LIMIT', '1'], ['SORT', a, 'ASC', 'DESC', 'ASC'], ['SORT', a, 'bogus'], ['SORT', a, 'ALPHA', 'LIMIT', '1', '2', 'DESC'],
      ['SORT', a, 'BY', 'nosort'], ['SORT', a, 'BY', 'nosort', 'DESC'], ['SORT', a, 'BY', 'nosort', 'LIMIT', '2', '3'], ['SORT', a, 'BY', 'nosort', 'DESC', 'LIMIT', '2', '3'],
      ['SORT', a, 'BY', 'nosort', 'LIMIT', '20', '3'], ['SORT', a, 'BY', 'nosort', 'DESC', 'LIMIT', '-2', '30'],
      ['RPUSH', b, '1', 'x'], ['SORT', b], ['SORT', b, 'ALPHA'], ['SORT', b, 'LIMIT', '0', '1'],
      ['DEL', b], ['RPUSH', b, '12 ', '1'], ['SORT', b], ['DEL', b], ['RPUSH', b, 'nan', '1'], ['SORT', b],
      ['DEL', b], ['RPUSH', b, '0e-400', 'inf', '-Infinity', '  '], ['SORT', b], ['DEL', b], ['RPUSH', b, '  ', '1'], ['SORT', b],
      ['DEL', b], ['RPUSH', b, Buffer.from('2\0zz'), '1', Buffer.from('1\0a')], ['SORT', b], ['SORT', b, 'ALPHA'],
      ['SADD', c, '5', '3', '-2', '40'], ['SORT', c], ['SORT', c, 'DESC', 'LIMIT', '1', '2'], ['SORT', c, 'BY', 'nosort'], ['SORT', c, 'ALPHA'],
      ['SADD', c, 'b', 'a', 'B'], ['SORT', c, 'ALPHA'], ['SORT', c, 'ALPHA', 'DESC', 'LIMIT', '0', '3'], ['SORT', c],
      ['ZADD', p + 'z', '1', 'a', '5', 'b', '2', 'c', '10', 'd', '3', 'e'], ['SORT', p + 'z', 'ALPHA'], ['SORT', p + 'z', 'ALPHA', 'DESC'], ['SORT', p + 'z', 'BY', 'nosort'],
      ['SORT', p + 'z', 'BY', 'nosort', 'DESC'], ['SORT', p + 'z', 'BY', 'nosort', 'LIMIT', '1', '2'], ['SORT', p + 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
      ['SORT', p + 'z', 'BY', 'nosort', 'LIMIT', '5', '10'], ['SORT', p + 'z', 'BY', 'nosort', 'LIMIT', '-10', '100'], ['SORT', p + 'z'],
      ['SORT', 'nokey'], ['SORT', 'nokey', 'BY', 'nosort', 'LIMIT', '0', '1'], ['SORT_RO', a, 'LIMIT', '1', '3'], ['SORT_RO', a, 'STORE', 'x'],
      ['SET', p + 's', 'x'], ['SORT', p + 's'], ['SORT', p + 's', 'bogus'], ['HSET', p + 'h', 'f', 'v'], ['SORT', p + 'h'], ['SORT'],
      // Last: Redis never clears errno before strtod, so after an ERANGE every numeric SORT of the connection fails.
      ['DEL', b], ['RPUSH', b, '1e-310'], ['SORT', b], ['DEL', b], ['RPUSH', b, '1e400'], ['SORT', b],
    ];
  });
});

test('SORT BY and GET patterns match redis, with keys on both shards', async (t) => {
  await compareEverywhere(t, servers, 'patterns', (p) => {
    const { a, b } = runKeys(p);
    const script: Script = [['RPUSH', a, '3', '1', '2', '10', '7', '5', '4', '6', '9', '8']];
    const weights = [5, 9, 1, 3, 3, 3, 8, 2, 3, 0];
    for (let i = 1; i <= 10; i++) {
      script.push(['SET', `${p}w_${i}`, String(weights[i - 1])], ['HSET', `${p}o_${i}`, 'weight', String(100 - i), 'name', `n${i}`]);
    }
    script.push(
      ['SORT', a, 'BY', `${p}w_*`], ['SORT', a, 'BY', `${p}w_*`, 'DESC'], ['SORT', a, 'BY', `${p}w_*`, 'LIMIT', '2', '4'], ['SORT', a, 'BY', `${p}w_*`, 'DESC', 'LIMIT', '1', '5'],
      ['SORT', a, 'BY', `${p}w_*`, 'ALPHA'], ['SORT', a, 'BY', `${p}w_*`, 'ALPHA', 'LIMIT', '0', '3'], ['SORT', a, 'BY', `${p}o_*->weight`], ['SORT', a, 'BY', `${p}o_*->name`, 'ALPHA', 'DESC'],
      ['SORT', a, 'GET', '#', 'GET', `${p}w_*`, 'GET', `${p}o_*->name`], ['SORT', a, 'BY', `${p}w_*`, 'GET', `${p}o_*->weight`, 'GET', 'nokey', 'GET', `${p}o_*->`],
      ['SORT', a, 'BY', `${p}nope_*`], ['SORT', a, 'BY', `${p}nope_*`, 'ALPHA', 'DESC'], ['SORT', a, 'BY', `${p}o_*->missing`, 'LIMIT', '3', '3'], ['SORT', a, 'BY', `${p}o_*`],
      ['SORT', a, 'BY', `${p}w_*`, 'GET', `${p}w_*`, 'LIMIT', '4', '20'], ['SORT', a, 'BY', 'nosort', 'GET', `${p}o_*->name`, 'DESC', 'LIMIT', '1', '2'],
      ['SET', `${p}w_4`, 'notanumber'], ['SORT', a, 'BY', `${p}w_*`], ['SORT', a, 'BY', `${p}w_*`, 'ALPHA'], ['SORT', a, 'BY', `${p}w_*`, 'STORE', b], ['EXISTS', b],
      ['SET', `${p}w_4`, '3'], ['SET', `${p}x:a->`, '100'], ['RPUSH', `${p}l`, 'a'], ['SORT', `${p}l`, 'BY', 'num', 'GET', `${p}x:*->`],
      ['SORT', a, 'BY', `${p}w_*`, 'STORE', b], ['LRANGE', b, '0', '-1'], ['OBJECT', 'ENCODING', b], ['TTL', b],
      ['SORT', a, 'BY', `${p}w_*`, 'GET', '#', 'GET', `${p}o_*->name`, 'GET', 'none_*', 'STORE', b], ['LRANGE', b, '0', '-1'],
      ['SORT', a, 'BY', 'nosort', 'DESC', 'LIMIT', '0', '3', 'STORE', b], ['LRANGE', b, '0', '-1'], ['EXPIRE', b, '100'],
      ['SORT', a, 'LIMIT', '20', '20', 'STORE', b], ['EXISTS', b], ['SORT', 'nokey', 'STORE', b], ['SORT', a, 'STORE', 'x', 'STORE', b], ['LLEN', b],
      ['SADD', `${p}set`, 'c', 'a', 'b', 'aa'], ['SORT', `${p}set`, 'BY', 'const', 'STORE', b], ['LRANGE', b, '0', '-1'], ['SADD', `${p}iset`, '3', '1', '2'], ['SORT', `${p}iset`, 'BY', `${p}w_*`, 'ALPHA'],
      ['SET', a + 'str', 'x'], ['SORT', a + 'str', 'BY', `${p}w_*`], ['SORT', a, 'BY', `${p}w_*`, 'bogus'], ['SORT', a, 'GET'],
      ['SORT_RO', a, 'BY', `${p}w_*`, 'GET', '#', 'GET', `${p}o_*->name`, 'LIMIT', '0', '4'],
      ['MULTI'], ['SORT', a, 'BY', `${p}w_*`, 'STORE', b], ['LRANGE', b, '0', '-1'], ['EXEC'],
    );
    return script;
  });
});

test('SORT with ties under BY and LIMIT orders them as redis (partial quicksort)', async (t) => {
  await compareEverywhere(t, servers, 'ties', (p) => {
    const { a } = runKeys(p);
    const elements = Array.from({ length: 60 }, (_, i) => String(i));
    const script: Script = [['RPUSH', a, ...elements]];
    for (let i = 0; i < 60; i++) script.push(['SET', `${p}w_${i}`, String(i % 4)]);
    for (const [start, count] of [[0, 5], [3, 10], [50, 20], [0, 59], [20, 1]]) {
      script.push(['SORT', a, 'BY', `${p}w_*`, 'LIMIT', String(start), String(count)], ['SORT', a, 'BY', `${p}w_*`, 'ALPHA', 'DESC', 'LIMIT', String(start), String(count)]);
    }
    return script;
  });
});

test('COMMAND INFO and GETKEYS of SORT match redis', async (t) => {
  await compareWithRedis(t, servers.ours1, servers.redis, [
    ['COMMAND', 'INFO', 'sort'], ['COMMAND', 'INFO', 'sort_ro'], ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'STORE', 'def'], ['COMMAND', 'GETKEYS', 'SORT_RO', 'abc'],
    ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'store', 'invalid', 'store', 'stillbad', 'store', 'def'], ['COMMAND', 'GETKEYS', 'SORT', 'abc', 'GET', 'store', 'LIMIT', 'store', 'x', 'BY', 'store'],
  ]);
});

test('random SORT calls match redis', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const value = fc.constantFrom('1', '2', '-3', '10', '2.5', '1e3', 'a', 'B', '', ' 4', '007', 'x1');
  const option = fc.constantFrom<string[]>(
    ['DESC'], ['ALPHA'], ['LIMIT', '1', '3'], ['LIMIT', '-1', '2'], ['BY', 'nosort'], ['BY', 'W*'], ['BY', 'H*->f'],
    ['GET', '#'], ['GET', 'W*'], ['GET', 'H*->f'], ['STORE', 'dst'],
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(2), value), { minLength: 0, maxLength: 30 }),
      fc.array(fc.tuple(value, value), { maxLength: 12 }),
      fc.array(fc.array(option, { maxLength: 4 }), { minLength: 1, maxLength: 10 }),
      async (adds, weights, calls) => {
        run++;
        for (const [threads, ours] of oursByThreads(servers)) {
          const p = `prop:sort:${run}:${threads}:`;
          const { a, b } = runKeys(p);
          const keyOf: Record<string, string> = { W: `${p}w:`, H: `${p}h:`, dst: b };
          const script: Script = [];
          for (const [kind, v] of adds) script.push(kind === 0 ? ['RPUSH', a, v] : kind === 1 ? ['RPUSH', a, v, v] : ['LPUSH', a, v]);
          for (const [element, weight] of weights) script.push(['SET', `${p}w:${element}`, weight], ['HSET', `${p}h:${element}`, 'f', weight]);
          for (const options of calls) {
            const args = options.flat().map((arg) => (arg in keyOf ? keyOf[arg] : arg.replace(/^[WH]/, (k) => keyOf[k])));
            script.push(['SORT', a, ...args]);
            if (args.includes(b)) script.push(['LRANGE', b, '0', '-1']);
          }
          await compareWithRedis(t, ours, servers.redis, script);
        }
      },
    ),
    { numRuns: 25 },
  );
});

test('real clients: ioredis and node-redis', async () => {
  const io = new IORedis6({ port: servers.ours2.port, host: servers.ours2.host, lazyConnect: true });
  await io.connect();
  const nr = redis5.createClient({ socket: { port: servers.ours2.port, host: servers.ours2.host } });
  await nr.connect();
  try {
    await io.rpush('cli:sort', '3', '1', '2');
    await io.mset('cli:w_1', '3', 'cli:w_2', '2', 'cli:w_3', '1');
    assert.deepEqual(await io.sort('cli:sort', 'BY', 'cli:w_*', 'GET', '#', 'GET', 'cli:w_*'), ['3', '1', '2', '2', '1', '3']);
    assert.equal(await io.sort('cli:sort', 'DESC', 'STORE', 'cli:sorted'), 3);
    assert.deepEqual(await io.lrange('cli:sorted', 0, -1), ['3', '2', '1']);
    await nr.rPush('cli:sort', ['b', 'a']);
    assert.deepEqual(await nr.sort('cli:sort', { ALPHA: true, LIMIT: { offset: 0, count: 3 } }), ['1', '2', '3']);
    assert.deepEqual(await nr.sortRo('cli:sort', { ALPHA: true, DIRECTION: 'DESC' }), ['b', 'a', '3', '2', '1']);
  } finally {
    io.disconnect();
    await nr.quit();
  }
});
