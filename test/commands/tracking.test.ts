// Client-side caching (CLIENT TRACKING): multi-connection sessions whose
// per-connection byte streams must equal redis-server's (RESP3 pushes, RESP2
// redirection to a subscribed client, BCAST prefixes, OPTIN/OPTOUT, NOLOOP,
// flushes, expiry, option errors), on a one-thread and a two-thread server with
// keys on both shards, so invalidations cross threads; plus INFO counters,
// tracking-table-max-keys eviction and redirection between threads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server';
import { RawClient, encodeCommand, escapeBytes } from '../helpers/resp';
import { keyOnShard } from '../helpers/shards';
import { suiteServers } from '../helpers/suite';

const servers = suiteServers();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keys on shard 0 and shard 1 of the two-thread server. */
const K0 = keyOnShard('tk', 0);
const K1 = keyOnShard('tk', 1);

/** A step: which connection sends what; `{id:n}` stands for connection n's client id. */
type Step = [number, ...string[]];

interface Scenario {
  /** Protocol of each connection (HELLO 3 is sent before the recorded part). */
  protocols: Array<2 | 3>;
  steps: Step[];
  /** Pause after each step, for the invalidations it causes to arrive. */
  pauseMs?: number;
}

/** HELLO's reply (server name, version, id) and CLIENT LIST lines differ by design: only CLIENT LIST's flags and redir are kept. */
function normalize(text: string): string {
  return text
    .replace(/(%7|\*14)\r\n\$6\r\nserver\r\n[\s\S]*?\$7\r\nmodules\r\n\*0\r\n/g, '<HELLO>')
    .replace(/[$=]\d+\r\n(txt:)?id=[^\n]* flags=(\S+) [^\n]* redir=(\S+) resp=[^\n]*\n\r\n/g, '<client flags=$2 redir=$3>');
}

/**
 * Runs a scenario and returns what each connection received after its setup, client ids
 * written as {id:n}. The server is flushed first and its tracking limit reset.
 */
async function run(server: RunningServer, scenario: Scenario): Promise<string[]> {
  const admin = await RawClient.connect(server.port, server.host);
  await admin.command('FLUSHALL');
  await admin.command('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
  await admin.close();
  const clients: RawClient[] = [];
  const ids: string[] = [];
  for (const proto of scenario.protocols) {
    const c = await RawClient.connect(server.port, server.host);
    if (proto === 3) await c.command('HELLO', '3');
    ids.push((await c.command('CLIENT', 'ID')).toString('latin1').slice(1, -2));
    clients.push(c);
  }
  try {
    for (const [conn, ...args] of scenario.steps) {
      clients[conn].send(encodeCommand(args.map((a) => a.replace(/\{id:(\d)\}/g, (_, n) => ids[Number(n)]))));
      await sleep(scenario.pauseMs ?? 25);
    }
    await sleep(50);
    return clients.map((c) => {
      let text = c.unread().toString('latin1');
      ids.forEach((id, n) => (text = text.replaceAll(`:${id}\r\n`, `:{id:${n}}\r\n`).replaceAll(`redir=${id} `, `redir={id:${n}} `)));
      return normalize(text);
    });
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Runs the scenario on redis-server and on both of ours: every connection's bytes must match. */
async function compare(t: { skip(msg?: string): void }, scenario: Scenario): Promise<void> {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const expected = await run(servers.redis, scenario);
  for (const ours of [servers.ours1, servers.ours2]) {
    const got = await run(ours, scenario);
    got.forEach((text, conn) => {
      const b = (s: string) => escapeBytes(Buffer.from(s, 'latin1'), 100_000);
      assert.equal(b(text), b(expected[conn]), `connection ${conn}, threads ${ours === servers.ours1 ? 1 : 2}`);
    });
  }
}

test('RESP3: invalidation pushes for keys on both shards, after the reply of the write that caused them', async (t) => {
  await compare(t, {
    protocols: [3, 2],
    steps: [
      [0, 'CLIENT', 'TRACKING', 'on'],
      [1, 'SET', K0, 'a'], [1, 'SET', K1, 'b'], [1, 'SET', 'other', 'c'],
      [0, 'GET', K0], [0, 'GET', K1], [0, 'GET', 'missing'],
      [1, 'SET', K0, 'a2'], [1, 'INCR', 'other'], [1, 'APPEND', K1, 'x'], [1, 'SET', 'missing', '1'],
      // (A write of keys on both shards runs its parts in parallel: their invalidations may come in either order.)
      [0, 'MGET', K0, K1], [1, 'DEL', K0], [1, 'DEL', K1],
      // The client's own write: reply first, then the invalidation.
      [0, 'HSET', 'h', 'f', '1'], [0, 'HGET', 'h', 'f'], [0, 'HDEL', 'h', 'f'],
      // Inside a transaction: after EXEC's reply.
      [0, 'SET', K1, '1'], [0, 'GET', K1], [0, 'MULTI'], [0, 'GET', K0], [0, 'INCR', K1], [0, 'EXEC'],
      [0, 'CLIENT', 'GETREDIR'], [0, 'CLIENT', 'TRACKINGINFO'],
      // A flush invalidates everything: a null.
      [0, 'GET', K0], [1, 'FLUSHALL'], [0, 'PING'],
      [0, 'GET', K1], [0, 'FLUSHDB'], [0, 'PING'],
      [0, 'CLIENT', 'TRACKING', 'off'], [1, 'SET', K0, 'z'], [0, 'CLIENT', 'TRACKINGINFO'], [0, 'CLIENT', 'GETREDIR'],
    ],
  });
});

test('RESP2 redirection: Pub/Sub messages on __redis__:invalidate, nulls on flush, then tracking-redir-broken', async (t) => {
  await compare(t, {
    protocols: [2, 2, 2],
    steps: [
      [1, 'SUBSCRIBE', '__redis__:invalidate'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '{id:1}'],
      [2, 'MSET', K0, '1', K1, '2'],
      [0, 'GET', K0], [0, 'GET', K1], [2, 'SET', K0, '3'], [2, 'SET', K1, '4'],
      [0, 'GET', K0], [2, 'FLUSHDB'],
      [0, 'CLIENT', 'GETREDIR'], [0, 'CLIENT', 'TRACKINGINFO'],
      // Redirection to a RESP3 client (HELLO 3 while subscribed is refused in RESP2: unsubscribe first).
      [1, 'UNSUBSCRIBE'], [1, 'HELLO', '3'], [0, 'GET', K1], [2, 'SET', K1, '5'],
      // The redirect client leaves: a RESP3 tracking client is told so at its next invalidation.
      [1, 'QUIT'], [0, 'HELLO', '3'], [0, 'GET', K0], [2, 'SET', K0, '6'], [0, 'PING'], [0, 'CLIENT', 'TRACKINGINFO'],
      [0, 'CLIENT', 'LIST', 'ID', '{id:0}'],
    ],
  });
});

test('BCAST: one message per prefix per turn, sorted keys, NOLOOP, prefix errors', async (t) => {
  await compare(t, {
    protocols: [3, 2, 3],
    steps: [
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:'],
      [1, 'MSET', 'a:2{t}', '1', 'a:1{t}', '1', 'b:1{t}', '1', 'c:1{t}', '1'],
      [1, 'MULTI'], [1, 'INCR', 'b:9{t}'], [1, 'DEL', 'a:1{t}'], [1, 'SET', 'zz{t}', '1'], [1, 'EXEC'],
      [1, 'SET', `a:${K0}`, '1'], [1, 'SET', `b:${K1}`, '1'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c:'],
      [1, 'SET', 'c:x', '1'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'd:', 'PREFIX', 'd:x'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'dx:', 'PREFIX', 'e', 'PREFIX', 'd'],
      [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'],
      [0, 'CLIENT', 'TRACKINGINFO'], [0, 'CLIENT', 'LIST', 'ID', '{id:0}'],
      // The empty prefix and NOLOOP: the client's own writes are left out.
      [2, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP'],
      [2, 'SET', 'mine', '1'], [1, 'SET', 'theirs', '1'],
      [2, 'MSET', 'x{t}', '1', 'y{t}', '2'], [1, 'SET', 'z{t}', '1'],
      [2, 'CLIENT', 'TRACKINGINFO'],
      [0, 'CLIENT', 'TRACKING', 'off'], [0, 'CLIENT', 'TRACKINGINFO'], [1, 'SET', 'a:1{t}', '2'], [0, 'PING'],
    ],
  });
});

test('OPTIN, OPTOUT and CLIENT CACHING apply to the next command (or transaction) only', async (t) => {
  await compare(t, {
    protocols: [3, 2],
    steps: [
      [0, 'CLIENT', 'CACHING', 'yes'],
      [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN'],
      [0, 'CLIENT', 'CACHING', 'no'], [0, 'CLIENT', 'CACHING', 'maybe'],
      [0, 'GET', K0], [0, 'CLIENT', 'CACHING', 'yes'], [0, 'CLIENT', 'TRACKINGINFO'], [0, 'GET', K1], [0, 'CLIENT', 'TRACKINGINFO'],
      [1, 'SET', K0, '1'], [1, 'SET', K1, '1'],
      [0, 'CLIENT', 'CACHING', 'yes'], [0, 'MULTI'], [0, 'GET', K0], [0, 'GET', K1], [0, 'EXEC'],
      [1, 'SET', K0, '2'], [1, 'SET', K1, '2'],
      [0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'],
      [0, 'CLIENT', 'TRACKING', 'off'], [0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'],
      [0, 'CLIENT', 'CACHING', 'yes'], [0, 'CLIENT', 'CACHING', 'no'], [0, 'GET', K0], [0, 'GET', K1],
      [1, 'SET', K0, '3'], [1, 'SET', K1, '3'],
      [0, 'CLIENT', 'TRACKINGINFO'],
    ],
  });
});

test('NOLOOP: a client is not told about its own writes; option errors match redis', async (t) => {
  await compare(t, {
    protocols: [3, 2],
    steps: [
      [0, 'CLIENT', 'TRACKING', 'on', 'NOLOOP'],
      [0, 'MGET', K0, K1, 'x'], [0, 'SET', K0, '1'], [1, 'SET', K1, '1'], [0, 'SET', 'x', '1'], [0, 'PING'],
      [0, 'CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BCAST'],
      [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '{id:1}', 'REDIRECT', '{id:1}'],
      [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999', 'BOGUS'],
      [0, 'CLIENT', 'TRACKING', 'on', 'BOGUS', 'REDIRECT', '999999'],
      [0, 'CLIENT', 'TRACKING', 'maybe'], [0, 'CLIENT', 'TRACKING', 'on', 'PREFIX'],
      [0, 'CLIENT', 'TRACKING', 'off', 'REDIRECT', '999999'],
      [0, 'CLIENT', 'CACHING'], [0, 'CLIENT', 'GETREDIR', 'x'], [0, 'CLIENT', 'TRACKINGINFO'],
      [1, 'CLIENT', 'TRACKINGINFO'], [1, 'CLIENT', 'GETREDIR'],
    ],
  });
});

test('keys that expire invalidate', async (t) => {
  await compare(t, {
    protocols: [3, 2],
    pauseMs: 40,
    steps: [
      [0, 'CLIENT', 'TRACKING', 'on'],
      [1, 'SET', K0, '1', 'PX', '300'], [1, 'SET', K1, '1', 'PX', '600'], [0, 'GET', K0], [0, 'GET', K1],
      ...Array.from({ length: 25 }, (): Step => [1, 'PING']),
      [0, 'PING'],
    ],
  });
});

test('a write of a blocked client re-run (BLMOVE) invalidates after its reply', async (t) => {
  await compare(t, {
    protocols: [3, 2],
    pauseMs: 40,
    steps: [
      [0, 'RPUSH', '{bl}dst', 'a'], [0, 'CLIENT', 'TRACKING', 'on'], [0, 'LRANGE', '{bl}dst', '0', '-1'],
      [0, 'BLMOVE', '{bl}src', '{bl}dst', 'LEFT', 'LEFT', '0'],
      [1, 'RPUSH', '{bl}src', 'x'], [0, 'PING'],
    ],
  });
});

test('INFO counts tracking clients, keys, readers and BCAST prefixes over all threads', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    const clients = await Promise.all([0, 1, 2].map(() => RawClient.connect(server.port, server.host)));
    try {
      await clients[0].command('FLUSHALL');
      await clients[0].command('CLIENT', 'TRACKING', 'on');
      await clients[1].command('CLIENT', 'TRACKING', 'on');
      await clients[2].command('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p:', 'PREFIX', 'q:');
      await clients[0].command('MGET', K0, K1);
      await clients[1].command('GET', K0);
      const info = (await clients[0].command('INFO')).toString('latin1');
      const field = (name: string) => Number(new RegExp(`\r\n${name}:(\\d+)\r\n`).exec(info)?.[1]);
      assert.equal(field('tracking_clients'), 3);
      assert.equal(field('tracking_total_keys'), 2);
      assert.equal(field('tracking_total_items'), 3);
      assert.equal(field('tracking_total_prefixes'), 2);
      await clients[0].command('FLUSHALL');
      const after = (await clients[0].command('INFO', 'stats')).toString('latin1');
      assert.match(after, /\r\ntracking_total_keys:0\r\n/);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }
});

test('tracking-table-max-keys: lowering it evicts keys and invalidates them until the table fits', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    const [reader, redirect, admin] = await Promise.all([0, 1, 2].map(() => RawClient.connect(server.port, server.host)));
    try {
      await admin.command('FLUSHALL');
      const redirectId = (await redirect.command('CLIENT', 'ID')).toString('latin1').slice(1, -2);
      await redirect.command('SUBSCRIBE', '__redis__:invalidate');
      await reader.command('CLIENT', 'TRACKING', 'on', 'REDIRECT', redirectId);
      const keys = Array.from({ length: 250 }, (_, i) => `ev${i}`);
      for (const k of keys) await reader.command('GET', k);
      await admin.command('CONFIG', 'SET', 'tracking-table-max-keys', '1');
      const invalidated = new Set<string>();
      for (let i = 0; i < keys.length - 1; i++) {
        const message = (await redirect.readReply()).toString('latin1');
        invalidated.add(/\$\d+\r\n(ev\d+)\r\n$/.exec(message)![1]);
      }
      assert.equal(invalidated.size, keys.length - 1);
      await sleep(300);
      assert.equal(redirect.unread().length, 0, 'no more than needed is evicted');
      assert.match((await admin.command('INFO', 'stats')).toString('latin1'), /\r\ntracking_total_keys:1\r\n/);
    } finally {
      await admin.command('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
      await Promise.all([reader.close(), redirect.close(), admin.close()]);
    }
  }
});

test('two threads: invalidations reach redirect clients on either thread, and a gone one is reported', async () => {
  // Eight clients in a ring, each redirecting to the next: with connections spread over both
  // threads, some redirections cross threads.
  const clients = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(servers.ours2.port, servers.ours2.host)));
  const writer = await RawClient.connect(servers.ours2.port, servers.ours2.host);
  try {
    const ids: string[] = [];
    for (const c of clients) {
      await c.command('HELLO', '3');
      ids.push((await c.command('CLIENT', 'ID')).toString('latin1').slice(1, -2));
    }
    for (let i = 0; i < clients.length; i++) {
      assert.equal((await clients[i].command('CLIENT', 'TRACKING', 'on', 'REDIRECT', ids[(i + 1) % clients.length])).toString(), '+OK\r\n');
      await clients[i].command('GET', `ring${i}`);
    }
    for (let i = 0; i < clients.length; i++) await writer.command('SET', `ring${i}`, 'x');
    for (let i = 0; i < clients.length; i++) {
      const target = clients[(i + 1) % clients.length];
      assert.equal((await target.readReply()).toString('latin1'), `>2\r\n$10\r\ninvalidate\r\n*1\r\n$${`ring${i}`.length}\r\nring${i}\r\n`);
    }
    // Client 1 leaves: client 0, which redirects to it, learns so at its next invalidation.
    await clients[1].command('QUIT');
    await clients[0].command('GET', 'ring0');
    await writer.command('SET', 'ring0', 'y');
    assert.equal((await clients[0].readReply()).toString('latin1'), `>2\r\n$21\r\ntracking-redir-broken\r\n:${ids[1]}\r\n`);
    assert.match((await clients[0].command('CLIENT', 'TRACKINGINFO')).toString('latin1'), /broken_redirect/);
  } finally {
    await Promise.all([...clients.map((c) => c.close()), writer.close()]);
  }
});

test('two threads: the keys a pipeline of reads returns from both shards are tracked, in reply order', async () => {
  const reader = await RawClient.connect(servers.ours2.port, servers.ours2.host);
  const writer = await RawClient.connect(servers.ours2.port, servers.ours2.host);
  try {
    await reader.command('HELLO', '3');
    await reader.command('CLIENT', 'TRACKING', 'on');
    const keys = Array.from({ length: 40 }, (_, i) => keyOnShard(`pipe${i}-`, i % 2));
    reader.send(Buffer.concat(keys.map((k) => encodeCommand(['GET', k]))));
    for (const _ of keys) assert.equal((await reader.readReply()).toString(), '_\r\n');
    for (const k of keys) await writer.command('SET', k, '1');
    const seen = new Set<string>();
    for (const _ of keys) seen.add(/\r\n\$\d+\r\n(.*)\r\n$/.exec((await reader.readReply()).toString('latin1'))![1]);
    assert.deepEqual([...seen].sort(), [...keys].sort());
  } finally {
    await Promise.all([reader.close(), writer.close()]);
  }
});

test('SWAPDB invalidates every key like a flush (Redis 7.0 sends nothing, leaving caches of both databases stale)', async () => {
  for (const server of [servers.ours1, servers.ours2]) {
    const [reader, writer] = await Promise.all([0, 1].map(() => RawClient.connect(server.port, server.host)));
    try {
      await reader.command('HELLO', '3');
      await reader.command('CLIENT', 'TRACKING', 'on');
      await reader.command('GET', K1);
      assert.equal((await writer.command('SWAPDB', '0', '1')).toString(), '+OK\r\n');
      assert.equal((await reader.readReply()).toString(), '>2\r\n$10\r\ninvalidate\r\n_\r\n');
    } finally {
      await Promise.all([reader.close(), writer.close()]);
    }
  }
});

test('two threads: a script that reads makes its client track its declared keys, on whichever thread the client is', async () => {
  // Eight readers spread over both threads; the declared keys live on one shard, so some
  // readers share its thread and some do not.
  const readers = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(servers.ours2.port, servers.ours2.host)));
  const writer = await RawClient.connect(servers.ours2.port, servers.ours2.host);
  try {
    for (const [i, reader] of readers.entries()) {
      await reader.command('HELLO', '3');
      await reader.command('CLIENT', 'TRACKING', 'on');
      assert.equal((await reader.command('EVAL', "return redis.call('get', KEYS[1])", '2', `{s${i}}a`, `{s${i}}b`)).toString(), '_\r\n');
      // A script that only writes makes its client track nothing.
      await reader.command('EVAL', "redis.call('set', KEYS[1], 'w') return 1", '1', `{s${i}}c`);
    }
    for (let i = 0; i < readers.length; i++) await writer.command('MSET', `{s${i}}c`, '1', `{s${i}}b`, '1');
    for (const [i, reader] of readers.entries()) {
      const key = `{s${i}}b`;
      assert.equal((await reader.readReply()).toString('latin1'), `>2\r\n$10\r\ninvalidate\r\n*1\r\n$${key.length}\r\n${key}\r\n`, `reader ${i}`);
      assert.equal((await reader.command('PING')).toString(), '+PONG\r\n', `reader ${i}: nothing more was pushed`);
    }
  } finally {
    await Promise.all([...readers.map((c) => c.close()), writer.close()]);
  }
});
