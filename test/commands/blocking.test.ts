// Blocked clients and the rest of the server: CLIENT UNBLOCK, SWAPDB waking
// blocked clients, and a served blocked command touching WATCHed keys, on 1
// and 2 shard threads (the blocked client may wait on another thread's shard).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server';
import { RawClient } from '../helpers/resp';

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
async function blockOn(client: RawClient, observer: RawClient, ...args: string[]): Promise<{ reply: Promise<Buffer> }> {
  const reply = client.command(...args);
  for (let i = 0; i < 200; i++) {
    const info = (await observer.command('INFO', 'clients')).toString();
    if (/blocked_clients:[1-9]/.test(info)) return { reply };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('client never blocked');
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
