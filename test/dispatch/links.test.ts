// Cross-shard behaviour of a multi-threaded server: atomic multi-key
// commands, reply order of pipelines that hop between shards, records larger
// than a ring fragment, and clients vanishing with replies in flight.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, type RunningServer } from '../helpers/server';
import { shardOfKey } from '../../src/dispatch/routing';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Redis = require('ioredis5');

const SHARDS = 2;
let server: RunningServer;

/** The first key `prefix<n>` that lives on the given shard. */
function keyOnShard(prefix: string, shard: number): string {
  for (let i = 0; ; i++) if (shardOfKey(Buffer.from(`${prefix}${i}`), SHARDS) === shard) return `${prefix}${i}`;
}

before(async () => {
  server = await startServer({ threads: SHARDS });
});

after(async () => {
  await server.stop();
});

test('MSET across shards is atomic for concurrent MGET readers', async () => {
  const a = keyOnShard('atom:a', 0);
  const b = keyOnShard('atom:b', 1);
  const writer = new Redis({ port: server.port });
  const readers = Array.from({ length: 4 }, () => new Redis({ port: server.port }));
  await writer.mset(a, 0, b, 0);
  let done = false;
  const torn: string[] = [];
  const reads = readers.map(async (r: typeof writer) => {
    while (!done) {
      const [va, vb] = await r.mget(a, b);
      if (va !== vb) torn.push(`${va}/${vb}`);
    }
  });
  for (let i = 1; i <= 300; i++) await writer.mset(a, i, b, i);
  done = true;
  await Promise.all(reads);
  assert.deepEqual(torn, []);
  assert.deepEqual(await writer.mget(a, b), ['300', '300']);
  await Promise.all([writer, ...readers].map((c) => c.quit()));
});

test('a pipeline hopping between shards gets its replies in order', async () => {
  const keys = [keyOnShard('pipe:', 0), keyOnShard('pipe:', 1)];
  const clients = Array.from({ length: 4 }, () => new Redis({ port: server.port }));
  for (const [ci, c] of clients.entries()) {
    const p = c.pipeline();
    const expected: unknown[] = [];
    const model = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const key = `{${keys[i % 2]}}:${ci}`; // the hash tag keeps the key on that shard
      if (i % 3 === 0) {
        p.set(key, i);
        model.set(key, i);
        expected.push('OK');
      } else if (i % 3 === 1) {
        p.incr(key);
        model.set(key, (model.get(key) ?? 0) + 1);
        expected.push(model.get(key));
      } else {
        p.get(key);
        expected.push(model.has(key) ? String(model.get(key)) : null);
      }
      p.ping();
      expected.push('PONG');
    }
    const replies = (await p.exec()).map(([err, v]: [Error | null, unknown]) => (err ? err.message : v));
    assert.deepEqual(replies, expected);
  }
  await Promise.all(clients.map((c) => c.quit()));
});

test('values larger than a ring fragment cross shards intact', async () => {
  const clients = Array.from({ length: 2 }, () => new Redis({ port: server.port }));
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  for (const shard of [0, 1]) {
    const key = keyOnShard('big:', shard);
    for (const c of clients) {
      await c.set(key, big);
      const back: Buffer = await c.getBuffer(key);
      assert.equal(Buffer.compare(back, big), 0);
    }
  }
  await Promise.all(clients.map((c) => c.quit()));
});

test('a client that vanishes with replies in flight leaves the server healthy', async () => {
  const key = keyOnShard('gone:', 1);
  for (let round = 0; round < 8; round++) {
    const sock = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => sock.once('connect', resolve));
    let payload = '';
    for (let i = 0; i < 500; i++) payload += `*2\r\n$4\r\nINCR\r\n$${key.length}\r\n${key}\r\n`;
    sock.write(payload);
    sock.destroy();
  }
  const c = new Redis({ port: server.port });
  assert.equal(await c.ping(), 'PONG');
  const n = Number(await c.get(key));
  assert.ok(n >= 0 && n <= 4000, `counter ${n}`);
  await c.quit();
});
