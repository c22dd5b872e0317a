import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Heap } from '../../src/store/heap';
import { Keyspace } from '../../src/store/keyspace';
import { NO_EXPIRE, ValueType } from '../../src/store/types';
import { ModelChecker, mulberry32, valueBytes } from './model';

const KEYS: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from([0]),
  Buffer.from([0, 0]),
  Buffer.from('a'),
  Buffer.from('b'),
  Buffer.from('key:1'),
  Buffer.from([0xff, 0x00, 0x80, 0x7f]),
  Buffer.alloc(17, 'x'),
  Buffer.alloc(200, 'y'),
  Buffer.alloc(130, 0),
];
// Around varint boundaries, the 8-byte rounding and the own-buffer threshold.
const VALUE_LENGTHS = [0, 1, 2, 7, 8, 9, 16, 17, 100, 127, 128, 300, 16383, 16384, 262_100, 262_200];

const key = fc.nat(KEYS.length - 1).map((i) => KEYS[i]);
const ttl = fc.option(fc.integer({ min: -5, max: 3000 }), { nil: null });
const objectType = fc.constantFrom(ValueType.List, ValueType.Set, ValueType.ZSet, ValueType.Hash, ValueType.Stream);
// Packed values in listpack form (a packed ZSet has its own entry format: see packed.test.ts).
const packedType = fc.constantFrom(ValueType.Hash, ValueType.Set);
// Listpack entries: integers, short strings and ones past a 1/8 growth step.
const entryValue = fc.constantFrom(...['0', '-7', '123456789', 'field', 'x'.repeat(70), 'y'.repeat(300), ''].map((s) => Buffer.from(s)));

const operation = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('set' as const), key, length: fc.constantFrom(...VALUE_LENGTHS), seed: fc.nat(255), ttl }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('setObject' as const), key, type: objectType, ttl }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('setPacked' as const), key, type: packedType, entries: fc.array(entryValue, { maxLength: 6 }), ttl }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('appendPacked' as const), key, value: entryValue }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('rename' as const), from: key, to: key }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('find' as const), key }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), key }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('expire' as const), key, ttl }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('touch' as const), key }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 2000 }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('active' as const), budget: fc.integer({ min: 1, max: 50 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('fill' as const), count: fc.integer({ min: 1, max: 3000 }), ttl }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('drain' as const), keep: fc.integer({ min: 0, max: 100 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('scan' as const), count: fc.integer({ min: 1, max: 500 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('random' as const) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('clear' as const) }), weight: 1 },
);

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function expireAtFrom(checker: ModelChecker, ttlMs: number | null): number {
  return ttlMs === null ? NO_EXPIRE : checker.now + ttlMs;
}

function bulkKey(i: number): Buffer {
  return Buffer.from(`bulk:${i}`);
}

function apply(checker: ModelChecker, step: Operation, bulk: { next: number }): void {
  switch (step.op) {
    case 'set':
      checker.setString(step.key, valueBytes(step.length, step.seed), expireAtFrom(checker, step.ttl));
      break;
    case 'setObject':
      checker.setObject(step.key, step.type, expireAtFrom(checker, step.ttl));
      break;
    case 'setPacked':
      checker.setPacked(step.key, step.type, step.entries, expireAtFrom(checker, step.ttl));
      break;
    case 'appendPacked':
      checker.appendPacked(step.key, step.value);
      break;
    case 'rename':
      checker.rename(step.from, step.to);
      break;
    case 'find':
      checker.find(step.key);
      break;
    case 'delete':
      checker.delete(step.key);
      break;
    case 'expire':
      checker.setExpire(step.key, expireAtFrom(checker, step.ttl));
      break;
    case 'touch':
      checker.touch(step.key);
      break;
    case 'tick':
      checker.now += step.ms;
      break;
    case 'active':
      checker.activeExpire(step.budget);
      break;
    case 'fill':
      for (let i = 0; i < step.count; i++) {
        const n = bulk.next++;
        checker.setString(bulkKey(n), valueBytes(16, n), n % 3 === 0 ? expireAtFrom(checker, step.ttl) : NO_EXPIRE);
      }
      break;
    case 'drain':
      for (let n = 0; n < bulk.next - step.keep; n++) checker.delete(bulkKey(n));
      break;
    case 'scan':
      checker.scanAll(step.count);
      break;
    case 'random':
      checker.randomKey();
      break;
    case 'clear':
      checker.clear();
      break;
  }
  checker.checkCounts();
}

test('keyspace matches a Map model under random operations', () => {
  fc.assert(
    // Small slabs exercise slab tails and many slabs; the default is what runs in production.
    fc.property(fc.constantFrom(64 * 1024, undefined), fc.array(operation, { minLength: 1, maxLength: 120 }), (slabBytes, steps) => {
      const checker = new ModelChecker(new Heap(slabBytes));
      const bulk = { next: 0 };
      for (const step of steps) apply(checker, step, bulk);
      for (const k of KEYS) checker.find(k);
      checker.scanAll(10);
      checker.now += 5000;
      checker.expireAll();
      checker.checkCounts();
      // Every record and packed value's block goes back to the heap.
      checker.clear();
      assert.equal(checker.heap.bytesUsed, 0);
    }),
    { numRuns: 150 },
  );
});

test('keyspace grows past 100K keys, expires, shrinks and stays consistent', () => {
  const checker = new ModelChecker();
  const random = mulberry32(7);
  const total = 150_000;
  for (let i = 0; i < total; i++) {
    const ttlMs = random() < 0.3 ? Math.floor(random() * 10_000) : null;
    const length = random() < 0.1 ? 300 : 16;
    checker.setString(bulkKey(i), valueBytes(length, i), expireAtFrom(checker, ttlMs));
    if (i % 1000 === 0) checker.now += 10;
  }
  checker.checkCounts();
  // Overwrites with larger and smaller values, TTL changes and deletes.
  for (let i = 0; i < 50_000; i++) {
    const n = Math.floor(random() * total);
    const roll = random();
    if (roll < 0.3) checker.setString(bulkKey(n), valueBytes(Math.floor(random() * 64), n), NO_EXPIRE);
    else if (roll < 0.5) checker.setExpire(bulkKey(n), random() < 0.5 ? NO_EXPIRE : checker.now + Math.floor(random() * 20_000));
    else if (roll < 0.7) checker.delete(bulkKey(n));
    else checker.find(bulkKey(n));
  }
  checker.checkCounts();
  checker.scanAll(100);
  for (let step = 0; step < 40; step++) {
    checker.now += 500;
    checker.activeExpire(2000);
  }
  checker.now += 20_000;
  checker.expireAll();
  checker.checkCounts();
  for (let i = 0; i < total; i++) checker.delete(bulkKey(i));
  checker.checkCounts();
  assert.equal(checker.ks.size, 0);
  assert.ok(checker.ks.entryBytes !== undefined);
  // Everything was returned to the heap.
  assert.equal(checker.heap.bytesUsed, 0);
});

test('overwrites change type and size, and free lists reuse space', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const k = Buffer.from('k');
  ks.setString(k, valueBytes(12, 1), NO_EXPIRE);
  const used = heap.bytesUsed;
  ks.setString(k, valueBytes(15, 2), NO_EXPIRE);
  assert.equal(heap.bytesUsed, used, 'same size class overwrites in place');
  ks.setString(k, valueBytes(1000, 3), NO_EXPIRE);
  ks.setObject(k, ValueType.Hash, { a: 1 }, NO_EXPIRE);
  let h = ks.find(k, 0);
  assert.equal(ks.type(h), ValueType.Hash);
  assert.deepEqual(ks.objectValue(h), { a: 1 });
  ks.setString(k, valueBytes(16, 1), 5000);
  h = ks.find(k, 0);
  assert.equal(ks.expireAt(h), 5000);
  assert.equal(ks.expiresCount, 1);
  ks.setExpire(h, NO_EXPIRE);
  assert.equal(ks.expiresCount, 0);
  h = ks.find(k, 10_000);
  assert.ok(h >= 0, 'persisted key survives');
  assert.deepEqual(ks.stringValue(h), valueBytes(16, 1));
  // Setting a key to a view of its own value and key is safe.
  ks.setString(ks.keyOf(h), ks.stringValue(h), 9000);
  h = ks.find(k, 0);
  assert.deepEqual(ks.stringValue(h), valueBytes(16, 1));
  ks.clear();
  assert.equal(heap.bytesUsed, 0);
  assert.equal(ks.randomKey(0), null);
});

test('active expiry removes keys at millisecond precision and never early', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const expired: string[] = [];
  ks.onExpire = (key) => expired.push(key.toString());
  const base = 1_700_000_000_000;
  ks.activeExpire(base, 10);
  ks.setString(Buffer.from('a'), Buffer.from('1'), base + 5);
  ks.setString(Buffer.from('b'), Buffer.from('2'), base + 6);
  ks.setString(Buffer.from('c'), Buffer.from('3'), base + 100_000);
  ks.setString(Buffer.from('far'), Buffer.from('4'), 2 ** 52);
  assert.equal(ks.activeExpire(base + 4, 100), 0);
  assert.equal(ks.activeExpire(base + 5, 100), 1);
  assert.deepEqual(expired, ['a']);
  // Extending b's TTL leaves a stale timer entry that must not fire.
  ks.setExpire(ks.find(Buffer.from('b'), base + 5), base + 50);
  assert.equal(ks.activeExpire(base + 49, 100), 0);
  assert.equal(ks.activeExpire(base + 50, 100), 1);
  assert.equal(ks.activeExpire(base + 100_000, 100), 1);
  assert.deepEqual(expired, ['a', 'b', 'c']);
  assert.equal(ks.activeExpire(2 ** 52 - 1, 100), 0);
  assert.equal(ks.activeExpire(2 ** 52, 100), 1);
  assert.equal(ks.size, 0);
});

test('timer entries stay bounded when TTLs are rewritten many times', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const base = 1_700_000_000_000;
  const k = Buffer.from('k');
  ks.setString(k, Buffer.from('v'), base + 1000);
  for (let i = 0; i < 100_000; i++) ks.setExpire(ks.find(k, base), base + 1000 + i);
  const wheelSize = (ks as unknown as { wheel: { size: number } }).wheel.size;
  assert.ok(wheelSize < 200, `wheel holds ${wheelSize} entries`);
  assert.equal(ks.activeExpire(base + 100_998, 1000), 0);
  assert.equal(ks.activeExpire(base + 100_999, 1000), 1);
});

test('lastAccess is stamped from the shard clock and updated by touch', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  ks.find(Buffer.from('nothing'), 2_000_000_000_500);
  ks.setString(Buffer.from('k'), Buffer.from('v'), NO_EXPIRE);
  const h = ks.find(Buffer.from('k'), 2_000_000_000_900);
  assert.equal(ks.lastAccess(h), 2_000_000_000);
  ks.touch(h, 2_000_000_123_000);
  assert.equal(ks.lastAccess(h), 2_000_000_123);
});
