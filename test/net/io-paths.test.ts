// The socket fast paths of net/client.ts: reads through one shared buffer per thread and
// replies written straight to the handle. They lean on Node internals, so these tests check
// that the Node we run on still offers them (a silent fallback would only show as lost
// throughput), and that replies too big for one write still arrive whole and in order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { directWritesAvailable, sharedReadsAvailable } from '../../src/net/client';
import { startServer } from '../helpers/server';

test('this Node offers the shared-buffer reads and direct writes', async () => {
  assert.equal(directWritesAvailable, true);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect(port, '127.0.0.1');
  const socket = await accepted;
  assert.equal(sharedReadsAvailable(socket), true);
  client.destroy();
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

test('replies written while earlier ones still wait for a paused reader arrive whole and in order', async () => {
  const server = await startServer();
  try {
    const socket = net.connect(server.port, '127.0.0.1');
    const command = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
    const bulk = (value: Buffer) => Buffer.concat([Buffer.from(`$${value.length}\r\n`, 'latin1'), value, Buffer.from('\r\n', 'latin1')]);
    const big = Buffer.alloc(8 * 1024 * 1024, 0x42);
    socket.write(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${big.length}\r\n`);
    socket.write(big);
    socket.write('\r\n');
    const smalls = Array.from({ length: 10 }, (_, i) => Buffer.from(`small value ${i} `.repeat(10), 'latin1'));
    socket.write(smalls.map((value, i) => command('SET', `s${i}`, value.toString('latin1'))).join(''));
    socket.pause();
    // Big replies fill the socket; then small replies are written one flush at a time while
    // those still wait, each from a reply buffer that must not be reused until it is sent.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 30));
    socket.write(command('GET', 'big').repeat(4));
    await pause();
    for (let i = 0; i < smalls.length; i++) {
      socket.write(command('GET', `s${i}`));
      await pause();
    }
    const expected = Buffer.concat([
      Buffer.from('+OK\r\n'.repeat(1 + smalls.length), 'latin1'),
      ...Array<Buffer>(4).fill(bulk(big)),
      ...smalls.map(bulk),
    ]);
    const received: Buffer[] = [];
    let length = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        length += chunk.length;
        if (length >= expected.length) resolve();
      });
      socket.on('error', reject);
      socket.resume();
    });
    socket.destroy();
    assert.equal(length, expected.length);
    assert.ok(Buffer.concat(received).equals(expected), 'the replies are not the values in order');
  } finally {
    await server.stop();
  }
});
