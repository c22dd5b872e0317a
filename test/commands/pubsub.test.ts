// Pub/Sub and keyspace notifications: raw byte-exact sessions against
// redis-server (RESP2 subscribed mode and RESP3 pushes), subscribers and
// publishers spread over both threads of a 2-thread server (delivery, counts,
// order of 1000 messages, binary payloads), and keyspace event streams
// compared with redis-server's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { RunningServer } from '../helpers/server';
import { suiteServers, untilBlockedClients } from '../helpers/suite';
import { RawClient, encodeCommand, escapeBytes } from '../helpers/resp';
import { keysOnAlternateShards } from '../helpers/shards';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
/* eslint-enable @typescript-eslint/no-var-requires */

type Script = Array<Array<string | Buffer>>;

const servers = suiteServers();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a script over one connection, command by command (each after a short pause, so
 * messages published meanwhile interleave as they would on servers.redis), and returns every byte
 * received. HELLO's client id is blanked.
 */
async function session(server: RunningServer, script: Script): Promise<Buffer> {
  const socket = net.connect({ port: server.port, host: server.host });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  await new Promise((resolve) => socket.once('connect', resolve));
  for (const args of script) {
    socket.write(encodeCommand(args));
    await sleep(15);
  }
  await sleep(60);
  socket.destroy();
  return Buffer.from(Buffer.concat(chunks).toString('latin1').replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:0\r\n'), 'latin1');
}

async function compareSessions(t: { skip(msg?: string): void }, script: Script): Promise<void> {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const expected = await session(servers.redis, script);
  for (const ours of [servers.ours1, servers.ours2]) {
    const got = await session(ours, script);
    assert.equal(escapeBytes(got, 100_000), escapeBytes(expected, 100_000), `threads ${ours === servers.ours1 ? 1 : 2}`);
  }
}

const BINARY = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2a, 0x80, 0x7f]);

const SUBSCRIBED_MODE: Script = [
  ['SUBSCRIBE', 'a', 'b', 'a'], ['PING'], ['PING', 'hi'], ['GET', 'k'], ['CLIENT', 'ID'], ['CONFIG', 'GET', 'x'],
  ['PUBSUB', 'NUMSUB', 'a'], ['MULTI'], ['NOSUCH'], ['GET'], ['PUBLISH', 'a', 'x'],
  ['PSUBSCRIBE', 'p*', 'q?'], ['SSUBSCRIBE', 's1', 's2'], ['SUBSCRIBE', BINARY],
  ['UNSUBSCRIBE', 'a'], ['UNSUBSCRIBE', 'zz'], ['PUNSUBSCRIBE'], ['SUNSUBSCRIBE', 's2', 'nope'], ['SUNSUBSCRIBE'],
  ['UNSUBSCRIBE', 'b'], ['PING'], ['UNSUBSCRIBE', BINARY], ['PING'], ['GET', 'k'],
  ['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['SUNSUBSCRIBE'],
  ['SUBSCRIBE', 'c'], ['RESET'], ['PING'], ['PUBSUB', 'NUMSUB', 'c'],
  ['MULTI'], ['SUBSCRIBE', 'm'], ['SSUBSCRIBE', 'n'], ['PSUBSCRIBE', 'o*'], ['EXEC'], ['GET', 'k'], ['PING'], ['QUIT'],
];

test('RESP2 subscribed mode: confirmations, allowed commands and errors match redis', async (t) => {
  await compareSessions(t, SUBSCRIBED_MODE);
});

test('RESP3: pushes for confirmations and messages to oneself, other commands allowed', async (t) => {
  await compareSessions(t, [
    ['HELLO', '3'], ['SUBSCRIBE', 'x', 'y'], ['PSUBSCRIBE', 'p*'], ['SSUBSCRIBE', 'z'], ['GET', 'k'],
    ['PUBLISH', 'x', 'm1'], ['PUBLISH', 'p1', BINARY], ['SPUBLISH', 'z', 'm3'], ['PUBLISH', 'z', 'none'],
    ['PUBSUB', 'NUMSUB', 'x', 'y', 'z', 'w'], ['PUBSUB', 'SHARDNUMSUB', 'z', 'x'], ['PUBSUB', 'NUMPAT'],
    ['PUBSUB', 'CHANNELS', 'x'], ['PUBSUB', 'SHARDCHANNELS'], ['PUBSUB', 'CHANNELS', 'nomatch*'],
    ['UNSUBSCRIBE', 'x'], ['SUNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['UNSUBSCRIBE'], ['UNSUBSCRIBE'], ['PING'],
  ]);
});

test('PUBSUB errors and help match redis', async (t) => {
  await compareSessions(t, [
    ['PUBSUB', 'HELP'], ['PUBSUB', 'CHANNELS', 'a', 'b'], ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'], ['PUBSUB', 'NUMPAT', 'x'],
    ['PUBSUB', 'FOO'], ['PUBSUB'], ['PUBSUB', 'NUMSUB'], ['PUBLISH', 'a'], ['SUBSCRIBE'], ['PUBSUB', 'NUMPAT'],
    ['COMMAND', 'INFO', 'subscribe', 'ssubscribe', 'sunsubscribe', 'spublish', 'publish', 'pubsub|numsub', 'pubsub|help'],
  ]);
});

/** ioredis connections: enough of them that both threads of servers.ours2 get some. */
async function connectMany(port: number, n: number): Promise<any[]> {
  const clients = Array.from({ length: n }, () => new IORedis5({ port, lazyConnect: true }));
  await Promise.all(clients.map((c) => c.connect()));
  return clients;
}

test('subscribers on both threads get messages from a publisher on either thread, in publish order', async () => {
  const subscribers = await connectMany(servers.ours2.port, 6);
  const publishers = await connectMany(servers.ours2.port, 2);
  const raw = await RawClient.connect(servers.ours2.port);
  try {
    await raw.command('SUBSCRIBE', 'news');
    const received = subscribers.map(() => [] as string[]);
    const patterned = subscribers.map(() => [] as string[]);
    subscribers.forEach((s, i) => {
      s.on('message', (_ch: string, m: string) => received[i].push(m));
      s.on('pmessage', (_p: string, _ch: string, m: string) => patterned[i].push(m));
    });
    await Promise.all(subscribers.map((s) => s.subscribe('news')));
    await Promise.all(subscribers.map((s) => s.psubscribe('ne*')));

    const [pub, other] = publishers;
    assert.deepEqual(await pub.pubsub('NUMSUB', 'news', 'none'), ['news', 7, 'none', 0]);
    assert.equal(await other.pubsub('NUMPAT'), 1, 'one distinct pattern over all threads');
    assert.deepEqual(await other.pubsub('CHANNELS'), ['news']);
    assert.equal(await pub.publish('news', 'first'), 13);

    const pipeline = pub.pipeline();
    for (let i = 0; i < 1000; i++) pipeline.publish('news', String(i));
    const counts = await pipeline.exec();
    assert.ok(counts.every(([err, n]: [Error | null, number]) => err === null && n === 13));
    await other.publish('news', 'last');
    const expected = ['first', ...Array.from({ length: 1000 }, (_, i) => String(i)), 'last'];
    for (let wait = 0; wait < 100 && received.some((r) => r.length < expected.length); wait++) await sleep(20);
    for (let i = 0; i < subscribers.length; i++) {
      assert.deepEqual(received[i], expected, `subscriber ${i} (channel)`);
      assert.deepEqual(patterned[i], expected, `subscriber ${i} (pattern)`);
    }

    // Disconnecting and RESET drop subscriptions on their own thread.
    subscribers[0].disconnect();
    raw.send(encodeCommand(['RESET']));
    for (let wait = 0; wait < 50; wait++) {
      if ((await pub.pubsub('NUMSUB', 'news'))[1] === 5) break;
      await sleep(20);
    }
    assert.deepEqual(await pub.pubsub('NUMSUB', 'news'), ['news', 5]);
    assert.equal(await pub.publish('news', 'after'), 10);
  } finally {
    for (const c of [...subscribers, ...publishers]) c.disconnect();
    await raw.close();
  }
});

test('binary channel names and payloads arrive intact across threads', async () => {
  const [sub1, sub2, sub3, pub] = await connectMany(servers.ours2.port, 4);
  try {
    const channel = Buffer.from([0x63, 0x00, 0xff, 0x0d, 0x0a]);
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const got: Buffer[][] = [[], [], []];
    [sub1, sub2, sub3].forEach((s, i) => s.on('messageBuffer', (ch: Buffer, m: Buffer) => got[i].push(Buffer.concat([ch, Buffer.from('|'), m]))));
    await Promise.all([sub1, sub2, sub3].map((s) => s.subscribe(channel)));
    assert.equal(await pub.publish(channel, payload), 3);
    assert.equal(await pub.spublish(channel, payload), 0);
    for (let wait = 0; wait < 50 && got.some((g) => g.length === 0); wait++) await sleep(20);
    const expected = Buffer.concat([channel, Buffer.from('|'), payload]);
    for (const g of got) assert.deepEqual(g, [expected]);
    assert.deepEqual(await pub.pubsub('CHANNELS'), [channel.toString()]);
  } finally {
    for (const c of [sub1, sub2, sub3, pub]) c.disconnect();
  }
});

/**
 * The keyspace events a script produces, as seen by a PSUBSCRIBE * subscriber. Each of
 * `blockers` is sent first on a connection of its own (BLPOP...), to be served by the script.
 */
async function keyspaceEvents(server: RunningServer, classes: string, script: Script, blockers: Script = []): Promise<string[]> {
  const [sub, client, ...blocked] = await connectMany(server.port, 2 + blockers.length);
  try {
    await client.config('SET', 'notify-keyspace-events', classes);
    const events: string[] = [];
    sub.on('pmessageBuffer', (_p: Buffer, ch: Buffer, m: Buffer) => events.push(`${escapeBytes(ch)} ${escapeBytes(m)}`));
    await sub.psubscribe('*');
    await client.select(9);
    await client.flushall();
    await Promise.all(blocked.map((b) => b.select(9)));
    // One at a time, each blocked before the next is sent: the order they block in is the order they are served in.
    const served: Array<Promise<unknown>> = [];
    for (const [i, args] of blockers.entries()) {
      served.push(blocked[i].call(String(args[0]), ...args.slice(1)).catch(() => undefined));
      await untilBlockedClients(() => client.info('clients'), i + 1);
    }
    for (const args of script) await client.call(String(args[0]), ...args.slice(1)).catch(() => undefined);
    await Promise.all(served);
    await sleep(300);
    await client.config('SET', 'notify-keyspace-events', '');
    return events;
  } finally {
    for (const c of [sub, client, ...blocked]) c.disconnect();
  }
}

const KEYSPACE_SCRIPT: Script = [
  ['SET', 'foo', 'bar'], ['SET', 'foo', 'baz', 'EX', '100'], ['SET', 'nx', 'v', 'NX'], ['SET', 'nx', 'v', 'NX'],
  ['APPEND', 'foo', 'x'], ['SETRANGE', 'foo', '1', 'yy'], ['INCR', 'n'], ['INCRBYFLOAT', 'n', '1.5'], ['GETSET', 'foo', 'g'],
  ['MSET', '{t}a', '1', '{t}b', '2'], ['GETEX', '{t}a', 'EX', '50'], ['GETEX', '{t}a', 'PERSIST'], ['GETDEL', '{t}b'],
  ['DEL', 'foo'], ['DEL', 'n', 'n', 'missing'], ['EXPIRE', '{t}a', '100'], ['PERSIST', '{t}a'], ['RENAME', '{t}a', '{t}c'],
  ['COPY', '{t}c', '{t}d'], ['MOVE', '{t}d', '3'], ['PEXPIRE', '{t}c', '0'],
  ['HSET', 'h', 'a', '1', 'b', '2'], ['HSETNX', 'h', 'a', '1'], ['HINCRBY', 'h', 'a', '5'], ['HINCRBYFLOAT', 'h', 'b', '1.5'], ['HDEL', 'h', 'a', 'b', 'z'],
  ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'x'], ['SREM', 's', 'a'], ['SPOP', 's'],
  ['SADD', '{u}1', 'a', 'b'], ['SADD', '{u}2', 'b'], ['SMOVE', '{u}1', '{u}2', 'a'], ['SINTERSTORE', '{u}3', '{u}1', '{u}2'],
  ['SDIFFSTORE', '{u}3', '{u}2', '{u}2'], ['SPOP', '{u}2', '5'],
  ['SETBIT', 'b', '7', '1'], ['SETBIT', 'b', '7', '1'], ['BITOP', 'NOT', 'b2', 'b'], ['BITFIELD', 'b', 'SET', 'u8', '0', '9'],
  ['PFADD', 'hll', 'a'], ['PFADD', 'hll', 'a'], ['PSETEX', 'gone', '30', 'v'], ['SET', 'later', 'v'],
];

test('keyspace notifications match redis-server event streams (1 and 2 threads)', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  // Multi-key commands use {tags}: events of one command from two shards have no set order.
  const withExpiry: Script = [...KEYSPACE_SCRIPT, ['PING']];
  for (const classes of ['KEA', 'E$', 'Kgn', 'Ksh']) {
    const expected = await keyspaceEvents(servers.redis, classes, withExpiry);
    for (const ours of [servers.ours1, servers.ours2]) {
      assert.deepEqual(await keyspaceEvents(ours, classes, withExpiry), expected, `classes ${classes}, threads ${ours === servers.ours1 ? 1 : 2}`);
    }
  }
});

test('notify-keyspace-events is validated and shown in canonical form', async (t) => {
  await compareSessions(t, [
    ['CONFIG', 'SET', 'notify-keyspace-events', 'Kxq'], ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'gKE'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', '$lshzxeKE'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'mdnEt'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''], ['CONFIG', 'GET', 'notify-keyspace-events'],
  ]);
});

// Keyspace events of lists, zsets, streams, geo and SORT (class A plus keyspace and keyevent
// channels), in the order redis-server emits them. Multi-key commands use {tags}.
const LIST_EVENTS: Script = [
  ['RPUSH', 'l', 'a', 'b', 'c'], ['LPUSH', 'l', 'z'], ['LPUSHX', 'nol', 'x'], ['RPUSHX', 'l', 'd'], ['LPUSHX', 'l', 'e'],
  ['LINSERT', 'l', 'BEFORE', 'a', 'y'], ['LINSERT', 'l', 'AFTER', 'nope', 'y'], ['LSET', 'l', '0', 'q'], ['LSET', 'l', '99', 'q'],
  ['LREM', 'l', '0', 'nope'], ['LREM', 'l', '1', 'q'], ['LTRIM', 'l', '0', '-1'], ['LTRIM', 'l', '1', '-1'], ['LPOP', 'l'],
  ['RPOP', 'l', '0'], ['RPOP', 'l', '1'], ['LPOP', 'l', '9'], ['LPOP', 'l'],
  ['RPUSH', 'x', '1'], ['LTRIM', 'x', '1', '0'], ['RPUSH', 'x', '1', '1'], ['LREM', 'x', '0', '1'],
  ['RPUSH', '{m}1', 'a', 'b', 'c'], ['LMOVE', '{m}1', '{m}2', 'LEFT', 'RIGHT'], ['RPOPLPUSH', '{m}1', '{m}2'], ['LMOVE', '{m}2', '{m}2', 'LEFT', 'LEFT'],
  ['LMOVE', '{m}1', '{m}2', 'RIGHT', 'LEFT'], ['LMOVE', '{m}1', '{m}2', 'RIGHT', 'LEFT'], ['LMPOP', '2', '{m}1', '{m}2', 'RIGHT', 'COUNT', '2'],
  ['BLPOP', '{m}2', '0'], ['BRPOP', '{m}1', '{m}2', '0.01'], ['RPUSH', '{m}3', 'a'], ['BLMOVE', '{m}3', '{m}4', 'LEFT', 'LEFT', '0'],
  ['BRPOPLPUSH', '{m}4', '{m}3', '0'], ['BLMPOP', '0', '1', '{m}3', 'LEFT'],
];

const ZSET_EVENTS: Script = [
  ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'XX', 'CH', '5', 'a'], ['ZADD', 'z', 'INCR', '1', 'a'],
  ['ZINCRBY', 'z', '2', 'b'], ['ZADD', 'z', 'NX', 'INCR', '1', 'a'], ['ZADD', 'z', 'GT', '0', 'a'], ['ZREM', 'z', 'nope'], ['ZREM', 'z', 'a'],
  ['ZADD', 'z', '1', 'c', '2', 'd', '3', 'e'], ['ZREMRANGEBYSCORE', 'z', '100', '200'], ['ZREMRANGEBYSCORE', 'z', '1', '1'],
  ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZADD', 'lex', '0', 'm', '0', 'n'], ['ZREMRANGEBYLEX', 'lex', '[m', '[m'], ['ZREMRANGEBYLEX', 'lex', '[x', '[y'], ['ZREMRANGEBYLEX', 'lex', '-', '+'],
  ['ZPOPMIN', 'z'], ['ZPOPMIN', 'z', '0'], ['ZPOPMAX', 'z', '10'], ['ZPOPMAX', 'z'], ['ZADD', 'y', '1', 'a'], ['ZREM', 'y', 'a', 'b'],
  ['ZADD', 'w', '1', 'a', '2', 'b'], ['ZREMRANGEBYRANK', 'w', '0', '-1'],
  ['ZADD', '{z}1', '1', 'a', '2', 'b'], ['ZADD', '{z}2', '3', 'b'], ['ZUNIONSTORE', '{z}3', '2', '{z}1', '{z}2'],
  ['ZINTERSTORE', '{z}3', '2', '{z}1', '{z}2'], ['ZDIFFSTORE', '{z}3', '1', '{z}nope'], ['ZDIFFSTORE', '{z}3', '1', '{z}nope'],
  ['ZRANGESTORE', '{z}4', '{z}1', '0', '-1'], ['ZRANGESTORE', '{z}4', '{z}1', '5', '6'], ['ZMPOP', '1', '{z}1', 'MIN', 'COUNT', '5'],
  ['BZPOPMAX', '{z}2', '0'], ['ZADD', '{z}5', '1', 'a', '2', 'b'], ['BZMPOP', '0', '1', '{z}5', 'MAX'], ['BZPOPMIN', '{z}5', '0'],
];

const STREAM_EVENTS: Script = [
  ['XADD', 'st', '1-1', 'f', 'v'], ['XADD', 'st', 'MAXLEN', '1', '2-1', 'f', 'v'], ['XADD', 'st', 'MAXLEN', '5', '3-1', 'f', 'v'],
  ['XADD', 'st', '1-0', 'f', 'v'], ['XADD', 'nost', 'NOMKSTREAM', '*', 'f', 'v'], ['XTRIM', 'st', 'MAXLEN', '5'], ['XTRIM', 'st', 'MAXLEN', '1'],
  ['XDEL', 'st', '9-9'], ['XDEL', 'st', '3-1'], ['XSETID', 'st', '10-0'], ['XSETID', 'st', '1-0'],
  ['XGROUP', 'CREATE', 'st', 'g', '0'], ['XGROUP', 'CREATE', 'st', 'g', '0'], ['XGROUP', 'CREATE', 'st2', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'SETID', 'st', 'g', '0'], ['XGROUP', 'CREATECONSUMER', 'st', 'g', 'c1'], ['XGROUP', 'CREATECONSUMER', 'st', 'g', 'c1'],
  ['XADD', 'st', '11-0', 'a', 'b'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 'st', '>'], ['XREADGROUP', 'GROUP', 'g', 'c6', 'STREAMS', 'st', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 'st', '0'], ['XCLAIM', 'st', 'g', 'c4', '0', '11-0'], ['XCLAIM', 'st', 'g', 'c7', '0', '99-0'],
  ['XAUTOCLAIM', 'st', 'g', 'c5', '0', '0'], ['XGROUP', 'DELCONSUMER', 'st', 'g', 'c1'], ['XGROUP', 'DELCONSUMER', 'st', 'g', 'nope'],
  ['XGROUP', 'DESTROY', 'st', 'g'], ['XGROUP', 'DESTROY', 'st', 'g'], ['XADD', 'st', 'MINID', '12', '12-0', 'f', 'v'],
];

const GEO_SORT_EVENTS: Script = [
  ['GEOADD', '{g}1', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['GEOADD', '{g}1', '13.361389', '38.115556', 'Palermo'],
  ['GEOADD', '{g}1', 'XX', 'CH', '13.5', '38.1', 'Palermo'], ['GEORADIUS', '{g}1', '15', '37', '200', 'km', 'STORE', '{g}2'],
  ['GEORADIUS', '{g}1', '15', '37', '1', 'km', 'STORE', '{g}2'], ['GEORADIUS', '{g}1', '15', '37', '1', 'km', 'STORE', '{g}2'],
  ['GEOSEARCHSTORE', '{g}3', '{g}1', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
  ['GEOSEARCHSTORE', '{g}3', '{g}1', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km'],
  ['GEORADIUSBYMEMBER', '{g}1', 'Palermo', '300', 'km', 'STOREDIST', '{g}4'], ['GEOSEARCHSTORE', '{g}5', '{g}nope', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km'],
  ['SET', '{g}5', 'v'], ['GEORADIUS', '{g}nope', '15', '37', '1', 'km', 'STORE', '{g}5'],
  ['RPUSH', '{g}l', '3', '1', '2'], ['SORT', '{g}l', 'STORE', '{g}s'], ['SORT', '{g}l', 'LIMIT', '0', '1', 'STORE', '{g}s'],
  ['SORT', '{g}nope', 'STORE', '{g}s'], ['SORT', '{g}nope', 'STORE', '{g}s'], ['SADD', '{g}set', 'b', 'a'], ['SORT', '{g}set', 'ALPHA', 'STORE', '{g}l'],
];

test('list, zset, stream, geo and SORT keyspace events match redis-server (1 and 2 threads)', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  for (const [name, script] of [['list', LIST_EVENTS], ['zset', ZSET_EVENTS], ['stream', STREAM_EVENTS], ['geo/sort', GEO_SORT_EVENTS]] as const) {
    const expected = await keyspaceEvents(servers.redis, 'KEA', script);
    for (const ours of [servers.ours1, servers.ours2]) {
      assert.deepEqual(await keyspaceEvents(ours, 'KEA', script), expected, `${name}, threads ${ours === servers.ours1 ? 1 : 2}`);
    }
  }
});

test('blocked clients served later emit the events redis-server emits', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const blockers: Script = [
    ['BLPOP', '{b}1', '0'], ['BRPOP', '{b}1', '0'], ['BLMOVE', '{b}2', '{b}3', 'RIGHT', 'LEFT', '0'], ['BRPOPLPUSH', '{b}2', '{b}3', '0'],
    ['BLMPOP', '0', '1', '{b}4', 'RIGHT', 'COUNT', '5'], ['BZPOPMIN', '{b}5', '0'], ['BZMPOP', '0', '1', '{b}6', 'MAX', 'COUNT', '2'],
  ];
  const script: Script = [
    ['RPUSH', '{b}1', 'a', 'b', 'c'], ['RPUSH', '{b}2', 'x'], ['RPUSH', '{b}2', 'y'], ['RPUSH', '{b}4', 'p', 'q'],
    ['ZADD', '{b}5', '1', 'a'], ['ZADD', '{b}6', '1', 'a', '2', 'b', '3', 'c'],
  ];
  const expected = await keyspaceEvents(servers.redis, 'KEA', script, blockers);
  for (const ours of [servers.ours1, servers.ours2]) {
    assert.deepEqual(await keyspaceEvents(ours, 'KEA', script, blockers), expected, `threads ${ours === servers.ours1 ? 1 : 2}`);
  }
});

test('keyspace events of commands whose keys span shards', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  // Keys alternate between the two shards of servers.ours2; events from two shards have no set order, so compare sorted.
  const [a, b, c, d] = keysOnAlternateShards('span', 4);
  const script: Script = [
    ['SET', a, 'v'], ['RENAME', a, b], ['RENAMENX', b, c], ['SET', d, 'w'], ['RENAMENX', c, d], ['COPY', d, a], ['COPY', d, a, 'REPLACE'],
    ['DEL', a, b, c, d], ['PFADD', a, 'x'], ['PFADD', b, 'y'], ['PFMERGE', c, a, b], ['DEL', a, b, c],
    ['RPUSH', a, '1', '2'], ['LMOVE', a, b, 'LEFT', 'RIGHT'], ['RPOPLPUSH', a, b], ['SORT', b, 'STORE', c], ['SORT', d, 'STORE', c],
    ['ZADD', a, '1', 'm'], ['ZUNIONSTORE', d, '2', a, c], ['ZADD', c, '1', 'm'], ['ZUNIONSTORE', d, '2', a, c], ['ZINTERSTORE', d, '1', b],
    ['ZRANGESTORE', b, a, '0', '-1'], ['GEOADD', c, '13.361389', '38.115556', 'Palermo'], ['GEOSEARCHSTORE', d, c, 'FROMLONLAT', '13', '38', 'BYRADIUS', '100', 'km'],
  ];
  const expected = (await keyspaceEvents(servers.redis, 'KEA', script)).sort();
  for (const ours of [servers.ours1, servers.ours2]) {
    assert.deepEqual((await keyspaceEvents(ours, 'KEA', script)).sort(), expected, `threads ${ours === servers.ours1 ? 1 : 2}`);
  }
});

test('CLIENT REPLY OFF, SKIP and ON match redis bytes; pushes still arrive', async (t) => {
  await compareSessions(t, [
    ['CLIENT', 'REPLY', 'OFF'], ['PING', 'a'], ['SET', 'k', 'v'], ['GET', 'k'], ['CLIENT', 'REPLY', 'FOO'], ['NOSUCH'], ['CLIENT', 'REPLY', 'SKIP'],
    ['CLIENT', 'REPLY', 'ON'], ['PING', 'b'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'c'], ['PING', 'd'],
    ['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['PING', 'e'], ['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['PING', 'f'], ['PING', 'g'],
    ['CLIENT', 'REPLY', 'SKIP'], ['MGET', 'k', 'other', 'third'], ['MSET', 'k', '1', 'other', '2'], ['CLIENT', 'REPLY', 'OFF'], ['DEL', 'k', 'other'],
    ['CLIENT', 'REPLY', 'FOO'], ['RESET'], ['PING', 'after-reset'],
    ['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'ch'], ['PSUBSCRIBE', 'c*'], ['PING'], ['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['CLIENT', 'REPLY', 'ON'],
    ['HELLO', '3'], ['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'ch'], ['PUBLISH', 'ch', 'm1'], ['PSUBSCRIBE', 'c*'], ['PUBLISH', 'ch', 'm2'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['SUBSCRIBE', '__keyevent@0__:set'], ['SET', 'k', 'v'], ['CONFIG', 'SET', 'notify-keyspace-events', ''],
    ['UNSUBSCRIBE', 'ch', '__keyevent@0__:set'], ['PUNSUBSCRIBE'], ['CLIENT', 'REPLY', 'SKIP'], ['GET', 'k'], ['CLIENT', 'REPLY', 'ON'], ['DEL', 'k'],
  ]);
});

/** CLIENT LIST fields that describe a client's state, by client name. */
async function clientStates(server: RunningServer): Promise<Record<string, string>> {
  const [inMulti, subscriber, blocked, observer] = await connectMany(server.port, 4);
  try {
    await inMulti.client('SETNAME', 'multi');
    await subscriber.client('SETNAME', 'sub');
    await blocked.client('SETNAME', 'blocked');
    await inMulti.multi({ pipeline: false });
    await inMulti.set('x', '1');
    await inMulti.get('x');
    await subscriber.subscribe('c1', 'c2');
    await subscriber.psubscribe('p*');
    await subscriber.ssubscribe('s1');
    blocked.blpop('nothing-here', 0).catch(() => undefined);
    await sleep(100);
    const states: Record<string, string> = {};
    for (const line of (await observer.client('LIST')).split('\n')) {
      const name = /name=(\S*)/.exec(line)?.[1];
      if (!name) continue;
      states[name] = ['flags', 'sub', 'psub', 'ssub', 'multi'].map((f) => new RegExp(` ${f}=(\\S*)`).exec(line)![0]).join('');
    }
    const info = await subscriber.call('CLIENT', 'INFO').catch((e: Error) => e.message);
    states.info = String(info).includes(' flags=P ') ? 'P' : String(info);
    return states;
  } finally {
    for (const c of [inMulti, subscriber, blocked, observer]) c.disconnect();
  }
}

test('CLIENT LIST shows pubsub, MULTI and blocked clients as redis does', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const expected = await clientStates(servers.redis);
  assert.match(expected.blocked, /flags=b /);
  for (const ours of [servers.ours1, servers.ours2]) assert.deepEqual(await clientStates(ours), expected, `threads ${ours === servers.ours1 ? 1 : 2}`);
});
