// Stream commands: byte-exact differential scripts against redis-server (RESP2
// and RESP3, 1 and 2 shard threads; explicit IDs, times normalized), a
// random-operation property test (block splitting, approximate trimming and
// XINFO's radix-tree figures included), blocking XREAD/XREADGROUP, and real
// clients.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startRedis, startServer, type RunningServer } from '../helpers/server';
import { compareWithRedis } from '../helpers/differential';
import { RawClient, encodeCommand } from '../helpers/resp';
import { runKeys } from './unordered';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
const redis4 = require('redis4');
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

/** Integer replies that are clock readings or idle times differ run to run. */
function maskIntegers(reply: Buffer): Buffer {
  return Buffer.from(reply.latin1Slice(0, reply.length).replace(/:\d+\r\n/g, ':N\r\n'), 'latin1');
}

/** Auto-generated IDs (the clock's ms) differ run to run. */
function maskAutoIds(reply: Buffer): Buffer {
  return Buffer.from(reply.latin1Slice(0, reply.length).replace(/\d{13}-\d+/g, 'T-S'), 'latin1');
}

/** Commands whose replies carry times: XPENDING with a range, XINFO CONSUMERS, XINFO STREAM FULL. */
function hasTimes(cmd: Array<string | Buffer>): boolean {
  const words = cmd.map((a) => String(a).toUpperCase());
  return (words[0] === 'XPENDING' && cmd.length > 3) || (words[0] === 'XINFO' && (words[1] === 'CONSUMERS' || words.includes('FULL')));
}

async function compareEverywhere(t: { skip(msg?: string): void }, name: string, script: (prefix: string) => Script): Promise<void> {
  for (const [threads, ours] of [[1, ours1], [2, ours2]] as const) {
    for (const proto of [2, 3] as const) {
      const commands = script(`${name}:${threads}:${proto}:`);
      const normalize = (i: number, reply: Buffer) => maskAutoIds(hasTimes(commands[i]) ? maskIntegers(reply) : reply);
      await compareWithRedis(t as never, ours, redis, commands, { proto, normalize });
    }
  }
}

async function onAll(...args: string[]): Promise<void> {
  for (const server of [ours1, ours2, redis]) {
    if (server === null) continue;
    const client = await RawClient.connect(server.port, server.host);
    await client.command(...args);
    await client.close();
  }
}

test('XADD, XLEN, XRANGE, XREVRANGE and their errors match redis', async (t) => {
  await compareEverywhere(t, 'basic', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['XADD', a, '1-1', 'f', 'v'], ['XADD', a, '1-2', 'f', 'v2', 'g', '1'], ['XADD', a, '1-*', 'f', 'v3'], ['XADD', a, '5', 'field', 'x'],
      ['XADD', a, '5-*', 'f', ''], ['XADD', a, '4-1', 'f', 'v'], ['XADD', a, '5-3', 'f', 'v'], ['XADD', a, '0-0', 'f', 'v'], ['XADD', b, '0-*', 'f', 'v'],
      ['XADD', a, 'abc', 'f', 'v'], ['XADD', a, '1-x', 'f', 'v'], ['XADD', a, '-', 'f', 'v'], ['XADD', a, '+', 'f', 'v'], ['XADD', a, ' 7', 'f', 'v'],
      ['XADD', a, '+8-1', 'f', 'v'], ['XADD', a, '009-1', 'f', 'v'], ['XADD', a, '10-*', 'f'], ['XADD', a, '10', 'f', 'v', 'g'], ['XADD', a],
      ['XLEN', a], ['XLEN', b], ['XLEN', 'nokey'], ['XRANGE', a, '-', '+'], ['XREVRANGE', a, '+', '-'], ['XRANGE', a, '1', '1'],
      ['XRANGE', a, '(1-1', '+'], ['XRANGE', a, '-', '(5-0'], ['XRANGE', a, '(1-1', '(5-0'], ['XRANGE', a, '5', '5-0'], ['XRANGE', a, '-', '+', 'COUNT', '2'],
      ['XRANGE', a, '-', '+', 'COUNT', '0'], ['XRANGE', a, '-', '+', 'COUNT', '-3'], ['XRANGE', a, '-', '+', 'COUNT'], ['XRANGE', a, '-', '+', 'LIMIT', '1'],
      ['XRANGE', a, '(-', '+'], ['XRANGE', a, '-', '(+'], ['XRANGE', a, '(18446744073709551615-18446744073709551615', '+'], ['XRANGE', a, '-', '(0-0'],
      ['XREVRANGE', a, '(5-1', '(1-1'], ['XREVRANGE', a, '+', '-', 'COUNT', '1'], ['XRANGE', 'nokey', '-', '+', 'COUNT', '0'], ['XRANGE', a, 'x', '+'],
      ['XADD', b, '18446744073709551615-18446744073709551614', 'f', 'v'], ['XADD', b, '18446744073709551615-*', 'f', 'v'], ['XADD', b, '*', 'f', 'v'],
      ['XRANGE', b, '18446744073709551615', '+'], ['XADD', b, '18446744073709551616-1', 'f', 'v'],
      ['XADD', a, 'NOMKSTREAM', '20', 'a', 'b'], ['XADD', 'nokey', 'NOMKSTREAM', '*', 'a', 'b'], ['EXISTS', 'nokey'],
      ['SET', 'str', 'x'], ['XADD', 'str', '*', 'a', 'b'], ['XLEN', 'str'], ['XRANGE', 'str', '-', '+'], ['DEL', 'str'],
      ['TYPE', a], ['OBJECT', 'ENCODING', a], ['XADD', a, Buffer.from([0, 0xff, 13, 10]), 'v'], ['XADD', a, '30', Buffer.from([0, 0xff, 13, 10]), '123'],
      ['XRANGE', a, '30', '+'], ['XADD', a, '*', 'f', 'v'],
    ];
  });
});

test('XDEL, XTRIM, XADD trimming and XSETID match redis', async (t) => {
  await onAll('CONFIG', 'SET', 'stream-node-max-entries', '4');
  try {
    await compareEverywhere(t, 'trim', (p) => {
      const { a, b } = runKeys(p);
      const fill: Script = [];
      for (let i = 1; i <= 30; i++) fill.push(['XADD', a, `${i}-0`, i % 3 ? 'f' : 'g', String(i)]);
      return [
        ...fill, ['XINFO', 'STREAM', a], ['XDEL', a, '2-0', '3', '99-1', '2-0'], ['XDEL', a, 'bad'], ['XLEN', a], ['XINFO', 'STREAM', a],
        ['XTRIM', a, 'MAXLEN', '~', '25'], ['XLEN', a], ['XTRIM', a, 'MAXLEN', '=', '24'], ['XTRIM', a, 'MAXLEN', '24'], ['XINFO', 'STREAM', a],
        ['XTRIM', a, 'MINID', '~', '14'], ['XTRIM', a, 'MINID', '14'], ['XRANGE', a, '-', '+'], ['XINFO', 'STREAM', a],
        ['XTRIM', a, 'MAXLEN', '~', '2', 'LIMIT', '4'], ['XTRIM', a, 'MAXLEN', '~', '2', 'LIMIT', '3'], ['XLEN', a],
        ['XTRIM', a, 'MAXLEN', '2', 'LIMIT', '3'], ['XTRIM', a, 'LIMIT', '3'], ['XTRIM', a], ['XTRIM', a, 'MAXLEN'], ['XTRIM', a, 'MAXLEN', '-1'],
        ['XTRIM', a, 'MAXLEN', '1', 'MINID', '1'], ['XTRIM', a, 'MAXLEN', 'x'], ['XTRIM', a, 'MINID', '+'], ['XTRIM', a, 'MAXLEN', '1', 'LIMIT', '-1'],
        ['XTRIM', 'nokey', 'MAXLEN', '0'], ['XADD', a, 'MAXLEN', '3', '40', 'f', 'v'], ['XADD', a, 'MINID', '=', '40', '41', 'f', 'v'],
        ['XADD', a, 'MAXLEN', '~', '0', 'LIMIT', '0', '42', 'f', 'v'], ['XADD', a, 'LIMIT', '5', '43', 'f', 'v'], ['XINFO', 'STREAM', a],
        ['XTRIM', a, 'MAXLEN', '0'], ['XLEN', a], ['XINFO', 'STREAM', a], ['EXISTS', a],
        ['XSETID', a, '50'], ['XSETID', a, '49'], ['XSETID', a, '60', 'ENTRIESADDED', '100', 'MAXDELETEDID', '55'], ['XINFO', 'STREAM', a],
        ['XSETID', a, '60', 'ENTRIESADDED', '-1'], ['XSETID', a, '60', 'MAXDELETEDID', '61'], ['XSETID', a, '60', 'BOGUS'], ['XSETID', b, '1'],
        ['XADD', b, '1', 'a', 'b'], ['XADD', b, '2', 'a', 'b'], ['XSETID', b, '2', 'ENTRIESADDED', '1'], ['XSETID', b, '1-5'], ['XSETID', b, '+'],
        ['XADD', b, 'MAXLEN', '0', '3', 'a', 'b'], ['XINFO', 'STREAM', b], ['XDEL', b, '3'],
      ];
    });
  } finally {
    await onAll('CONFIG', 'SET', 'stream-node-max-entries', '100');
  }
});

test('consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO match redis', async (t) => {
  await compareEverywhere(t, 'groups', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['XGROUP', 'CREATE', a, 'g', '$'], ['XGROUP', 'CREATE', a, 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', a, 'g', '$', 'MKSTREAM'],
      ['XADD', a, '1', 'f', '1'], ['XADD', a, '2', 'f', '2'], ['XADD', a, '3', 'f', '3'], ['XADD', a, '4', 'f', '4'], ['XADD', a, '5', 'f', '5'],
      ['XGROUP', 'CREATE', a, 'g0', '0', 'ENTRIESREAD', '0'], ['XGROUP', 'CREATE', a, 'g1', '2', 'ENTRIESREAD', 'x'], ['XGROUP', 'CREATE', a, 'g1', '2', 'ENTRIESREAD', '-2'],
      ['XGROUP', 'CREATE', a, 'g1', '+'], ['XGROUP', 'CREATE', a, 'g1', '2', 'BOGUS'], ['XGROUP', 'CREATE', a, 'g1', '2', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM', 'MKSTREAM'],
      ['XINFO', 'GROUPS', a], ['XREADGROUP', 'GROUP', 'g0', 'alice', 'COUNT', '2', 'STREAMS', a, '>'], ['XREADGROUP', 'GROUP', 'g0', 'bob', 'STREAMS', a, '>'],
      ['XREADGROUP', 'GROUP', 'g0', 'bob', 'STREAMS', a, '>'], ['XREADGROUP', 'GROUP', 'g0', 'alice', 'STREAMS', a, '0'], ['XREADGROUP', 'GROUP', 'g0', 'bob', 'COUNT', '1', 'STREAMS', a, '3'],
      ['XINFO', 'GROUPS', a], ['XPENDING', a, 'g0'], ['XPENDING', a, 'g0', '-', '+', '10'], ['XPENDING', a, 'g0', '(1', '(5', '10', 'bob'],
      ['XPENDING', a, 'g0', 'IDLE', '0', '-', '+', '10', 'alice'], ['XPENDING', a, 'g0', 'IDLE', '0', '-', '+'], ['XPENDING', a, 'g0', '-', '+'],
      ['XPENDING', a, 'g0', '-', '+', 'x'], ['XPENDING', a, 'g0', 'x', '+', '1'], ['XPENDING', a, 'nogroup'], ['XPENDING', 'nokey', 'g'], ['XPENDING', a, 'g0', '-', '+', '10', 'nobody'],
      ['XACK', a, 'g0', '1', '9', '1'], ['XACK', a, 'g0', '2', 'bad'], ['XACK', a, 'nogroup', '2'], ['XACK', 'nokey', 'g', '2'], ['XPENDING', a, 'g0'],
      ['XCLAIM', a, 'g0', 'carol', '0', '2', '3', '9', 'JUSTID'], ['XCLAIM', a, 'g0', 'carol', '0', '4', 'RETRYCOUNT', '7', 'IDLE', '5'], ['XPENDING', a, 'g0', '-', '+', '10'],
      ['XCLAIM', a, 'g0', 'carol', 'x', '4'], ['XCLAIM', a, 'g0', 'carol', '0', '4', 'BOGUS'], ['XCLAIM', a, 'g0', 'carol', '0', '4', 'IDLE', 'x'], ['XCLAIM', a, 'nog', 'c', '0', '4'],
      ['XCLAIM', a, 'g0', 'dave', '0', '1', 'FORCE', 'JUSTID'], ['XCLAIM', a, 'g0', 'dave', '0', '4', 'LASTID', '100', 'JUSTID'], ['XINFO', 'GROUPS', a],
      ['XDEL', a, '3'], ['XAUTOCLAIM', a, 'g0', 'erin', '0', '0', 'COUNT', '1'], ['XAUTOCLAIM', a, 'g0', 'erin', '0', '0', 'COUNT', '10', 'JUSTID'],
      ['XAUTOCLAIM', a, 'g0', 'erin', '0', '0', 'COUNT', '0'], ['XAUTOCLAIM', a, 'g0', 'erin', '0', '0', 'COUNT', '8070450532247928833'], ['XAUTOCLAIM', a, 'g0', 'erin', 'x', '0'],
      ['XAUTOCLAIM', a, 'g0', 'erin', '0', '(18446744073709551615-18446744073709551615'], ['XAUTOCLAIM', a, 'nog', 'erin', '0', '0'], ['XAUTOCLAIM', a, 'g0', 'erin', '0', '0', 'BOGUS'],
      ['XINFO', 'CONSUMERS', a, 'g0'], ['XINFO', 'CONSUMERS', a, 'nog'], ['XINFO', 'STREAM', a, 'FULL'], ['XINFO', 'STREAM', a, 'FULL', 'COUNT', '1'],
      ['XINFO', 'STREAM', a, 'FULL', 'COUNT'], ['XINFO', 'STREAM', a, 'BOGUS'], ['XINFO', 'STREAM', 'nokey'], ['XINFO', 'GROUPS', 'nokey'], ['XINFO', 'HELP'], ['XINFO', 'HELP', 'x'],
      ['XINFO', 'BOGUS', a], ['XGROUP', 'HELP'], ['XGROUP', 'BOGUS', a, 'g'], ['XGROUP', 'SETID', a, 'g0', '0', 'ENTRIESREAD', '0'], ['XGROUP', 'SETID', a, 'nog', '0'],
      ['XGROUP', 'SETID', a, 'g0', '$'], ['XGROUP', 'SETID', a, 'g0', '-', 'MKSTREAM'], ['XINFO', 'GROUPS', a], ['XGROUP', 'CREATECONSUMER', a, 'g0', 'zed'],
      ['XGROUP', 'CREATECONSUMER', a, 'g0', 'zed'], ['XGROUP', 'CREATECONSUMER', a, 'nog', 'zed'], ['XGROUP', 'DELCONSUMER', a, 'g0', 'carol'], ['XGROUP', 'DELCONSUMER', a, 'g0', 'nobody'],
      ['XPENDING', a, 'g0'], ['XGROUP', 'DESTROY', a, 'g0'], ['XGROUP', 'DESTROY', a, 'g0'], ['XGROUP', 'DESTROY', b, 'g0'], ['XINFO', 'GROUPS', a],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', a, '$'], ['XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', a, '>'], ['XREADGROUP', 'STREAMS', a, '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', a, '>'], ['XPENDING', a, 'g'], ['XINFO', 'CONSUMERS', a, 'g'],
      ['COPY', a, `${a}:copy`], ['XINFO', 'STREAM', `${a}:copy`, 'FULL'], ['TYPE', `${a}:copy`],
    ];
  });
});

test('XREAD without blocking, on one or several shards, matches redis', async (t) => {
  await compareEverywhere(t, 'xread', (p) => {
    const { a, b, c } = runKeys(p);
    return [
      ['XADD', a, '1', 'f', 'a1'], ['XADD', a, '2', 'f', 'a2'], ['XADD', b, '1', 'f', 'b1'], ['XADD', c, '7', 'f', 'c7'],
      ['XREAD', 'STREAMS', a, '0'], ['XREAD', 'COUNT', '1', 'STREAMS', a, b, c, '0', '0', '0'], ['XREAD', 'STREAMS', a, b, '1', '1'], ['XREAD', 'STREAMS', a, b, '$', '$'],
      ['XREAD', 'STREAMS', 'nokey', a, '0', '1'], ['XREAD', 'STREAMS', a, a, '0', '1'], ['XREAD', 'STREAMS', a], ['XREAD', 'STREAMS', a, b, '0'], ['XREAD', 'COUNT', 'x', 'STREAMS', a, '0'],
      ['XREAD', 'BLOCK', '-1', 'STREAMS', a, '0'], ['XREAD', 'BLOCK', 'x', 'STREAMS', a, '0'], ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', a, '0'], ['XREAD', 'NOACK', 'STREAMS', a, '0'],
      ['XREAD', 'STREAMS', a, '>'], ['XREAD', 'STREAMS', a, '-'], ['XREAD', 'BOGUS', 'STREAMS', a, '0'], ['XREAD', 'COUNT', '1', a, '0'], ['XREAD', 'BLOCK', '10', 'STREAMS', a, '0'],
      ['SET', `${p}str`, 'x'], ['XREAD', 'STREAMS', `${p}str`, '0'], ['XREAD', 'STREAMS', a, b, c, '2', '1', '7'],
      ['XGROUP', 'CREATE', a, 'g', '0'], ['XGROUP', 'CREATE', b, 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', a, b, '>', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', a, b, '0', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', a, c, '>', '>'], ['XPENDING', a, 'g'],
      ['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', a, '$'], ['EXEC'],
    ];
  });
});

test('random stream operations match redis (blocks, trimming, XINFO)', async (t) => {
  if (redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const id = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => `${ms}-${seq}`);
  const field = fc.constantFrom('f', 'g', '1', '-20', 'x'.repeat(70), '');
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constant('XADD'), id, field, field) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('XADD'), fc.constant('*'), field, fc.constant('v')) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('XDEL'), id, id) },
    fc.tuple(fc.constant('XTRIM'), fc.constantFrom('MAXLEN', 'MINID'), fc.constantFrom('=', '~'), fc.constantFrom('0', '3', '8', '20-0', '40')),
    fc.tuple(fc.constant('XRANGE'), id, fc.constantFrom('+', '60')),
    fc.tuple(fc.constant('XREVRANGE'), fc.constant('+'), id, fc.constant('COUNT'), fc.constantFrom('1', '5')),
    fc.tuple(fc.constant('XLEN')),
    fc.tuple(fc.constant('XINFO'), fc.constant('STREAM')),
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 200 }), fc.constantFrom('2', '3', '5', '100'), async (ops, nodeEntries) => {
      run++;
      for (const [threads, ours] of [[1, ours1], [2, ours2]] as const) {
        const key = `prop:stream:${run}:${threads}`;
        const script: Script = [['CONFIG', 'SET', 'stream-node-max-entries', nodeEntries], ['CONFIG', 'SET', 'stream-node-max-bytes', '120'], ...ops.map(([name, ...args]): string[] =>
          name === 'XINFO' ? [name, args[0] as string, key] : [name, key, ...(args as string[])])];
        await compareWithRedis(t, ours, redis, script, { normalize: (_i, reply) => maskAutoIds(reply) });
      }
    }),
    { numRuns: 25 },
  );
  assert.equal(run, 25);
  await onAll('CONFIG', 'SET', 'stream-node-max-entries', '100');
  await onAll('CONFIG', 'SET', 'stream-node-max-bytes', '4096');
});

/** Sends a command whose reply comes later (a blocking one); resolves with that reply. */
function deferred(client: RawClient, ...args: string[]): Promise<Buffer> {
  client.send(encodeCommand(args));
  return client.readReply();
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const threads of [1, 2]) {
  test(`blocking XREAD and XREADGROUP (threads ${threads})`, async () => {
    const server = threads === 1 ? ours1 : ours2;
    const waiter = await RawClient.connect(server.port, server.host);
    const writer = await RawClient.connect(server.port, server.host);
    const k = `block:${threads}:`;
    try {
      // `$` means "after the last ID when the call blocked", even though the re-run comes later.
      await writer.command('XADD', `${k}s`, '1', 'old', 'x');
      let reply = deferred(waiter, 'XREAD', 'BLOCK', '0', 'STREAMS', `${k}s`, '$');
      await pause(50);
      await writer.command('XADD', `${k}s`, '2', 'new', 'y');
      assert.equal((await reply).toString(), `*1\r\n*2\r\n$${k.length + 1}\r\n${k}s\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$3\r\nnew\r\n$1\r\ny\r\n`);

      // A transaction that adds then deletes does not wake the reader.
      reply = deferred(waiter, 'XREAD', 'BLOCK', '0', 'STREAMS', `${k}t`, '$');
      await pause(50);
      await writer.command('MULTI');
      await writer.command('XADD', `${k}t`, '5', 'gone', '1');
      await writer.command('DEL', `${k}t`);
      await writer.command('EXEC');
      await writer.command('XADD', `${k}t`, '6', 'kept', '1');
      assert.match((await reply).toString(), /6-0.*kept/s);

      // Timeout: a null reply.
      assert.equal((await deferred(waiter, 'XREAD', 'BLOCK', '30', 'STREAMS', `${k}s`, '$')).toString(), '*-1\r\n');

      // XREADGROUP >: served with new entries and recorded as pending.
      await writer.command('XGROUP', 'CREATE', `${k}s`, 'g', '$');
      reply = deferred(waiter, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', `${k}s`, '>');
      await pause(50);
      await writer.command('XADD', `${k}s`, '3', 'f', 'v');
      assert.match((await reply).toString(), /3-0/);
      assert.match((await writer.command('XPENDING', `${k}s`, 'g')).toString(), /^\*4\r\n:1\r\n/);

      // Deleting the stream, or its group, fails the blocked XREADGROUP.
      reply = deferred(waiter, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', `${k}s`, '>');
      await pause(50);
      await writer.command('XGROUP', 'DESTROY', `${k}s`, 'g');
      assert.equal((await reply).toString(), '-NOGROUP the consumer group this client was blocked on no longer exists\r\n');
      await writer.command('XGROUP', 'CREATE', `${k}s`, 'g', '$');
      reply = deferred(waiter, 'XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', `${k}s`, '>');
      await pause(50);
      await writer.command('DEL', `${k}s`);
      assert.equal((await reply).toString(), '-UNBLOCKED the stream key no longer exists\r\n');
    } finally {
      await Promise.all([waiter.close(), writer.close()]);
    }
  });
}

test('XREAD BLOCK over keys of different shards does not block', async () => {
  const { a, b } = runKeys('cross:');
  const client = await RawClient.connect(ours2.port, ours2.host);
  try {
    assert.match((await client.command('XREAD', 'BLOCK', '0', 'STREAMS', a, b, '$', '$')).toString(), /^-ERR XREAD would block on keys of different shards/);
    await client.command('XADD', b, '1', 'f', 'v');
    assert.match((await client.command('XREAD', 'BLOCK', '0', 'STREAMS', a, b, '0', '0')).toString(), /1-0/);
  } finally {
    await client.close();
  }
});

test('real clients: ioredis and node-redis use streams', async () => {
  const io = new IORedis5({ port: ours2.port, host: ours2.host });
  const reader = new IORedis5({ port: ours2.port, host: ours2.host });
  const nodeRedis = redis4.createClient({ socket: { port: ours1.port, host: ours1.host } });
  try {
    const id = await io.xadd('client:s', '*', 'a', '1');
    assert.match(id, /^\d+-\d+$/);
    assert.deepEqual(await io.xrange('client:s', '-', '+'), [[id, ['a', '1']]]);
    const pending = reader.xread('BLOCK', 5000, 'STREAMS', 'client:s', '$');
    await pause(50);
    const id2 = await io.xadd('client:s', 'MAXLEN', '~', '1000', '*', 'b', '2');
    assert.deepEqual(await pending, [['client:s', [[id2, ['b', '2']]]]]);
    await io.xgroup('CREATE', 'client:s', 'workers', '0');
    const batch = await io.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 10, 'STREAMS', 'client:s', '>');
    assert.equal(batch[0][1].length, 2);
    assert.equal(await io.xack('client:s', 'workers', id, id2), 2);

    await nodeRedis.connect();
    const nrId = await nodeRedis.xAdd('client:nr', '5-1', { k: 'v' });
    assert.equal(nrId, '5-1');
    assert.deepEqual((await nodeRedis.xRange('client:nr', '-', '+')).map((e: { id: string; message: object }) => ({ id: e.id, message: { ...e.message } })), [{ id: '5-1', message: { k: 'v' } }]);
    assert.equal(await nodeRedis.xLen('client:nr'), 1);
  } finally {
    io.disconnect();
    reader.disconnect();
    if (nodeRedis.isOpen) await nodeRedis.quit();
  }
});
