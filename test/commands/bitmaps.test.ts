// Bitmap commands: byte-exact differential tests against redis-server (RESP2
// and RESP3, 1 and 2 shard threads, BITOP with keys on different shards), a
// fast-check property test of random SETBIT/GETBIT/BITCOUNT/BITPOS/BITFIELD/
// BITOP sequences against redis-server, handler-level WRONGTYPE checks and
// smoke tests with real clients.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { keyOnShard, runKeys } from '../helpers/shards';
import { compareEverywhere, suiteServers, type Script } from '../helpers/suite';
import { HandlerHarness, WRONGTYPE } from '../helpers/handler-context';
import { eachIORedisClient, eachNodeRedisClient } from '../helpers/clients';
import { bitmapCommands } from '../../src/commands/bitmaps';
import { NO_EXPIRE } from '../../src/store/types';

const servers = suiteServers();

test('SETBIT and GETBIT match redis, including offset and value errors', async (t) => {
  await compareEverywhere(t, servers, 'setbit', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['GETBIT', a, '0'], ['SETBIT', a, '1', '1'], ['GET', a], ['SETBIT', a, '1', '1'], ['SETBIT', a, '1', '0'], ['GET', a],
      ['SETBIT', a, '7', '1'], ['SETBIT', a, '8', '1'], ['SETBIT', a, '100', '1'], ['GET', a], ['GETBIT', a, '100'], ['GETBIT', a, '99'],
      ['GETBIT', a, '100000'], ['STRLEN', a], ['SETBIT', a, '200', '0'], ['STRLEN', a],
      ['SETBIT', a, '-1', '1'], ['SETBIT', a, 'x', '1'], ['SETBIT', a, '1.5', '1'], ['SETBIT', a, '4294967296', '1'],
      ['SETBIT', a, '9223372036854775807', '1'], ['SETBIT', a, '9223372036854775808', '1'], ['SETBIT', a, '', '1'],
      ['SETBIT', a, '0', '2'], ['SETBIT', a, '0', '-1'], ['SETBIT', a, '0', 'x'], ['SETBIT', a, '0', ''], ['SETBIT', a, 'x', 'x'],
      ['GETBIT', a, '-1'], ['GETBIT', a, 'x'], ['GETBIT', a, '4294967296'], ['GETBIT', `${a}:none`, 'x'],
      ['SET', b, '12'], ['GETBIT', b, '2'], ['GETBIT', b, '3'], ['SETBIT', b, '7', '1'], ['GET', b],
      ['SET', b, 'v', 'EX', '1000'], ['SETBIT', b, '30', '1'], ['TTL', b], ['GET', b],
      ['SETBIT', a, '1'], ['GETBIT', a], ['SETBIT', a, '1', '1', '1'],
    ];
  });
});

test('BITCOUNT matches redis, with BYTE/BIT ranges, negative indexes and 64-bit edges', async (t) => {
  await compareEverywhere(t, servers, 'bitcount', (p) => {
    const { a, b } = runKeys(p);
    const script: Script = [
      ['BITCOUNT', a], ['BITCOUNT', a, '0', 'x'], ['BITCOUNT', a, 'x'], ['BITCOUNT', a, '0', '1', 'BIT', 'x'],
      ['SET', a, 'foobar'], ['BITCOUNT', a], ['SET', b, ''], ['BITCOUNT', b], ['BITCOUNT', b, '0', '-1'], ['BITCOUNT', b, '0', '-1', 'BIT'],
      ['BITCOUNT', a, '0'], ['BITCOUNT', a, '0', '1', '2'], ['BITCOUNT', a, '0', '1', 'BIT', 'x'], ['BITCOUNT', a, '0', '1', 'bits'],
      ['BITCOUNT', a, 'x', '1'], ['BITCOUNT', a, '1', 'x'], ['BITCOUNT', a, '-1', '-5', 'bogus'], ['BITCOUNT', a, '-5', '-1', 'bogus'],
      ['BITCOUNT', a, '-9223372036854775808', '9223372036854775807'], ['BITCOUNT', a, '9223372036854775807', '-9223372036854775808'],
      ['BITCOUNT', a, '-9223372036854775807', '-9223372036854775808'], ['BITCOUNT', a, '-9223372036854775808', '-9223372036854775807', 'BIT'],
      ['BITCOUNT', a, '9223372036854775808', '1'], ['SET', `${a}:int`, '-1234567'], ['BITCOUNT', `${a}:int`, '1', '3'],
    ];
    for (const [s, e] of [['0', '0'], ['1', '1'], ['0', '-1'], ['-2', '-1'], ['5', '30'], ['-100', '100'], ['3', '2'], ['-1', '-2'], ['2', '-3'], ['-3', '5']]) {
      script.push(['BITCOUNT', a, s, e], ['BITCOUNT', a, s, e, 'byte'], ['BITCOUNT', a, s, e, 'BIT']);
    }
    for (const [s, e] of [['5', '30'], ['1', '6'], ['7', '8'], ['0', '47'], ['13', '13'], ['-9', '-2'], ['9', '14']]) script.push(['BITCOUNT', a, s, e, 'bit']);
    return script;
  });
});

test('BITPOS matches redis, with intervals, BIT ranges and the zero-padding rule', async (t) => {
  await compareEverywhere(t, servers, 'bitpos', (p) => {
    const { a } = runKeys(p);
    const script: Script = [
      ['BITPOS', a, '0'], ['BITPOS', a, '1'], ['BITPOS', a, '2'], ['BITPOS', a, 'x'], ['BITPOS', a, '1', 'x'],
      ['SET', a, ''], ['BITPOS', a, '0'], ['BITPOS', a, '1'], ['BITPOS', a, '0', '0'], ['BITPOS', a, '0', '0', '-1', 'BIT'],
      ['SET', a, Buffer.from([0xff, 0xf0, 0x00])], ['BITPOS', a, '1', '0', '-1', 'bogus'], ['BITPOS', a, '1', '0', '1', 'BIT', 'x'],
      ['BITPOS', a, '1', 'x'], ['BITPOS', a, '1', '0', 'x'], ['BITPOS', a, '1', '0', 'x', 'bogus'], ['BITPOS', a, '1', '0', '1', 'bits'],
      ['BITPOS', a, '-1'], ['BITPOS', a, '01'],
      ['SET', a, Buffer.from([0xff, 0xff, 0xff])], ['BITPOS', a, '0'], ['BITPOS', a, '0', '0'], ['BITPOS', a, '0', '0', '-1'],
      ['BITPOS', a, '0', '0', '-1', 'bit'], ['BITPOS', a, '0', '1'], ['BITPOS', a, '1', '3'],
      ['SET', a, Buffer.from([0x00, 0x00, 0x00])], ['BITPOS', a, '1'], ['BITPOS', a, '1', '1'], ['BITPOS', a, '0', '1'],
      ['BITPOS', a, '0', '9223372036854775807'], ['BITPOS', a, '0', '-9223372036854775808'], ['BITPOS', a, '0', '0', '9223372036854775807'],
    ];
    const patterns = [Buffer.from([0x00, 0x0f, 0xf0, 0xff, 0x01]), Buffer.from([0xff, 0xfe, 0x7f, 0xff, 0x80]), Buffer.from('hello world')];
    for (const value of patterns) {
      script.push(['SET', a, value]);
      for (const bit of ['0', '1']) {
        script.push(['BITPOS', a, bit]);
        for (const s of ['0', '1', '2', '-1', '-3', '10']) {
          script.push(['BITPOS', a, bit, s]);
          for (const e of ['0', '1', '3', '-1', '-2', '100']) script.push(['BITPOS', a, bit, s, e], ['BITPOS', a, bit, s, e, 'BYTE']);
        }
        for (const [s, e] of [['0', '7'], ['3', '12'], ['9', '9'], ['12', '15'], ['7', '33'], ['-10', '-1'], ['15', '16'], ['4', '3'], ['17', '38']]) {
          script.push(['BITPOS', a, bit, s, e, 'BIT']);
        }
      }
    }
    return script;
  });
});

test('BITOP matches redis, with sources and destination on different shards', async (t) => {
  await compareEverywhere(t, servers, 'bitop', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['SET', a, Buffer.from([0xff, 0x0f, 0x33])], ['SET', b, Buffer.from([0x0f, 0xff])], ['SET', c, 'x'],
      ['BITOP', 'AND', d, a, b], ['GET', d], ['BITOP', 'or', d, a, b, c], ['GET', d], ['BITOP', 'XOR', c, a, b, c], ['GET', c],
      ['BITOP', 'NOT', d, a], ['GET', d], ['BITOP', 'not', a, a], ['GET', a], ['BITOP', 'AND', d, a, `${a}:none`], ['GET', d],
      ['BITOP', 'OR', d, `${a}:none`, b], ['GET', d], ['BITOP', 'XOR', d, b], ['GET', d],
      ['SET', d, 'ttl', 'EX', '1000'], ['BITOP', 'AND', d, a], ['TTL', d],
      ['BITOP', 'AND', d, `${a}:none`, `${b}:none`], ['EXISTS', d], ['SET', `${b}:empty`, ''], ['BITOP', 'OR', b, `${b}:empty`], ['EXISTS', b],
      ['BITOP', 'NOT', d, a, b], ['BITOP', 'NOT', d], ['BITOP', 'NAND', d, a], ['BITOP', 'AND', d], ['BITOP', 'AND'],
      ['SET', a, '123'], ['BITOP', 'NOT', c, a], ['GET', c],
    ];
  });
});

test('BITFIELD and BITFIELD_RO match redis: types, #offsets, overflow policies and errors', async (t) => {
  await compareEverywhere(t, servers, 'bitfield', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['BITFIELD', a], ['EXISTS', a], ['BITFIELD', a, 'GET', 'u8', '0'], ['EXISTS', a],
      ['BITFIELD', a, 'SET', 'i8', '0', '-100', 'GET', 'u8', '0', 'GET', 'i4', '4', 'SET', 'u4', '#3', '15'], ['GET', a],
      ['BITFIELD', a, 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '1', 'INCRBY', 'u2', '102', '5'],
      ['BITFIELD', a, 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', '0', '200', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-1000', 'INCRBY', 'i8', '0', '1000'],
      ['BITFIELD', a, 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '1000', 'SET', 'u3', '0', '8', 'INCRBY', 'u3', '0', '-100', 'GET', 'i8', '0'],
      ['BITFIELD', a, 'SET', 'u8', '0', '300', 'OVERFLOW', 'SAT', 'SET', 'u8', '8', '300', 'SET', 'u8', '8', '-1', 'SET', 'i8', '8', '-300'],
      ['BITFIELD', a, 'SET', 'i64', '0', '-9223372036854775808', 'GET', 'i64', '0', 'GET', 'u63', '1', 'INCRBY', 'i64', '0', '-1'],
      ['BITFIELD', a, 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '9223372036854775807'],
      ['BITFIELD', a, 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1', 'SET', 'u63', '64', '-1', 'OVERFLOW', 'WRAP', 'SET', 'u63', '64', '-1', 'GET', 'u63', '64'],
      ['BITFIELD', a, 'INCRBY', 'u63', '64', '1', 'INCRBY', 'i1', '5', '1', 'GET', 'i1', '5', 'INCRBY', 'u1', '5', '3'], ['GET', a],
      ['BITFIELD', a, 'GET', 'u8', '#1000', 'GET', 'i16', '7', 'GET', 'u16', '100000', 'GET', 'i64', '#0'], ['STRLEN', a],
      ['BITFIELD', a, 'SET', 'u16', '#5', '65535', 'GET', 'u16', '#5', 'GET', 'u8', '#10'],
      ['BITFIELD', a, 'GET', 'u64', '0'], ['BITFIELD', a, 'GET', 'i65', '0'], ['BITFIELD', a, 'GET', 'i0', '0'], ['BITFIELD', a, 'GET', 'x8', '0'],
      ['BITFIELD', a, 'GET', 'I8', '0'], ['BITFIELD', a, 'GET', '', '0'], ['BITFIELD', a, 'GET', 'u', '0'], ['BITFIELD', a, 'GET', 'u08', '0'],
      ['BITFIELD', a, 'GET', 'u8', '-1'], ['BITFIELD', a, 'GET', 'u8', '#-1'], ['BITFIELD', a, 'GET', 'u8', '4294967296'], ['BITFIELD', a, 'GET', 'u8', 'x'],
      ['BITFIELD', a, 'GET', 'u8', '#536870912'], ['BITFIELD', a, 'GET', 'u8', '##1'], ['BITFIELD', a, 'GET', 'u8', '#'],
      ['BITFIELD', a, 'GET', 'i64', '#1152921504606846976'], ['BITFIELD', a, 'GET', 'i64', '#144115188075855872'],
      ['BITFIELD', a, 'SET', 'u8', '0', 'x'], ['BITFIELD', a, 'SET', 'u8', '0', '9223372036854775808'], ['BITFIELD', a, 'INCRBY', 'u8', '0', '1.5'],
      ['BITFIELD', a, 'OVERFLOW', 'bogus', 'GET', 'u8', '0'], ['BITFIELD', a, 'OVERFLOW'], ['BITFIELD', a, 'GET', 'u8'], ['BITFIELD', a, 'SET', 'u8', '0'],
      ['BITFIELD', a, 'bogus'], ['BITFIELD', a, 'GET', 'u8', '0', 'bogus'], ['BITFIELD', a, 'overflow', 'fail', 'incrby', 'u8', '0', '1', 'get', 'u8', '0'],
      ['BITFIELD', b, 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '100', '1000'], ['STRLEN', b], ['GET', b],
      ['SET', b, 'v', 'EX', '1000'], ['BITFIELD', b, 'SET', 'u8', '40', '1'], ['TTL', b], ['GET', b],
      ['BITFIELD_RO', a, 'GET', 'u8', '0', 'GET', 'i5', '#3'], ['BITFIELD_RO', a], ['BITFIELD_RO', a, 'SET', 'u8', '0', '1'],
      ['BITFIELD_RO', a, 'INCRBY', 'u8', '0', '1'], ['BITFIELD_RO', a, 'OVERFLOW', 'SAT', 'GET', 'u8', '0'], ['BITFIELD_RO', a, 'GET', 'u64', '0'],
      ['BITFIELD_RO', a, 'SET', 'u64', '0', '1'], ['BITFIELD_RO', `${a}:none`, 'GET', 'i8', '0'], ['BITFIELD'], ['BITFIELD_RO'],
    ];
  });
});

// ---- property test ---------------------------------------------------------------------

const offsetArb = fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 2000 }));
const indexArb = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -300, max: 300 }));
const unitArb = fc.constantFrom<string[]>([], ['BYTE'], ['BIT'], ['byte'], ['bit']);
const fieldTypeArb = fc.tuple(fc.constantFrom('i', 'u'), fc.integer({ min: 1, max: 64 })).map(([s, n]) => `${s}${s === 'u' && n === 64 ? 63 : n}`);
const fieldOffsetArb = fc.oneof(offsetArb.map(String), fc.integer({ min: 0, max: 20 }).map((n) => `#${n}`));
const int64Arb = fc.oneof(fc.integer({ min: -300, max: 300 }).map(String), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String));
const fieldOpArb = fc.oneof(
  fc.tuple(fc.constant('GET'), fieldTypeArb, fieldOffsetArb).map((x) => [...x]),
  fc.tuple(fc.constantFrom('SET', 'INCRBY'), fieldTypeArb, fieldOffsetArb, int64Arb).map((x) => [...x]),
  fc.tuple(fc.constant('OVERFLOW'), fc.constantFrom('WRAP', 'SAT', 'FAIL')).map((x) => [...x]),
);

/** One random bitmap command over keys k0..k3 (k0/k2 on shard 0, k1/k3 on shard 1). */
const bitOpArb = (keys: string[]): fc.Arbitrary<string[]> => {
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(key, offsetArb, fc.constantFrom('0', '1')).map(([k, o, v]) => ['SETBIT', k, String(o), v]) },
    { weight: 2, arbitrary: fc.tuple(key, offsetArb).map(([k, o]) => ['GETBIT', k, String(o)]) },
    { weight: 3, arbitrary: fc.tuple(key, fc.option(fc.tuple(indexArb, indexArb, unitArb))).map(([k, r]) => (r === null ? ['BITCOUNT', k] : ['BITCOUNT', k, String(r[0]), String(r[1]), ...r[2]])) },
    {
      weight: 3,
      arbitrary: fc.tuple(key, fc.constantFrom('0', '1'), fc.option(indexArb), fc.option(fc.tuple(indexArb, unitArb))).map(([k, b, s, e]) => {
        const cmd = ['BITPOS', k, b];
        if (s !== null) {
          cmd.push(String(s));
          if (e !== null) cmd.push(String(e[0]), ...e[1]);
        }
        return cmd;
      }),
    },
    { weight: 3, arbitrary: fc.tuple(key, fc.array(fieldOpArb, { minLength: 0, maxLength: 5 })).map(([k, ops]) => ['BITFIELD', k, ...ops.flat()]) },
    { weight: 1, arbitrary: fc.tuple(key, fc.array(fc.tuple(fieldTypeArb, fieldOffsetArb), { maxLength: 3 })).map(([k, ops]) => ['BITFIELD_RO', k, ...ops.flatMap(([ty, o]) => ['GET', ty, o])]) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('AND', 'OR', 'XOR'), key, fc.array(key, { minLength: 1, maxLength: 3 })).map(([op, d, src]) => ['BITOP', op, d, ...src]) },
    { weight: 1, arbitrary: fc.tuple(key, key).map(([d, s]) => ['BITOP', 'NOT', d, s]) },
    { weight: 1, arbitrary: key.map((k) => ['GET', k]) },
    { weight: 1, arbitrary: fc.tuple(key, fc.uint8Array({ maxLength: 12 })).map(([k, v]) => ['SET', k, Buffer.from(v).toString('latin1')]) },
  );
};

test('random bitmap command sequences give the same replies as redis (fast-check)', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  let run = 0;
  for (const ours of [servers.ours1, servers.ours2]) {
    const slots = ['a', 'b', 'c', 'd'];
    const template = slots.map((s, i) => keyOnShard(`prop:${s}:`, i % 2));
    await fc.assert(
      fc.asyncProperty(fc.array(bitOpArb(template), { minLength: 20, maxLength: 200 }), async (ops) => {
        // Fresh keys per run, keeping each key's shard.
        const prefix = `r${run++}:`;
        const rename = new Map(template.map((k, i) => [k, keyOnShard(`${prefix}${slots[i]}`, i % 2)]));
        // SET values were generated as latin1 text: send them back as the same bytes.
        const script = ops.map((cmd) => cmd.map((arg, i) => rename.get(arg) ?? (cmd[0] === 'SET' && i === 2 ? Buffer.from(arg, 'latin1') : arg)));
        script.push(...[...rename.values()].map((k) => ['GET', k]));
        await compareWithRedis(t, ours, servers.redis, script);
      }),
      { numRuns: 15 },
    );
  }
});

// ---- handler level -----------------------------------------------------------------------

test('handlers reply WRONGTYPE for a non-string key, after argument errors, and leave it alone', () => {
  const handlers = new HandlerHarness(bitmapCommands);
  const listValue = handlers.setList('list');
  handlers.db.setString(Buffer.from('s'), Buffer.from('abc'), NO_EXPIRE);
  for (const cmd of [
    ['SETBIT', 'list', '0', '1'], ['GETBIT', 'list', '0'], ['BITCOUNT', 'list'], ['BITCOUNT', 'list', '0', 'x'], ['BITPOS', 'list', '1'],
    ['BITPOS', 'list', '1', 'x'], ['BITFIELD', 'list'], ['BITFIELD', 'list', 'GET', 'u8', '0'], ['BITFIELD', 'list', 'SET', 'u8', '0', '1'],
    ['BITFIELD_RO', 'list', 'GET', 'u8', '0'], ['BITOP', 'AND', 'dest', 's', 'list'], ['BITOP', 'NOT', 'dest', 'list'],
  ]) {
    assert.equal(handlers.run(...cmd), WRONGTYPE, cmd.join(' '));
  }
  assert.equal(handlers.run('SETBIT', 'list', '-1', '1'), '-ERR bit offset is not an integer or out of range\r\n');
  assert.equal(handlers.run('SETBIT', 'list', '0', '2'), '-ERR bit is not an integer or out of range\r\n');
  assert.equal(handlers.run('BITPOS', 'list', '2'), '-ERR The bit argument must be 1 or 0.\r\n');
  assert.equal(handlers.run('BITFIELD_RO', 'list', 'SET', 'u8', '0', '1'), '-ERR BITFIELD_RO only supports the GET subcommand\r\n');
  assert.equal(handlers.run('BITOP', 'NOT', 'dest', 'list', 's'), '-ERR BITOP NOT must be called with a single source key.\r\n');
  // BITOP's destination may hold any type: it is overwritten.
  assert.equal(handlers.run('BITOP', 'OR', 'list2', 's'), ':3\r\n');
  handlers.assertList('list', listValue);
  assert.equal(handlers.db.find(Buffer.from('dest'), Date.now()), -1);
});

test('proto-max-bulk-len bounds bit offsets', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const script: Script = [
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'], ['SETBIT', 'pm:k', '8388607', '1'], ['STRLEN', 'pm:k'], ['SETBIT', 'pm:k', '8388608', '1'],
    ['GETBIT', 'pm:k', '8388608'], ['BITFIELD', 'pm:k', 'GET', 'u8', '8388600'], ['BITFIELD', 'pm:k', 'SET', 'u8', '8388608', '1'],
    ['BITFIELD', 'pm:k', 'SET', 'u8', '#1048575', '1'], ['BITFIELD', 'pm:k', 'SET', 'u8', '#1048576', '1'], ['DEL', 'pm:k'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
  ];
  await compareWithRedis(t, servers.ours1, servers.redis, script);
});

// ---- real clients --------------------------------------------------------------------------

test('ioredis 5 and 6: SETBIT/GETBIT/BITCOUNT/BITPOS/BITFIELD/BITOP at 1 and 2 threads', async () => {
  await eachIORedisClient([servers.ours1, servers.ours2], async (client) => {
    const [k1, k2, k3] = [keyOnShard('io:bm:a', 0), keyOnShard('io:bm:b', 1), keyOnShard('io:bm:c', 0)];
    await client.del(k1, k2, k3);
    assert.equal(await client.setbit(k1, 7, 1), 0);
    assert.equal(await client.setbit(k1, 7, 0), 1);
    assert.equal(await client.setbit(k1, 9, 1), 0);
    assert.equal(await client.getbit(k1, 9), 1);
    assert.equal(await client.bitcount(k1), 1);
    assert.equal(await client.bitpos(k1, 1), 9);
    assert.deepEqual(await client.bitfield(k2, 'SET', 'u8', 0, 255, 'INCRBY', 'u8', 0, 10, 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 250), [0, 9, null]);
    assert.equal(await client.bitop('OR', k3, k1, k2), 2);
    assert.deepEqual(await client.getBuffer(k3), Buffer.from([0x09, 0x40]));
    assert.deepEqual(await client.call('BITFIELD_RO', k3, 'GET', 'u4', 4), [9]);
    await assert.rejects(client.setbit(k1, -1, 1), /ERR bit offset is not an integer or out of range/);
  });
});

test('node-redis 4 and 5: bitmap commands at 1 and 2 threads', async () => {
  await eachNodeRedisClient([servers.ours1, servers.ours2], async (client) => {
    const [k1, k2, k3] = [keyOnShard('nr:bm:a', 0), keyOnShard('nr:bm:b', 1), keyOnShard('nr:bm:c', 1)];
    await client.del([k1, k2, k3]);
    assert.equal(await client.setBit(k1, 3, 1), 0);
    assert.equal(await client.getBit(k1, 3), 1);
    assert.equal(await client.bitCount(k1), 1);
    assert.equal(await client.bitPos(k1, 1), 3);
    assert.equal(await client.set(k2, 'ab'), 'OK');
    assert.equal(await client.bitOp('XOR', k3, [k1, k2]), 2);
    assert.equal(await client.bitCount(k3), 7);
    assert.deepEqual(await client.sendCommand(['BITFIELD', k3, 'GET', 'i8', '8']), [98]);
  });
});
