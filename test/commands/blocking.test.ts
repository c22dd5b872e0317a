// Blocked clients and the rest of the server: CLIENT UNBLOCK, SWAPDB waking
// blocked clients, a served blocked command touching WATCHed keys, on 1 and 2
// shard threads, and blocking on keys of several shards at once.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server';
import { RawClient } from '../helpers/resp';
import { keyOnShard } from '../helpers/shards';
import { untilBlockedClients } from '../helpers/suite';

let servers: RunningServer[];

before(async () => {
  servers = await Promise.all([startServer({ threads: 1 }), startServer({ threads: 2 })]);
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/**
 * Sends a blocking command and, once the server counts it as blocked, hands back its pending
 * reply (wrapped: an async function would otherwise wait for the promise it returns).
 */
/** Sends a blocking command and waits until the server counts `blocked` blocked clients. */
async function blockOn(client: RawClient, observer: RawClient, ...args: string[]): Promise<{ reply: Promise<Buffer> }> {
  return blockNth(1, client, observer, ...args);
}

async function blockNth(blocked: number, client: RawClient, observer: RawClient, ...args: string[]): Promise<{ reply: Promise<Buffer> }> {
  const reply = client.command(...args);
  await untilBlockedClients(async () => (await observer.command('INFO', 'clients')).toString(), blocked);
  return { reply };
}

for (const threads of [1, 2]) {
  test(`CLIENT UNBLOCK releases a blocked client with a timeout or an error (threads ${threads})`, async () => {
    const port = servers[threads - 1].port;
    const [blocked, other] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    const id = (await blocked.command('CLIENT', 'ID')).toString().slice(1, -2);
    let { reply } = await blockOn(blocked, other, 'BLPOP', 'unblock:list', '0');
    assert.equal((await other.command('CLIENT', 'UNBLOCK', id)).toString(), ':1\r\n');
    assert.equal((await reply).toString(), '*-1\r\n');
    ({ reply } = await blockOn(blocked, other, 'BLPOP', 'unblock:list', '0'));
    assert.equal((await other.command('CLIENT', 'UNBLOCK', id, 'ERROR')).toString(), ':1\r\n');
    assert.equal((await reply).toString(), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    assert.equal((await other.command('CLIENT', 'UNBLOCK', id)).toString(), ':0\r\n');
    assert.equal((await other.command('CLIENT', 'UNBLOCK', id, 'LATER')).toString(), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    await Promise.all([blocked.close(), other.close()]);
  });

  test(`SWAPDB wakes a client blocked on a key the other database has (threads ${threads})`, async () => {
    const port = servers[threads - 1].port;
    const [blocked, other] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    await other.command('SELECT', '1');
    await other.command('RPUSH', 'swap:list', 'from-db1');
    const { reply } = await blockOn(blocked, other, 'BLPOP', 'swap:list', '0');
    await other.command('SWAPDB', '0', '1');
    assert.equal((await reply).toString(), '*2\r\n$9\r\nswap:list\r\n$8\r\nfrom-db1\r\n');
    await other.command('FLUSHALL');
    await Promise.all([blocked.close(), other.close()]);
  });

  test(`a blocked BRPOPLPUSH served later touches WATCHed keys (threads ${threads})`, async () => {
    const port = servers[threads - 1].port;
    const [blocked, watcher, pusher] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
    // One hash tag keeps source and destination on one shard, so the block is allowed on 2 threads.
    const { reply } = await blockOn(blocked, pusher, 'BRPOPLPUSH', '{w}src', '{w}dst', '0');
    await watcher.command('WATCH', '{w}dst');
    await pusher.command('LPUSH', '{w}src', 'x');
    assert.equal((await reply).toString(), '$1\r\nx\r\n');
    await watcher.command('MULTI');
    await watcher.command('PING');
    assert.equal((await watcher.command('EXEC')).toString(), '*-1\r\n');
    await Promise.all([blocked.close(), watcher.close(), pusher.close()]);
  });
}

test('blocking commands whose keys live on different shards block, wake and time out (threads 2)', async () => {
  const port = servers[1].port;
  const [a, b] = [keyOnShard('xb:a', 0), keyOnShard('xb:b', 1)];
  const [c1, c2, c3, other] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
  // Two clients blocked on both shards' keys are served in turn by pushes to either shard.
  const first = (await blockOn(c1, other, 'BLPOP', a, b, '0')).reply;
  // FIFO: the first client blocked is served first, whichever shard gets the data.
  const second = (await blockNth(2, c2, other, 'BLPOP', a, b, '0')).reply;
  await other.command('RPUSH', b, 'from-b');
  assert.equal((await first).toString(), `*2\r\n$${b.length}\r\n${b}\r\n$6\r\nfrom-b\r\n`);
  await other.command('RPUSH', a, 'from-a');
  assert.equal((await second).toString(), `*2\r\n$${a.length}\r\n${a}\r\n$6\r\nfrom-a\r\n`);
  // Sorted sets and BLMOVE across shards.
  const zpop = (await blockOn(c1, other, 'BZPOPMIN', a + 'z', b + 'z', '0')).reply;
  await other.command('ZADD', b + 'z', '1', 'm');
  assert.equal((await zpop).toString(), `*3\r\n$${b.length + 1}\r\n${b}z\r\n$1\r\nm\r\n$1\r\n1\r\n`);
  const move = (await blockOn(c1, other, 'BLMOVE', a, b, 'LEFT', 'RIGHT', '0')).reply;
  await other.command('LPUSH', a, 'moved');
  assert.equal((await move).toString(), '$5\r\nmoved\r\n');
  assert.equal((await other.command('LRANGE', b, '0', '-1')).toString(), '*1\r\n$5\r\nmoved\r\n');
  await other.command('DEL', a, b);
  // A timeout gives a null array; inside MULTI nothing blocks.
  assert.equal((await c3.command('BLPOP', a, b, '0.2')).toString(), '*-1\r\n');
  await c3.command('MULTI');
  await c3.command('BLPOP', a, b, '0');
  assert.equal((await c3.command('EXEC')).toString(), '*1\r\n*-1\r\n');
  // A client that leaves while blocked leaves no watch behind: the next push stays in the list.
  const abandoned = (await blockOn(c2, other, 'BLPOP', a, b, '0')).reply;
  abandoned.catch(() => {}); // rejected when the connection closes: that is the point
  await c2.close();
  await new Promise((r) => setTimeout(r, 100));
  await other.command('RPUSH', a, 'kept');
  assert.equal((await other.command('LRANGE', a, '0', '-1')).toString(), '*1\r\n$4\r\nkept\r\n');
  assert.match((await other.command('INFO', 'clients')).toString(), /blocked_clients:0/);
  await Promise.all([c1.close(), c3.close(), other.close()]);
});
