// Container HEALTHCHECK: sends PING over RESP and exits 0 only on +PONG, so the
// image needs no redis-cli. Usage: node healthcheck.js [port] (default 6379).
'use strict';
const net = require('node:net');

const port = Number(process.argv[2] || 6379);
let reply = '';
let finished = false;
const socket = net.connect({ host: '127.0.0.1', port });
socket.setTimeout(2000, () => finish(false, 'timed out'));
socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
socket.on('data', (chunk) => {
  reply += chunk.toString('latin1');
  if (reply.includes('\r\n')) finish(reply === '+PONG\r\n', reply.trim());
});
socket.on('error', (err) => finish(false, err.message));
socket.on('close', () => finish(false, 'connection closed'));

function finish(healthy, detail) {
  if (finished) return;
  finished = true;
  socket.destroy();
  if (!healthy) process.stderr.write(`unhealthy: ${detail}\n`);
  process.exit(healthy ? 0 : 1);
}
