// Pub/Sub and keyspace notifications: raw byte-exact sessions against
// redis-server (RESP2 subscribed mode and RESP3 pushes), subscribers and
// publishers spread over both threads of a 2-thread server (delivery, counts,
// order of 1000 messages, binary payloads), and keyspace event streams
// compared with redis-server's.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startRedis, startServer, type RunningServer } from '../helpers/server';
import { RawClient, encodeCommand, escapeBytes } from '../helpers/resp';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
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

/**
 * Sends a script over one connection, command by command (each after a short pause, so
 * messages published meanwhile interleave as they would on redis), and returns every byte
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
  if (redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const expected = await session(redis, script);
  for (const ours of [ours1, ours2]) {
    const got = await session(ours, script);
    assert.equal(escapeBytes(got, 100_000), escapeBytes(expected, 100_000), `threads ${ours === ours1 ? 1 : 2}`);
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

/** ioredis connections: enough of them that both threads of ours2 get some. */
async function connectMany(port: number, n: number): Promise<any[]> {
  const clients = Array.from({ length: n }, () => new IORedis5({ port, lazyConnect: true }));
  await Promise.all(clients.map((c) => c.connect()));
  return clients;
}

test('subscribers on both threads get messages from a publisher on either thread, in publish order', async () => {
  const subscribers = await connectMany(ours2.port, 6);
  const publishers = await connectMany(ours2.port, 2);
  const raw = await RawClient.connect(ours2.port);
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
  const [sub1, sub2, sub3, pub] = await connectMany(ours2.port, 4);
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

/** The keyspace events a script produces, as seen by a PSUBSCRIBE * subscriber. */
async function keyspaceEvents(server: RunningServer, classes: string, script: Script): Promise<string[]> {
  const [sub, client] = await connectMany(server.port, 2);
  try {
    await client.config('SET', 'notify-keyspace-events', classes);
    const events: string[] = [];
    sub.on('pmessageBuffer', (_p: Buffer, ch: Buffer, m: Buffer) => events.push(`${escapeBytes(ch)} ${escapeBytes(m)}`));
    await sub.psubscribe('*');
    await client.select(9);
    await client.flushall();
    for (const args of script) await client.call(String(args[0]), ...args.slice(1)).catch(() => undefined);
    await sleep(300);
    await client.config('SET', 'notify-keyspace-events', '');
    return events;
  } finally {
    sub.disconnect();
    client.disconnect();
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
  if (redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  // Multi-key commands use {tags}: events of one command from two shards have no set order.
  const withExpiry: Script = [...KEYSPACE_SCRIPT, ['PING']];
  for (const classes of ['KEA', 'E$', 'Kgn', 'Ksh']) {
    const expected = await keyspaceEvents(redis, classes, withExpiry);
    for (const ours of [ours1, ours2]) {
      assert.deepEqual(await keyspaceEvents(ours, classes, withExpiry), expected, `classes ${classes}, threads ${ours === ours1 ? 1 : 2}`);
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
