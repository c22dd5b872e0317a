// MULTI/EXEC/DISCARD/WATCH/UNWATCH: differential scripts against redis-server
// on 1 and 2 shard threads (keys on both shards), WATCH seen from a second
// connection, and atomicity of EXEC against concurrent readers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../helpers/server';
import { compareWithRedis } from '../helpers/differential';
import { RawClient } from '../helpers/resp';
import { keyOnShard, shardOf } from '../helpers/shards';
import { suiteServers } from '../helpers/suite';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Redis = require('ioredis5');

const servers = suiteServers();
/** Ours with 1 shard thread for `single`, 2 for `sharded`. */
const serverFor = (mode: 'single' | 'sharded'): RunningServer => (mode === 'single' ? servers.ours1 : servers.ours2);

/** Keys `A` and `B` on different shards of a 2-shard server. */
const A = 'tx:a';
const B = keyOnShard('tx:b', 1 - shardOf(A));

const SCRIPT: string[][] = [
  ['FLUSHALL'],
  ['EXEC'],
  ['DISCARD'],
  ['MULTI'],
  ['MULTI'],
  ['SET', A, '1'],
  ['INCR', A],
  ['MSET', A, '5', B, '6'],
  ['MGET', A, B],
  ['INCR', B],
  ['GET', 'missing'],
  ['LPUSH', A, 'x'],
  ['PING'],
  ['EXEC'],
  ['MULTI'],
  ['SET', A, '1'],
  ['NOSUCHCOMMAND', 'x'],
  ['GET'],
  ['EXEC'],
  ['GET', A],
  ['MULTI'],
  ['SET', A, 'discarded'],
  ['DISCARD'],
  ['GET', A],
  ['MULTI'],
  ['WATCH', A],
  ['EXEC'],
  ['WATCH', A, B],
  ['MULTI'],
  ['SET', A, 'ok'],
  ['EXEC'],
  ['WATCH', A],
  ['SET', A, 'changed'],
  ['MULTI'],
  ['SET', A, 'lost'],
  ['EXEC'],
  ['GET', A],
  ['WATCH', B],
  ['UNWATCH'],
  ['SET', B, 'x'],
  ['MULTI'],
  ['GET', B],
  ['EXEC'],
  ['MULTI'],
  ['SELECT', '1'],
  ['SET', A, 'db1'],
  ['SELECT', '0'],
  ['EXEC'],
  ['SELECT', '1'],
  ['GET', A],
  ['SELECT', '0'],
  ['MULTI'],
  ['EXEC'],
];

for (const mode of ['single', 'sharded'] as const) {
  for (const proto of [2, 3] as const) {
    test(`transactions match redis-server (${mode}, RESP${proto})`, async (t) => {
      await compareWithRedis(t, serverFor(mode), servers.redis, SCRIPT, { proto });
    });
  }

  test(`a write from another connection fails a WATCHed EXEC (${mode})`, async () => {
    const port = serverFor(mode).port;
    const c1 = await RawClient.connect(port);
    const c2 = await RawClient.connect(port);
    await c1.command('DEL', A);
    await c1.command('SET', B, '1');
    assert.equal((await c1.command('WATCH', A, B)).toString(), '+OK\r\n');
    await c2.command('INCR', B);
    await c1.command('MULTI');
    await c1.command('SET', A, 'never');
    assert.equal((await c1.command('EXEC')).toString(), '*-1\r\n');
    assert.equal((await c1.command('EXISTS', A)).toString(), ':0\r\n');
    // The watch is gone after EXEC: the next transaction runs.
    await c2.command('INCR', B);
    await c1.command('MULTI');
    await c1.command('SET', A, 'now');
    assert.equal((await c1.command('EXEC')).toString(), '*1\r\n+OK\r\n');
    await Promise.all([c1.close(), c2.close()]);
  });

  test(`an expired WATCHed key fails EXEC, a key already stale when watched does not (${mode})`, async () => {
    const c = await RawClient.connect(serverFor(mode).port);
    await c.command('SET', A, 'v', 'PX', '30');
    await c.command('WATCH', A);
    await new Promise((r) => setTimeout(r, 60));
    await c.command('MULTI');
    await c.command('PING');
    assert.equal((await c.command('EXEC')).toString(), '*-1\r\n');
    await c.command('SET', B, 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    await c.command('WATCH', B);
    await c.command('MULTI');
    await c.command('PING');
    assert.equal((await c.command('EXEC')).toString(), '*1\r\n+PONG\r\n');
    await c.close();
  });
}

test('EXEC across shards is atomic for concurrent readers', async () => {
  const writer = new Redis({ port: servers.ours2.port });
  const readers = Array.from({ length: 3 }, () => new Redis({ port: servers.ours2.port }));
  await writer.mset(A, 0, B, 0);
  let done = false;
  const torn: string[] = [];
  const reads = readers.map(async (r: typeof writer) => {
    while (!done) {
      const [va, vb] = await r.mget(A, B);
      if (va !== vb) torn.push(`${va}/${vb}`);
    }
  });
  for (let i = 0; i < 150; i++) await writer.multi().incr(A).incr(B).exec();
  done = true;
  await Promise.all(reads);
  assert.deepEqual(torn, []);
  assert.deepEqual(await writer.mget(A, B), ['150', '150']);
  await Promise.all([writer, ...readers].map((c) => c.quit()));
});
