// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: byte-exact differential scripts against
// redis-server (RESP2 and RESP3, 1 and 2 shard threads: on 2, scripts touch keys of both shards,
// declared or not), BUSY and SCRIPT KILL, atomicity under concurrent clients, binary values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/resp';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, oursByThreads, suiteServers } from '../helpers/suite';

const servers = suiteServers();

test('Lua values convert to replies as in redis', async (t) => {
  await compareEverywhere(t, servers, 'to-reply', () => [
    ['EVAL', "return 'hello'", '0'], ['EVAL', 'return 42', '0'], ['EVAL', 'return -3.99', '0'], ['EVAL', 'return 2^53', '0'],
    ['EVAL', 'return true', '0'], ['EVAL', 'return false', '0'], ['EVAL', 'return nil', '0'], ['EVAL', 'return {}', '0'],
    ['EVAL', "return {1, 'two', {3, {4}}, false, 'after-nil-cut'}", '0'], ['EVAL', 'return {1, 2, nil, 4}', '0'],
    ['EVAL', "return {ok='FINE'}", '0'], ['EVAL', "return {err='MYERR bad'}", '0'], ['EVAL', "return redis.status_reply('S')", '0'],
    ['EVAL', "return redis.error_reply('-E1 text')", '0'], ['EVAL', "return redis.error_reply('E2 text')", '0'],
    ['EVAL', "return {1, {ok='st'}, {err='ER in array'}}", '0'], ['EVAL', 'return _G', '0'],
    ['EVAL', "local a = {} setmetatable(a, {__index=function() error('x') end}) return a", '0'],
    ['EVAL', "return {double=3.5}", '0'], ['EVAL', 'return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #ARGV}', '2', 'k1', 'k2', 'a1', 'a2'],
  ]);
});

test('replies convert to Lua values as in redis (RESP2 and redis.setresp(3))', async (t) => {
  await compareEverywhere(t, servers, 'to-lua', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['SET', a, 'v'], ['HSET', b, 'f1', 'v1', 'f2', 'v2'],
      ['EVAL', "local r = redis.call('incrby', KEYS[1], 5) return {type(r), r}", '1', `${a}n`],
      ['EVAL', "local r = redis.call('get', KEYS[1]) return {type(r), r}", '1', a],
      ['EVAL', "local r = redis.call('get', KEYS[1]) return {type(r), tostring(r)}", '1', `${a}missing`],
      ['EVAL', "local r = redis.call('set', KEYS[1], 'x') return {type(r), r.ok}", '1', a],
      ['EVAL', "local r = redis.pcall('incr', KEYS[1]) return {type(r), r.err}", '1', a],
      ['EVAL', "local r = redis.call('hgetall', KEYS[1]) table.sort(r) return r", '1', b],
      ['EVAL', "redis.setresp(3) local r = redis.call('hgetall', KEYS[1]) return {type(r.map), r.map.f1, r.map.f2}", '1', b],
      ['EVAL', "redis.setresp(3) return redis.call('hset', KEYS[1], 'only', 'one') + #redis.call('hkeys', KEYS[1])", '1', `${b}one`],
      ['EVAL', "redis.setresp(3) return redis.call('hgetall', KEYS[1])", '1', `${b}one`],
      ['EVAL', "redis.setresp(3) local r = redis.call('get', KEYS[1]) return type(r)", '1', `${a}missing`],
      ['EVAL', "redis.setresp(3) return {true, false}", '0'],
      ['EVAL', "redis.setresp(3) local r = redis.call('zadd', KEYS[1], 1.5, 'm') return redis.call('zscore', KEYS[1], 'm')", '1', `${a}z`],
      ['EVAL', "redis.setresp(4)", '0'],
      ['SADD', `${a}set`, 'd', 'l', 'b', 'aa', 'azz', 'c'], ['EVAL', "return redis.call('sort', KEYS[1], 'by', '_')", '1', `${a}set`],
    ];
  });
});

test('script errors, globals protection and command checks match redis', async (t) => {
  await compareEverywhere(t, servers, 'errors', (p) => {
    const { a } = runKeys(p);
    return [
      ['SET', a, 'abc'],
      ['EVAL', "return redis.call('incr', KEYS[1])", '1', a], ['EVAL', "return redis.pcall('incr', KEYS[1])", '1', a],
      ['EVAL', "redis.call('incr', KEYS[1]) return 1", '1', a],
      ['EVAL', 'a = 1', '0'], ['EVAL', 'return undefined_global', '0'], ['EVAL', "error('boom')", '0'], ['EVAL', "error({err='CODE boom'})", '0'],
      ['EVAL', "return redis.call('nosuch')", '0'], ['EVAL', "return redis.call('get')", '0'], ['EVAL', 'return redis.call()', '0'],
      ['EVAL', "return redis.call('set', 'k', {})", '0'], ['EVAL', "return redis.call('blpop', 'l', 0)", '0'], ['EVAL', "return redis.call('multi')", '0'],
      ['EVAL_RO', "return redis.call('set', KEYS[1], 'x')", '1', a], ['EVAL_RO', "return redis.call('get', KEYS[1])", '1', a],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 1)", '1', a], ['EVAL', '#!lua flags=bogus\nreturn 1', '0'], ['EVAL', '#!perl\nreturn 1', '0'],
      ['EVAL', '#!lua\nreturn 7', '0'], ['EVAL_RO', '#!lua\nreturn 1', '0'], ['EVAL_RO', '#!lua flags=no-writes\nreturn 1', '0'],
      ['EVAL', 'return 1', '-1'], ['EVAL', 'return 1', '2', 'a'], ['EVAL', 'return 1', 'x'],
      ['EVAL', 'setmetatable(_G, {})', '0'], ['EVAL', 'local g = getmetatable(_G) g.__index = {}', '0'], ['EVAL', 'redis = function() return 1 end', '0'],
      ['EVAL', '_G = {}', '0'], ['EVAL', 'redis.call = function() return 1 end', '0'], ['EVAL', 'cjson.encode = function() return 1 end', '0'],
      ['EVAL', "print('x')", '0'], ['EVAL', "loadfile('x')", '0'], ['EVAL', "dofile('x')", '0'], ['EVAL', 'return os.time()', '0'],
      ['EVAL', "redis.log(redis.LOG_WARNING, 'from a test') return redis.LOG_NOTICE", '0'], ['EVAL', 'redis.log(7, "x")', '0'],
      ['EVAL', "return redis.sha1hex('')", '0'], ['EVAL', 'return redis.sha1hex()', '0'], ['EVAL', "return redis.REDIS_VERSION_NUM > 0", '0'],
      ['EVAL', 'return {1, 2}', '0', 'extra'],
      ['CLUSTER', 'INFO'], ['CLUSTER', 'KEYSLOT', 'x'], ['CLUSTER', 'NOSUCH'], ['EVAL', "return redis.call('cluster', 'reset', 'hard')", '0'], ['EVAL', "return redis.pcall('cluster', 'info')", '0'],
    ];
  });
});

test('EVALSHA, SCRIPT LOAD/EXISTS/FLUSH/KILL and SELECT inside scripts match redis', async (t) => {
  await compareEverywhere(t, servers, 'cache', (p) => {
    const { a } = runKeys(p);
    return [
      ['SCRIPT', 'FLUSH'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ['EVALSHA', 'short', '0'],
      ['SCRIPT', 'LOAD', "return 'loaded'"], ['EVALSHA', 'b534286061d4b9e4026607613b95c06c06015ae8', '0'], ['EVALSHA', 'B534286061D4B9E4026607613B95C06C06015AE8', '0'],
      ['EVALSHA_RO', 'b534286061d4b9e4026607613b95c06c06015ae8', '0'],
      ['EVAL', "return 'by eval'", '0'], ['SCRIPT', 'EXISTS', 'b534286061d4b9e4026607613b95c06c06015ae8', '0000000000000000000000000000000000000000', 'x'],
      ['SCRIPT', 'FLUSH', 'ASYNC'], ['SCRIPT', 'EXISTS', 'b534286061d4b9e4026607613b95c06c06015ae8'], ['SCRIPT', 'FLUSH', 'LATER'],
      ['SCRIPT', 'KILL'], ['SCRIPT', 'DEBUG', 'NO'], ['SCRIPT', 'DEBUG', 'MAYBE'], ['SCRIPT', 'NOPE'], ['SCRIPT', 'EXISTS'],
      ['SET', a, 'db0'], ['EVAL', "redis.call('select', 9) redis.call('set', KEYS[1], 'db9') return redis.call('get', KEYS[1])", '1', a],
      ['GET', a], ['SELECT', '9'], ['GET', a], ['DEL', a], ['SELECT', '0'], ['EVAL', "return redis.call('select', 'x')", '0'],
    ];
  });
});

test('scripts touch keys of every shard, declared or not, atomically', async () => {
  for (const [threads, server] of oursByThreads(servers)) {
    const { a, b, c, d } = runKeys(`atomic:${threads}:`);
    const [writer, reader] = await Promise.all([RawClient.connect(server.port), RawClient.connect(server.port)]);
    await writer.command('MSET', a, '0', b, '0');
    // The script declares no key and moves a unit between keys of both shards; MGET must always see a sum of 0.
    const move = `redis.call('incr', '${a}') redis.call('decr', '${b}') redis.call('set', '${c}', 'x') return redis.call('mget', '${a}', '${b}', '${c}', '${d}')`;
    const writes = Array.from({ length: 200 }, () => writer.command('EVAL', move, '0'));
    for (let i = 0; i < 100; i++) {
      const values = (await reader.command('MGET', a, b)).toString().match(/^(-?\d+)$/gm)!.map(Number);
      assert.equal(values[0] + values[1], 0, `threads ${threads}: MGET saw a half-done script`);
    }
    const last = (await Promise.all(writes)).at(-1)!.toString();
    assert.equal(last, `*4\r\n$3\r\n200\r\n$4\r\n-200\r\n$1\r\nx\r\n$-1\r\n`);
    await Promise.all([writer.close(), reader.close()]);
  }
});

test('values cross scripts byte for byte, and integers keep 64 bits', async () => {
  for (const [threads, server] of oursByThreads(servers)) {
    const client = await RawClient.connect(server.port);
    const bytes = Buffer.from([0, 0xff, 0x80, 0x0d, 0x0a, 0x41]);
    const echoed = await client.command('EVAL', "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", '1', `bin:${threads}`, bytes);
    assert.deepEqual(echoed, Buffer.concat([Buffer.from('$6\r\n'), bytes, Buffer.from('\r\n')]));
    assert.equal((await client.command('EVAL', 'return 3 * 0x100000000 + 5', '0')).toString(), ':12884901893\r\n');
    await client.close();
  }
});

/** PINGs until the reply matches (a script starting, or stopping, takes a moment); fails after 10 s. */
async function pingUntil(client: RawClient, expected: RegExp): Promise<void> {
  let last = '';
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    last = (await client.command('PING')).toString();
    if (expected.test(last)) return;
  }
  assert.fail(`PING kept replying ${JSON.stringify(last)}`);
}

const BUSY = /^-BUSY Redis is busy running a script/;

test('a script past busy-reply-threshold gets BUSY replies around it and SCRIPT KILL stops it', async () => {
  for (const [threads, server] of oursByThreads(servers)) {
    const clients = await Promise.all(Array.from({ length: 4 }, () => RawClient.connect(server.port)));
    const [runner, ...others] = clients;
    await others[0].command('CONFIG', 'SET', 'busy-reply-threshold', '50');
    const killed = runner.command('EVAL', 'local f = function() while true do end end while true do pcall(f) end', '0');
    // Every other client, on whichever thread, gets BUSY once the threshold passed.
    for (const other of others) await pingUntil(other, BUSY);
    assert.equal((await others[1].command('SCRIPT', 'KILL')).toString(), '+OK\r\n');
    // As Redis: the error carries the line the script was on.
    assert.match((await killed).toString(), /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: \w{40}, on @user_script:1\.\r\n$/);
    await pingUntil(others[2], /^\+PONG\r\n$/);
    // A script that wrote can't be killed; it ends by itself here.
    const wrote = runner.command('EVAL', "redis.call('set', KEYS[1], 'y') local t = redis.call('time') while true do local n = redis.call('time') if (n[1] - t[1]) * 1000000 + n[2] - t[2] > 1000000 then break end end return 'done'", '1', `busy:${threads}`);
    await pingUntil(others[0], BUSY);
    assert.match((await others[0].command('SCRIPT', 'KILL')).toString(), /^-UNKILLABLE Sorry the script already executed write commands/);
    assert.equal((await wrote).toString(), '$4\r\ndone\r\n');
    assert.equal((await others[0].command('SCRIPT', 'KILL')).toString(), '-NOTBUSY No scripts in execution right now.\r\n');
    await others[0].command('CONFIG', 'SET', 'busy-reply-threshold', '5000');
    await Promise.all(clients.map((c) => c.close()));
  }
});

test('a script inside MULTI runs as part of the transaction', async (t) => {
  await compareEverywhere(t, servers, 'multi', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['MULTI'], ['EVAL', "return redis.call('incr', KEYS[1])", '1', a], ['EVAL', "redis.call('set', KEYS[1], 'x') return redis.call('incr', KEYS[1])", '1', b],
      ['EVAL', 'return 1', 'x'], ['EXEC'], ['MGET', a, b],
    ];
  });
});

test('a script loaded or flushed through one connection is known, or gone, on every other at once (every thread)', async () => {
  for (const [threads, server] of oursByThreads(servers)) {
    const clients = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect(server.port)));
    const shas: string[] = [];
    for (let i = 0; i < 12; i++) {
      const sha = (await clients[i % clients.length].command('SCRIPT', 'LOAD', `return ${i * 7}`)).toString().split('\r\n')[1];
      shas.push(sha);
      const replies = await Promise.all(clients.map((c) => c.command('EVALSHA', sha, '0')));
      for (const reply of replies) assert.equal(reply.toString(), `:${i * 7}\r\n`, `threads ${threads}: script ${i}`);
    }
    assert.equal((await clients[1].command('SCRIPT', 'FLUSH')).toString(), '+OK\r\n');
    for (const reply of await Promise.all(clients.map((c) => c.command('EVALSHA', shas[0], '0')))) {
      assert.equal(reply.toString(), '-NOSCRIPT No matching script. Please use EVAL.\r\n', `threads ${threads}`);
    }
    const none = `*12\r\n${':0\r\n'.repeat(12)}`;
    for (const reply of await Promise.all(clients.map((c) => c.command('SCRIPT', 'EXISTS', ...shas)))) assert.equal(reply.toString(), none);
    await Promise.all(clients.map((c) => c.close()));
  }
});
