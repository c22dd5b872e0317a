// Startup: a connection accepted while the server is still starting (the Lua VM compiles
// before the threads take connections) must be answered, not left hanging.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { BIN_PATH, freePort } from '../helpers/server';

/** Connects as soon as the port accepts, and resolves with what one PING gets within `ms`. */
async function firstPing(port: number, ms: number): Promise<string> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2))) {
    const socket = await new Promise<net.Socket | null>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    if (socket === null) continue;
    return new Promise((resolve) => {
      let reply = '';
      const timer = setTimeout(() => finish(`no reply within ${ms} ms`), ms);
      const finish = (result: string) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      socket.on('data', (chunk) => {
        reply += chunk.toString('latin1');
        if (reply.endsWith('\r\n')) finish(reply);
      });
      socket.write('PING\r\n');
    });
  }
  return 'never accepted a connection';
}

for (const threads of [1, 2]) {
  test(`the first connection of a starting server gets its PONG (threads ${threads})`, async () => {
    const port = await freePort();
    const child = spawn(BIN_PATH, ['--port', String(port), '--bind', '127.0.0.1', '--threads', String(threads), '--loglevel', 'warning'], { stdio: 'ignore' });
    try {
      assert.equal(await firstPing(port, 5000), '+PONG\r\n');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
}
