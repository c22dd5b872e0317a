// Self-test of the test helpers: RawClient framing (against canned bytes and
// against a real redis-server), compareWithRedis, startServer and redis-cli.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { RawClient, ReplyScanner, replyEnd, escapeBytes } from './helpers/resp';
import { startRedis, startServer, serverAvailable, type RunningServer } from './helpers/server';
import { compareWithRedis } from './helpers/differential';
import { runRedisCli } from './helpers/redis-cli';

/** A server that answers every received chunk with the next canned byte string, written one byte at a time. */
async function startCannedServer(replies: Buffer[]): Promise<RunningServer & { dropClients(): void }> {
  const sockets = new Set<net.Socket>();
  const dropClients = () => sockets.forEach((socket) => socket.destroy());
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let next = 0;
    socket.on('data', () => {
      const reply = replies[next++] ?? Buffer.alloc(0);
      for (let i = 0; i < reply.length; i++) socket.write(reply.subarray(i, i + 1));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    dropClients,
    port,
    host: '127.0.0.1',
    pid: process.pid,
    stderr: () => '',
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropClients();
      }),
  };
}

test('replyEnd and ReplyScanner frame every RESP2/RESP3 type and waits for missing bytes', () => {
  const frames = [
    '+OK\r\n',
    '-ERR x\r\n',
    ':-5\r\n',
    '$0\r\n\r\n',
    '$-1\r\n',
    '*-1\r\n',
    '*0\r\n',
    '$4\r\na\r\nb\r\n', // CRLF inside a bulk is payload
    '*2\r\n*2\r\n:1\r\n$1\r\nx\r\n%1\r\n+k\r\n~1\r\n_\r\n',
    ',-inf\r\n',
    '#t\r\n',
    '(12345678901234567890\r\n',
    '=8\r\ntxt:a\r\nb\r\n',
    '!3\r\nerr\r\n',
    '>2\r\n+message\r\n$1\r\nx\r\n',
    '|1\r\n+ttl\r\n:3\r\n*1\r\n|1\r\n+a\r\n+b\r\n:7\r\n', // attributes at top level and inside an array
  ];
  for (const frame of frames) {
    const bytes = Buffer.from(frame, 'latin1');
    const followed = Buffer.concat([bytes, Buffer.from('+NEXT\r\n')]);
    assert.equal(replyEnd(followed), bytes.length, frame);
    const scanner = new ReplyScanner(); // fed one more byte at a time, as a socket might
    for (let cut = 0; cut < bytes.length; cut++) {
      assert.equal(replyEnd(bytes.subarray(0, cut)), -1, `${escapeBytes(bytes)} cut at ${cut}`);
      assert.equal(scanner.scan(bytes.subarray(0, cut)), -1, `${escapeBytes(bytes)} resumed at ${cut}`);
    }
    assert.equal(scanner.scan(followed), bytes.length, `${escapeBytes(bytes)} resumed to the end`);
  }
  assert.throws(() => replyEnd(Buffer.from('?x\r\n')), /unknown type/);
  assert.throws(() => replyEnd(Buffer.from('$2\r\nabc\r\n')), /not followed by CRLF/);
  assert.throws(() => replyEnd(Buffer.from('*01\r\n')), /bad length/);
  assert.throws(() => replyEnd(Buffer.from('%-1\r\n')), /only valid/);
});

test('RawClient reassembles replies delivered byte by byte and keeps pipelined order', async () => {
  const canned = await startCannedServer([Buffer.from('*2\r\n$3\r\nfoo\r\n:1\r\n+OK\r\n'), Buffer.from('$-1\r\n')]);
  try {
    const client = await RawClient.connect(canned.port);
    const first = client.command('X');
    const second = client.readReply();
    assert.equal((await first).toString(), '*2\r\n$3\r\nfoo\r\n:1\r\n');
    assert.equal((await second).toString(), '+OK\r\n');
    assert.equal((await client.command('Y')).toString(), '$-1\r\n');
    assert.equal(client.unread().length, 0);
    await client.close();
  } finally {
    await canned.stop();
  }
});

test('RawClient reports incomplete replies, early close and bad framing with the bytes seen', async () => {
  const truncated = await startCannedServer([Buffer.from('$5\r\nab\r\n')]);
  const malformed = await startCannedServer([Buffer.from('$2\r\nabc\r\n')]);
  try {
    const client = await RawClient.connect(truncated.port);
    client.replyTimeoutMs = 300;
    await assert.rejects(client.command('X'), /no complete reply within 300ms; unparsed bytes: "\$5\\r\\nab\\r\\n"/);
    truncated.dropClients();
    await client.closed();
    await assert.rejects(client.readReply(), /connection closed; unparsed bytes/);

    const confused = await RawClient.connect(malformed.port);
    await assert.rejects(confused.command('X'), /bulk of 2 bytes not followed by CRLF/);
    await confused.close();
  } finally {
    await Promise.all([truncated.stop(), malformed.stop()]);
  }
});

test('compareWithRedis fails with the command and both escaped replies', async (t) => {
  const ours = await startCannedServer([Buffer.from('+PONG\r\n'), Buffer.from(':1\r\n')]);
  const theirs = await startCannedServer([Buffer.from('+PONG\r\n'), Buffer.from(':2\r\n')]);
  try {
    await assert.rejects(
      compareWithRedis(t, ours, theirs, [['PING'], ['INCR', 'k\n']]),
      (err: Error) => {
        assert.match(err.message, /command #1/);
        assert.match(err.message, /command: "INCR" "k\\n"/);
        assert.match(err.message, /ours: {4}":1\\r\\n"/);
        assert.match(err.message, /redis: {3}":2\\r\\n"/);
        return true;
      },
    );
  } finally {
    await Promise.all([ours.stop(), theirs.stop()]);
  }
});

test('against redis-server', async (t) => {
  const redis = await startRedis(['--enable-debug-command', 'yes']);
  if (!redis) return t.skip('redis-server not installed');
  t.after(() => redis.stop());

  await t.test('RESP2 replies are returned byte for byte', async (t) => {
    const client = await RawClient.connect(redis.port);
    const expect = async (args: string[], raw: string) => assert.equal((await client.command(...args)).toString('latin1'), raw, args.join(' '));
    await expect(['PING'], '+PONG\r\n');
    await expect(['SET', 'k', 'a\r\nb'], '+OK\r\n');
    await expect(['GET', 'k'], '$4\r\na\r\nb\r\n');
    await expect(['GET', 'missing'], '$-1\r\n');
    await expect(['INCR', 'n'], ':1\r\n');
    await expect(['BLPOP', 'nolist', '0.01'], '*-1\r\n');
    await expect(['LRANGE', 'nolist', '0', '-1'], '*0\r\n');
    await expect(['EVAL', "return {1, {2, 'x'}, {}}", '0'], '*3\r\n:1\r\n*2\r\n:2\r\n$1\r\nx\r\n*0\r\n');
    await expect(['DEBUG', 'PROTOCOL', 'attrib'], '$39\r\nSome real reply following the attribute\r\n');
    const unknown = await client.command('NOSUCHCMD', 'a');
    assert.equal(unknown.toString(), "-ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' \r\n");
    // Inline command and a pipeline in one write.
    client.send('PING\r\n*1\r\n$4\r\nPING\r\n');
    assert.equal((await client.readReply()).toString(), '+PONG\r\n');
    assert.equal((await client.readReply()).toString(), '+PONG\r\n');
    await client.close();
  });

  await t.test('RESP3 types, attributes and push replies are framed exactly', async (t) => {
    const client = await RawClient.connect(redis.port);
    const hello = await client.command('HELLO', '3');
    assert.match(hello.toString(), /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
    const debug = async (kind: string) => (await client.command('DEBUG', 'PROTOCOL', kind)).toString('latin1');
    assert.equal(await debug('double'), ',3.141\r\n');
    assert.equal(await debug('bignum'), '(1234567999999999999999999999999999999\r\n');
    assert.equal(await debug('null'), '_\r\n');
    assert.equal(await debug('set'), '~3\r\n:0\r\n:1\r\n:2\r\n');
    assert.equal(await debug('map'), '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n');
    assert.equal(await debug('verbatim'), '=29\r\ntxt:This is a verbatim\nstring\r\n');
    assert.equal(
      await debug('attrib'),
      '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n',
    );
    // A push is a reply of its own, ahead of the command's reply.
    assert.equal(await debug('push'), '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');
    assert.equal((await client.readReply()).toString(), '$40\r\nSome real reply following the push reply\r\n');
    await client.command('HSET', 'h', 'f', 'v');
    assert.equal((await client.command('HGETALL', 'h')).toString(), '%1\r\n$1\r\nf\r\n$1\r\nv\r\n');
    assert.equal((await client.command('SUBSCRIBE', 'ch')).toString(), '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    await client.close();
  });

  await t.test('the server closing the connection resolves closed()', async (t) => {
    const client = await RawClient.connect(redis.port);
    assert.equal((await client.command('QUIT')).toString(), '+OK\r\n');
    await client.closed();
    assert.equal(client.unread().length, 0);
  });

  await t.test('compareWithRedis passes for identical servers in RESP2 and RESP3', async (t) => {
    const twin = (await startRedis())!;
    try {
      const script = [['SET', 'a', '1'], ['INCRBYFLOAT', 'a', '1.5'], ['HSET', 'h', 'x', '1'], ['HGETALL', 'h'], ['GET', Buffer.from([0xff, 0x00])]];
      await compareWithRedis(t, twin, redis, [['FLUSHALL'], ...script]);
      await compareWithRedis(t, twin, redis, [['FLUSHALL'], ...script], { proto: 3 });
    } finally {
      await twin.stop();
    }
  });

  await t.test('runRedisCli runs redis-cli against a port', async (t) => {
    const result = await runRedisCli(redis.port, ['ECHO', 'hi']);
    if (!result) return t.skip('redis-cli not installed');
    assert.deepEqual(result, { stdout: 'hi\n', stderr: '', code: 0 });
    const piped = await runRedisCli(redis.port, [], 'SET c 7\nINCR c\n');
    assert.equal(piped?.stdout, 'OK\n8\n');
  });
});

test('startServer answers PING and stop() ends the process', async (t) => {
  if (!serverAvailable()) return t.skip('dist/src/cli.js not built');
  const server = await startServer({ threads: 2 });
  const client = await RawClient.connect(server.port);
  assert.equal((await client.command('PING')).toString(), '+PONG\r\n');
  await client.close();
  await server.stop();
  assert.throws(() => process.kill(server.pid, 0), /ESRCH/);
});
