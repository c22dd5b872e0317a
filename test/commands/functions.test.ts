// FUNCTION and FCALL / FCALL_RO: byte-exact differential scripts against redis-server (RESP2 and
// RESP3, 1 and 2 shard threads), FUNCTION DUMP payloads crossing between redis-server and us both
// ways, libraries reaching every thread, and FUNCTION KILL / STATS around a busy function.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/resp';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, oursByThreads, suiteServers } from '../helpers/suite';
import type { RunningServer } from '../helpers/server';

const servers = suiteServers();

/** Library code: the metadata line, then the body. */
function library(name: string, body: string): string {
  return `#!lua name=${name}\n${body}`;
}

/** A library of one function `fn` with a `(keys, args)` body. */
function oneFunction(name: string, fn: string, body: string, flags = ''): string {
  return library(name, `redis.register_function{function_name='${fn}', callback=function(keys, args)\n${body}\nend${flags === '' ? '' : `, flags={${flags}}`}}`);
}

/** The payload of a bulk string reply. */
function bulkPayload(reply: Buffer): Buffer {
  assert.equal(reply[0], 0x24, `not a bulk reply: ${reply.toString('latin1')}`);
  return reply.subarray(reply.indexOf('\r\n') + 2, reply.length - 2);
}

test('FUNCTION LOAD, FCALL and FCALL_RO and their errors match redis', async (t) => {
  await compareEverywhere(t, servers, 'fcall', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', oneFunction('test', 'test', "return 'hello'")], ['FCALL', 'test', '0'], ['FCALL', 'TEST', '0'],
      ['FUNCTION', 'LOAD', oneFunction('test', 'test', "return 'again'")], ['FUNCTION', 'LOAD', 'foo', 'bar', oneFunction('test', 'test', 'return 1')],
      ['FUNCTION', 'LOAD', 'REPLACE', oneFunction('test', 'test', "return 'hello1'")], ['FCALL', 'test', '0'],
      ['FUNCTION', 'LOAD', 'REPLACE', library('test', 'return 1')], ['FCALL', 'test', '0'],
      ['FCALL', 'nosuch', '0'], ['FCALL', 'test', 'bad_arg'], ['FCALL', 'test', '10', 'key1'], ['FCALL', 'test', '-1', 'key1'],
      ['FCALL', 'test', '99999999999999999999'], ['FCALL', 'test', '9007199254740993'], ['FCALL', 'test', '-9007199254740993'], ['FCALL', 'test'],
      // Keys and args arrive as tables; keys on both shards of a 2-thread server.
      ['FUNCTION', 'LOAD', oneFunction('kv', 'kv', "redis.call('set', keys[1], args[1]) redis.call('set', keys[2], args[2]) return {redis.call('get', keys[1]), redis.call('get', keys[2]), #keys, #args}")],
      ['FCALL', 'kv', '2', a, b, 'va', 'vb'], ['MGET', a, b],
      ['FUNCTION', 'LOAD', oneFunction('undeclared', 'undeclared', `return redis.call('incr', '${b}')`)], ['SET', b, '41'], ['FCALL', 'undeclared', '0'],
      // FCALL_RO and the no-writes flag.
      ['FUNCTION', 'LOAD', oneFunction('rw', 'rw', "return redis.call('set', keys[1], 'x')")], ['FCALL_RO', 'rw', '1', a], ['FCALL', 'rw', '1', a],
      ['FUNCTION', 'LOAD', oneFunction('ro', 'ro_set', "return redis.call('set', keys[1], 'y')", "'no-writes'")], ['FCALL', 'ro_set', '1', a], ['FCALL_RO', 'ro_set', '1', a],
      ['FUNCTION', 'LOAD', oneFunction('ro2', 'ro_get', "return redis.call('get', keys[1])", "'no-writes'")], ['FCALL_RO', 'ro_get', '1', a],
      // Runtime errors, with the function's name and line.
      ['FUNCTION', 'LOAD', library('errors', [
        "redis.register_function('e_raise', function() error('xx') end)",
        "redis.register_function('e_table', function() error({err='MYCODE custom'}) end)",
        "redis.register_function('e_call', function() return redis.call('nosuch') end)",
        "redis.register_function('e_pcall', function() return redis.pcall('incr', KEYS) end)",
        "redis.register_function('e_keys', function() return KEYS end)",
        "redis.register_function('e_global', function() x = 1 end)",
        "redis.register_function('e_reply', function() return redis.error_reply('E2 text') end)",
        "redis.register_function('resp3', function(keys) redis.setresp(3) return redis.call('hgetall', keys[1]) end)",
      ].join('\n'))],
      ['FCALL', 'e_raise', '0'], ['FCALL', 'e_table', '0'], ['FCALL', 'e_call', '0'], ['FCALL', 'e_pcall', '0'], ['FCALL', 'e_keys', '0'],
      ['FCALL', 'e_global', '0'], ['FCALL', 'e_reply', '0'], ['HSET', `${a}h`, 'f', 'v'], ['FCALL', 'resp3', '1', `${a}h`],
      ['MULTI'], ['FCALL', 'kv', '2', a, b, '1', '2'], ['FCALL', 'nosuch', '0'], ['EXEC'],
      ['COMMAND', 'GETKEYS', 'FCALL', 'test', '1', 'x', 'foo'], ['COMMAND', 'GETKEYS', 'FCALL_RO', 'test', '2', 'x', 'y', 'foo'],
    ];
  });
});

test('library metadata, redis.register_function and the load sandbox match redis', async (t) => {
  const failing = (body: string) => ['FUNCTION', 'LOAD', 'REPLACE', library('lib', body)];
  await compareEverywhere(t, servers, 'register', () => [
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', '#!lua'], ['FUNCTION', 'LOAD', 'lua'], ['FUNCTION', 'LOAD', '#!lua name='], ['FUNCTION', 'LOAD', '#!lua name=\nx'],
    ['FUNCTION', 'LOAD', "#!lua\nredis.register_function('f', function() end)"], ['FUNCTION', 'LOAD', "#! name=t\nredis.register_function('f', function() end)"],
    ['FUNCTION', 'LOAD', "#!bad_engine name=t\nx"], ['FUNCTION', 'LOAD', "#!lua name=t foo=bar\nx"], ['FUNCTION', 'LOAD', "#!lua name=a name=b\nx"],
    ['FUNCTION', 'LOAD', "#!lua name=bad\\0format\nx"], ['FUNCTION', 'LOAD', '#!lua name="x y"\nx'], ['FUNCTION', 'LOAD', '#!lua name="xy\nx'],
    ['FUNCTION', 'LOAD', Buffer.from("#!lua name=t\0\nx", 'latin1')],
    ['FUNCTION', 'LOAD', "#!LuA  name=\"quoted\"  \r\nredis.register_function('quoted', function() return 'q' end)"], ['FCALL', 'quoted', '0'],
    failing('return 1'), failing('local a = 1\nwhile 1 do a = a + 1 end'), failing('a = 1'), failing('rawset(_ENV, "a", 1)'),
    failing('return math.random()'), failing("return redis.call('ping')"), failing('return redis.setresp(3)'), failing('return redis.sha1hex("x")'),
    failing('redis.math.random()'), failing("redis.redis.call('ping')"), failing('mt = getmetatable(_G)'), failing('redis.x = 1'),
    failing('redis.register_function()'), failing("redis.register_function('f1')"), failing("redis.register_function('f1', function() end, {}, 'd', 'extra')"),
    failing('redis.register_function(nil, function() end)'), failing("redis.register_function('a\\0b', function() end)"), failing("redis.register_function('', function() end)"),
    failing("redis.register_function('f1', 'not a function')"), failing("redis.register_function('f1', function() end) redis.register_function('f1', function() end)"),
    failing("redis.register_function{function_name=function() end, callback=function() end}"), failing("redis.register_function{function_name='f1', callback='bad'}"),
    failing("redis.register_function{function_name='f1', callback=function() end, description=function() end}"),
    failing("redis.register_function{function_name='f1', callback=function() end, unknown='x'}"), failing("redis.register_function{[1]='f1'}"),
    failing("redis.register_function{callback=function() end}"), failing("redis.register_function{function_name='f1'}"),
    failing("redis.register_function{function_name='f1', callback=function() end, flags='bad'}"),
    failing("redis.register_function{function_name='f1', callback=function() end, flags={function() end}}"),
    failing("redis.register_function{function_name='f1', callback=function() end, flags={'unknown'}}"),
    ['FUNCTION', 'LIST'],
    // What load time offers: redis.log, the LOG_ levels and the version fields.
    ['FUNCTION', 'LOAD', library('version', "local v = {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.LOG_WARNING, redis.log(redis.LOG_NOTICE, 'loading')}\nredis.register_function('v', function() return v end)")],
    ['FCALL', 'v', '0'],
    // Numbers as names and descriptions, flags in any case, a named function next to a positional one.
    ['FUNCTION', 'LOAD', library('named', "redis.register_function{function_name=5, callback=function() return 5 end, description=7, flags={'No-Writes', 'ALLOW-OOM', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}")],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'named'], ['FCALL_RO', '5', '0'],
    // The library table outlives its load: it stays read-only, and register_function refuses.
    ['FUNCTION', 'LOAD', library('tricks', [
      'local lib = redis',
      "lib.register_function('t_modify', function() lib.redis = redis end)",
      "lib.register_function('t_register', function() lib.register_function('t2', function() end) end)",
      "lib.register_function('t_globals', function() mt = getmetatable(_G) end)",
      "lib.register_function('t_shared', function() return {type(math.random), type(cjson), type(redis.call)} end)",
    ].join('\n'))],
    ['FCALL', 't_modify', '0'], ['FCALL', 't_register', '0'], ['FCALL', 't_globals', '0'], ['FCALL', 't_shared', '0'],
    // Library names are case-sensitive, function names are not.
    ['FUNCTION', 'LOAD', oneFunction('Named', 'other', 'return 1')], ['FUNCTION', 'LOAD', oneFunction('third', 'V', 'return 1')],
    ['FUNCTION', 'STATS'],
  ]);
});

test('FUNCTION LIST, DELETE, FLUSH, STATS, HELP and argument errors match redis', async (t) => {
  await compareEverywhere(t, servers, 'manage', () => [
    ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'], ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'LOAD', library('library1', "redis.register_function('f6', function(keys, args) return 7 end)")],
    ['FUNCTION', 'LOAD', oneFunction('lib1', 'f7', 'return 7')],
    ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'library*'], ['FUNCTION', 'LIST', 'libraryname', 'LIB1'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch*'],
    ['FUNCTION', 'LIST', 'bad_argument'], ['FUNCTION', 'LIST', 'libraryname'], ['FUNCTION', 'LIST', 'withcode', 'withcode'],
    ['FUNCTION', 'LIST', 'withcode', 'libraryname', 'foo', 'libraryname', 'foo'],
    ['FUNCTION', 'STATS'], ['FUNCTION', 'DELETE', 'lib1'], ['FUNCTION', 'DELETE', 'lib1'], ['FUNCTION', 'DELETE', 'LIBRARY1'], ['FUNCTION', 'LIST'],
    ['FCALL', 'f7', '0'], ['FUNCTION', 'STATS'],
    ['FUNCTION', 'FLUSH', 'bad_arg'], ['FUNCTION', 'FLUSH', 'sync', 'extra_arg'], ['FUNCTION', 'FLUSH', 'ASYNC'], ['FUNCTION', 'LIST'],
    ['FUNCTION', 'LOAD', oneFunction('again', 'f6', 'return 6')], ['FUNCTION', 'FLUSH', 'sync'], ['FUNCTION', 'STATS'],
    ['FUNCTION', 'KILL'], ['FUNCTION', 'HELP'], ['FUNCTION', 'bad_subcommand'], ['FUNCTION'], ['FUNCTION', 'LOAD'], ['FUNCTION', 'DUMP', 'x'],
    ['FUNCTION', 'DELETE'], ['FUNCTION', 'RESTORE', 'a', 'b', 'c'], ['FUNCTION', 'RESTORE', 'bad_payload'], ['FUNCTION', 'RESTORE', 'bad_payload', 'nope'],
    ['FLUSHALL'], ['FUNCTION', 'STATS'],
  ]);
});

test('FUNCTION DUMP payloads restore between redis-server and ours both ways, under each policy', async (t) => {
  const redis = servers.redis;
  if (redis === null) return t.skip('redis-server not installed');
  const lib1 = library('lib1', "local function add1(a) return a + 1 end\nredis.register_function('f1', function() return add1(1) end)\nredis.register_function{function_name='f2', callback=function() return add1(2) end, flags={'no-writes'}, description='two'}");
  const collides = oneFunction('other', 'F1', 'return 0');
  const all = [redis, servers.ours1, servers.ours2];
  const clients = await Promise.all(all.map((s) => RawClient.connect(s.port, s.host)));
  const dumps: Buffer[] = [];
  for (const client of clients) {
    await client.command('FUNCTION', 'FLUSH');
    await client.command('FUNCTION', 'LOAD', lib1);
    dumps.push(bulkPayload(await client.command('FUNCTION', 'DUMP')));
  }
  const names = ['redis', 'ours (1 thread)', 'ours (2 threads)'];
  for (const [from, payload] of dumps.entries()) {
    const corrupt = Buffer.from(payload);
    corrupt[corrupt.length - 1] ^= 1;
    // One library per payload: Redis joins libraries in its hash order, which names the first collision.
    const steps: Array<Array<string | Buffer>> = [
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'RESTORE', payload], ['FCALL', 'f1', '0'], ['FCALL_RO', 'f2', '0'], ['FUNCTION', 'STATS'],
      ['FUNCTION', 'RESTORE', payload], ['FUNCTION', 'RESTORE', payload, 'APPEND'], ['FUNCTION', 'RESTORE', payload, 'replace'],
      ['FUNCTION', 'RESTORE', payload, 'FLUSH'], ['FUNCTION', 'RESTORE', payload, 'bogus'], ['FUNCTION', 'RESTORE', corrupt],
      ['FUNCTION', 'RESTORE', payload.subarray(0, 9)], ['FUNCTION', 'STATS'],
      ['FUNCTION', 'DELETE', 'lib1'], ['FUNCTION', 'LOAD', collides], ['FUNCTION', 'RESTORE', payload, 'REPLACE'], ['FCALL', 'f1', '0'], ['FUNCTION', 'STATS'],
    ];
    const replies: Buffer[][] = [];
    for (const client of clients) {
      const own: Buffer[] = [];
      for (const step of steps) own.push(await client.command(...step));
      replies.push(own);
      // The code came through byte for byte (LIST's order of the two functions is Redis's hash order).
      await client.command('FUNCTION', 'RESTORE', payload, 'FLUSH');
      assert.ok((await client.command('FUNCTION', 'LIST', 'WITHCODE')).includes(Buffer.from(`$${lib1.length}\r\n${lib1}\r\n`)));
    }
    for (let to = 1; to < clients.length; to++) {
      for (const [i, step] of steps.entries()) {
        assert.equal(replies[to][i].toString('latin1'), replies[0][i].toString('latin1'), `payload of ${names[from]} on ${names[to]}: ${step.slice(0, 3).join(' ')}`);
      }
    }
  }
  await Promise.all(clients.map((c) => c.close()));
});

test('a library loaded, replaced or deleted through one connection is the same through every other (every thread)', async () => {
  for (const [threads, server] of oursByThreads(servers)) {
    const clients = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect(server.port)));
    const everywhere = async (...args: string[]) => Promise.all(clients.map((c) => c.command(...args)));
    await clients[0].command('FUNCTION', 'FLUSH');
    for (let i = 0; i < 12; i++) {
      const loader = clients[i % clients.length];
      assert.equal((await loader.command('FUNCTION', 'LOAD', 'REPLACE', oneFunction('shared', `v${i}`, `return ${i}`))).toString(), '$6\r\nshared\r\n');
      for (const reply of await everywhere('FCALL', `v${i}`, '0')) assert.equal(reply.toString(), `:${i}\r\n`, `threads ${threads}: version ${i}`);
      // The replaced version is gone everywhere.
      if (i > 0) for (const reply of await everywhere('FCALL', `v${i - 1}`, '0')) assert.equal(reply.toString(), '-ERR Function not found\r\n');
    }
    const payload = bulkPayload(await clients[1].command('FUNCTION', 'DUMP'));
    assert.equal((await clients[2].command('FUNCTION', 'DELETE', 'shared')).toString(), '+OK\r\n');
    for (const reply of await everywhere('FUNCTION', 'LIST')) assert.equal(reply.toString(), '*0\r\n');
    assert.equal((await clients[3].command('FUNCTION', 'RESTORE', payload)).toString(), '+OK\r\n');
    for (const reply of await everywhere('FCALL', 'v11', '0')) assert.equal(reply.toString(), ':11\r\n');
    assert.equal((await clients[4].command('FUNCTION', 'FLUSH')).toString(), '+OK\r\n');
    for (const reply of await everywhere('FUNCTION', 'STATS')) assert.match(reply.toString(), /libraries_count\r\n:0\r\n/);
    await Promise.all(clients.map((c) => c.close()));
  }
});

/** Waits until `client` gets BUSY for PING. */
async function untilBusy(client: RawClient): Promise<string> {
  for (;;) {
    const reply = (await client.command('PING')).toString();
    if (reply.startsWith('-BUSY')) return reply;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('FUNCTION KILL stops a busy function, SCRIPT KILL does not (and the other way round for EVAL); FUNCTION STATS shows it', async () => {
  // On one thread: with several, a busy function's kind and name stay on its own thread.
  const server: RunningServer = servers.ours1;
  const [runner, other] = await Promise.all([RawClient.connect(server.port), RawClient.connect(server.port)]);
  await other.command('CONFIG', 'SET', 'busy-reply-threshold', '50');
  await other.command('FUNCTION', 'LOAD', 'REPLACE', oneFunction('spin', 'spin', 'local a = 1 while true do a = a + 1 end'));
  const spinning = runner.command('FCALL', 'spin', '0');
  const functionBusy = '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n';
  assert.equal(await untilBusy(other), functionBusy);
  assert.equal((await other.command('SCRIPT', 'KILL')).toString(), functionBusy);
  assert.equal((await other.command('FUNCTION', 'LIST')).toString(), functionBusy);
  const stats = (await other.command('FUNCTION', 'STATS')).toString();
  assert.match(stats, /^\*4\r\n\$14\r\nrunning_script\r\n\*6\r\n\$4\r\nname\r\n\$4\r\nspin\r\n\$7\r\ncommand\r\n\*3\r\n\$5\r\nFCALL\r\n\$4\r\nspin\r\n\$1\r\n0\r\n\$11\r\nduration_ms\r\n:\d+\r\n\$7\r\nengines\r\n/);
  assert.equal((await other.command('FUNCTION', 'KILL')).toString(), '+OK\r\n');
  assert.match((await spinning).toString(), /^-ERR Script killed by user with SCRIPT KILL\.\.\./);
  assert.equal((await other.command('PING')).toString(), '+PONG\r\n');

  const evaluating = runner.command('EVAL', 'local a = 1 while true do a = a + 1 end', '0');
  const scriptBusy = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n';
  assert.equal(await untilBusy(other), scriptBusy);
  assert.equal((await other.command('FUNCTION', 'KILL')).toString(), scriptBusy);
  assert.equal((await other.command('FUNCTION', 'STATS')).toString(), scriptBusy);
  assert.equal((await other.command('SCRIPT', 'KILL')).toString(), '+OK\r\n');
  assert.match((await evaluating).toString(), /^-ERR Script killed by user with SCRIPT KILL\.\.\./);
  assert.equal((await other.command('FUNCTION', 'KILL')).toString(), '-NOTBUSY No scripts in execution right now.\r\n');
  await other.command('CONFIG', 'SET', 'busy-reply-threshold', '5000');
  await Promise.all([runner.close(), other.close()]);
});
