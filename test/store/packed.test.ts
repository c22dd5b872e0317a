// Packed values (hash listpacks, small sorted sets): state kept in the keyspace record,
// entries in a block of the shard heap, read and written through Listpack.bound() and
// ZSet.bound() views.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteMap } from '../../src/store/bytemap';
import { Heap } from '../../src/store/heap';
import { Keyspace } from '../../src/store/keyspace';
import { Listpack } from '../../src/store/listpack';
import { NO_EXPIRE, ValueType } from '../../src/store/types';
import { ZSet } from '../../src/store/zset/zset';

const NOW = 1_700_000_000_000;

function entriesOf(lp: Listpack): string[] {
  const out: string[] = [];
  for (let p = lp.first(); p >= 0; p = lp.next(p)) out.push(lp.get(p).toString());
  return out;
}

function payloadOf(entries: string[]): Buffer {
  const lp = new Listpack();
  for (const entry of entries) lp.append(Buffer.from(entry));
  const payload = lp.serialize();
  lp.free();
  return payload;
}

/** Stores a packed hash of `fields` field/value pairs under key; returns its handle. */
function packedHash(ks: Keyspace, key: string, fields: number, expireAt = NO_EXPIRE): number {
  const entries: string[] = [];
  for (let i = 0; i < fields; i++) entries.push(`field${i}`, `value:${key}:${i}`);
  return ks.setPacked(Buffer.from(key), ValueType.Hash, payloadOf(entries), entries.length, expireAt);
}

function view(ks: Keyspace, key: string): Listpack {
  const h = ks.find(Buffer.from(key), NOW);
  assert.ok(h >= 0, `${key} exists`);
  assert.ok(ks.isPacked(h));
  return ks.objectValue<Listpack>(h);
}

test('a packed value reads back through a view and is accounted for', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const h = packedHash(ks, 'h', 3);
  const lp = ks.objectValue<Listpack>(h);
  assert.ok(lp instanceof Listpack);
  assert.deepEqual(entriesOf(lp), ['field0', 'value:h:0', 'field1', 'value:h:1', 'field2', 'value:h:2']);
  assert.equal(lp.count, 6);
  assert.equal(ks.type(h), ValueType.Hash);
  // MEMORY USAGE counts the block as well as the record.
  assert.ok(ks.entryBytes(h) >= lp.allocatedBytes + 'h'.length);
  assert.ok(lp.allocatedBytes >= lp.byteLength);
  // An empty packed value has no block.
  const e = ks.setPacked(Buffer.from('e'), ValueType.Hash, Buffer.alloc(0), 0, NO_EXPIRE);
  assert.equal(ks.objectValue<Listpack>(e).count, 0);
  assert.equal(ks.objectValue<Listpack>(e).allocatedBytes, 0);
});

test('the block is freed on delete, overwrite, expiry and clear', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  ks.setString(Buffer.from('other'), Buffer.from('keeps the heap non-empty'), NO_EXPIRE);
  const baseline = heap.bytesUsed;

  packedHash(ks, 'h', 10);
  assert.ok(heap.bytesUsed > baseline + 200);
  assert.equal(ks.delete(Buffer.from('h'), NOW), true);
  assert.equal(heap.bytesUsed, baseline, 'delete');

  packedHash(ks, 'h', 10);
  ks.setString(Buffer.from('h'), Buffer.from('now a string'), NO_EXPIRE);
  ks.delete(Buffer.from('h'), NOW);
  assert.equal(heap.bytesUsed, baseline, 'overwrite by a string');

  packedHash(ks, 'h', 10);
  ks.setObject(Buffer.from('h'), ValueType.Set, { any: 'object' }, NO_EXPIRE);
  ks.delete(Buffer.from('h'), NOW);
  assert.equal(heap.bytesUsed, baseline, 'overwrite by an object');

  packedHash(ks, 'h', 10);
  packedHash(ks, 'h', 20);
  assert.equal(view(ks, 'h').count, 40);
  packedHash(ks, 'h', 1);
  ks.delete(Buffer.from('h'), NOW);
  assert.equal(heap.bytesUsed, baseline, 'overwrite by packed values of other sizes');

  packedHash(ks, 'lazy', 10, NOW + 10);
  assert.equal(ks.find(Buffer.from('lazy'), NOW + 10), -1);
  assert.equal(heap.bytesUsed, baseline, 'lazy expiry');

  packedHash(ks, 'active', 10, NOW + 10);
  assert.equal(ks.activeExpire(NOW + 10, 100), 1);
  assert.equal(heap.bytesUsed, baseline, 'active expiry');

  for (let i = 0; i < 100; i++) packedHash(ks, `k${i}`, i % 12);
  ks.clear();
  assert.equal(heap.bytesUsed, 0, 'clear');
});

test('a view grows its block across several writes, one view per command', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const key = Buffer.from('grow');
  const h = ks.setPacked(key, ValueType.Hash, Buffer.alloc(0), 0, NO_EXPIRE);
  const expected: string[] = [];
  for (let i = 0; i < 60; i++) {
    // Each "HSET" makes its own view; the state it wrote back is what the next one reads.
    const lp = view(ks, 'grow');
    const field = `field:${i}`;
    const value = i % 3 === 0 ? String(i * 1000) : `value:${'v'.repeat(i)}`;
    lp.append(Buffer.from(field));
    lp.append(Buffer.from(value));
    expected.push(field, value);
    assert.equal(ks.find(key, NOW), h, 'growing the block never moves the record');
  }
  const lp = view(ks, 'grow');
  assert.deepEqual(entriesOf(lp), expected);
  // Replace and delete in the middle, through fresh views.
  view(ks, 'grow').replace(view(ks, 'grow').seek(1), Buffer.from('replaced'));
  const deleting = view(ks, 'grow');
  deleting.delete(deleting.seek(2), 2);
  expected[1] = 'replaced';
  expected.splice(2, 2);
  assert.deepEqual(entriesOf(view(ks, 'grow')), expected);
  assert.ok(ks.entryBytes(h) > view(ks, 'grow').byteLength);
  ks.delete(key, NOW);
  assert.equal(heap.bytesUsed, 0);
});

test('MOVE, COPY and RENAME of a packed hash', () => {
  const heap = new Heap();
  const db0 = new Keyspace(heap);
  const db1 = new Keyspace(heap);
  packedHash(db0, 'h', 5, NOW + 60_000);
  const contents = entriesOf(view(db0, 'h'));
  const used = heap.bytesUsed;

  // RENAME h -> r, as keys.ts moves a value: store the view under the new key, delete the old one.
  let h = db0.find(Buffer.from('h'), NOW);
  db0.setObject(Buffer.from('r'), db0.type(h), db0.objectValue(h), db0.expireAt(h));
  db0.delete(Buffer.from('h'), NOW);
  assert.deepEqual(entriesOf(view(db0, 'r')), contents);
  assert.equal(db0.expireAt(db0.find(Buffer.from('r'), NOW)), NOW + 60_000);
  assert.equal(db0.find(Buffer.from('h'), NOW), -1);

  // MOVE r to db1, onto an existing packed key there.
  packedHash(db1, 'r', 2);
  h = db0.find(Buffer.from('r'), NOW);
  db1.setObject(Buffer.from('r'), db0.type(h), db0.objectValue(h), db0.expireAt(h));
  db0.delete(Buffer.from('r'), NOW);
  assert.deepEqual(entriesOf(view(db1, 'r')), contents);
  assert.equal(db0.size, 0);
  assert.equal(heap.bytesUsed, used, 'the replaced value and the moved-from block were freed');

  // COPY r -> c: an independent copy.
  h = db1.find(Buffer.from('r'), NOW);
  const source = db1.objectValue<Listpack>(h);
  db1.setPacked(Buffer.from('c'), ValueType.Hash, source.serialize(), source.count, NO_EXPIRE);
  view(db1, 'c').append(Buffer.from('only in the copy'));
  assert.deepEqual(entriesOf(view(db1, 'r')), contents);
  assert.deepEqual(entriesOf(view(db1, 'c')), [...contents, 'only in the copy']);

  // FLUSHDB.
  db1.clear();
  assert.equal(heap.bytesUsed, 0);
});

test('conversion to a hashtable replaces the packed value and frees its block', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  ks.setString(Buffer.from('other'), Buffer.from('x'), NO_EXPIRE);
  const baseline = heap.bytesUsed;
  packedHash(ks, 'h', 8, NOW + 60_000);
  // As hashes.ts converts: read the view into a ByteMap, then store the map in its place.
  const lp = view(ks, 'h');
  const map = new ByteMap(true, lp.count >>> 1);
  for (let p = lp.first(); p >= 0; p = lp.next(lp.next(p))) map.set(lp.get(p), lp.get(lp.next(p)));
  const h = ks.find(Buffer.from('h'), NOW);
  ks.setObject(Buffer.from('h'), ValueType.Hash, map, ks.expireAt(h));
  const converted = ks.find(Buffer.from('h'), NOW);
  assert.equal(ks.isPacked(converted), false);
  assert.equal(ks.objectValue(converted), map);
  assert.equal(ks.expireAt(converted), NOW + 60_000);
  assert.equal(map.size, 8);
  ks.delete(Buffer.from('h'), NOW);
  assert.equal(heap.bytesUsed, baseline);
});

test('TTL changes keep a packed value; free() through a view is not freed twice', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  packedHash(ks, 'h', 4);
  const contents = entriesOf(view(ks, 'h'));
  ks.setExpire(ks.find(Buffer.from('h'), NOW), NOW + 5000);
  assert.deepEqual(entriesOf(view(ks, 'h')), contents);
  ks.setExpire(ks.find(Buffer.from('h'), NOW), NO_EXPIRE);
  assert.deepEqual(entriesOf(view(ks, 'h')), contents);
  view(ks, 'h').free();
  assert.equal(view(ks, 'h').count, 0);
  view(ks, 'h').append(Buffer.from('again'));
  assert.deepEqual(entriesOf(view(ks, 'h')), ['again']);
  ks.delete(Buffer.from('h'), NOW);
  assert.equal(heap.bytesUsed, 0);
});

/** A packed ZSet holding members m0..m(n-1) with scores 0..n-1, stored under key; returns its handle. */
function packedZSet(ks: Keyspace, key: string, members: number, expireAt = NO_EXPIRE): number {
  const z = new ZSet();
  for (let i = 0; i < members; i++) z.set(Buffer.from(`m${i}`), i);
  ks.setObject(Buffer.from(key), ValueType.ZSet, z, expireAt);
  return ks.find(Buffer.from(key), NOW);
}

function zsetMembers(z: ZSet): string[] {
  const out: string[] = [];
  if (z.size === 0) return out;
  z.seek(0);
  do out.push(`${z.curMember().toString()}:${z.curScore}`);
  while (z.next());
  return out;
}

test('a packed ZSet is stored in the record and viewed per access', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const h = packedZSet(ks, 'z', 5);
  assert.ok(ks.isPacked(h));
  const z = ks.objectValue<ZSet>(h);
  assert.ok(z instanceof ZSet);
  assert.equal(z.encoding, 'listpack');
  assert.deepEqual(zsetMembers(z), ['m0:0', 'm1:1', 'm2:2', 'm3:3', 'm4:4']);
  // Writes through one view are seen by the next, and growing the block never moves the record.
  for (let i = 5; i < 40; i++) {
    ks.objectValue<ZSet>(ks.find(Buffer.from('z'), NOW)).set(Buffer.from(`m${i}`), -i);
    assert.equal(ks.find(Buffer.from('z'), NOW), h);
  }
  const grown = ks.objectValue<ZSet>(h);
  assert.equal(grown.size, 40);
  assert.equal(grown.score(Buffer.from('m39')), -39);
  assert.ok(ks.entryBytes(h) > grown.bytesUsed);
  // Removing most members shrinks the block; removing all of them frees it.
  ks.objectValue<ZSet>(h).removeRanks(0, 38);
  assert.deepEqual(zsetMembers(ks.objectValue<ZSet>(h)), ['m3:3', 'm4:4']);
  const before = heap.bytesUsed;
  ks.objectValue<ZSet>(h).removeRanks(0, 2);
  assert.equal(ks.objectValue<ZSet>(h).size, 0);
  assert.ok(heap.bytesUsed < before);
  ks.delete(Buffer.from('z'), NOW);
  assert.equal(heap.bytesUsed, 0);
});

test('a packed ZSet view that outgrows the packed form stores itself as a tree', () => {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  ks.setString(Buffer.from('other'), Buffer.from('x'), NO_EXPIRE);
  const baseline = heap.bytesUsed;
  packedZSet(ks, 'z', 3, NOW + 60_000);
  const view = ks.objectValue<ZSet>(ks.find(Buffer.from('z'), NOW));
  // A member longer than zset-max-listpack-value (64) converts.
  view.set(Buffer.from('x'.repeat(100)), 10);
  assert.equal(view.encoding, 'skiplist');
  view.set(Buffer.from('after'), 11);
  const h = ks.find(Buffer.from('z'), NOW);
  assert.equal(ks.isPacked(h), false);
  assert.equal(ks.objectValue(h), view, 'the converted view is the stored object');
  assert.equal(ks.expireAt(h), NOW + 60_000);
  assert.deepEqual(zsetMembers(view), ['m0:0', 'm1:1', 'm2:2', `${'x'.repeat(100)}:10`, 'after:11']);
  ks.delete(Buffer.from('z'), NOW);
  assert.equal(heap.bytesUsed, baseline);
});

test('MOVE and RENAME of a packed ZSet copy it; the block is freed with the record', () => {
  const heap = new Heap();
  const db0 = new Keyspace(heap);
  const db1 = new Keyspace(heap);
  packedZSet(db0, 'z', 6);
  const contents = zsetMembers(db0.objectValue<ZSet>(db0.find(Buffer.from('z'), NOW)));
  const used = heap.bytesUsed;
  let h = db0.find(Buffer.from('z'), NOW);
  db0.setObject(Buffer.from('r'), ValueType.ZSet, db0.objectValue(h), NO_EXPIRE);
  db0.delete(Buffer.from('z'), NOW);
  h = db0.find(Buffer.from('r'), NOW);
  db1.setObject(Buffer.from('r'), ValueType.ZSet, db0.objectValue(h), NO_EXPIRE);
  db0.delete(Buffer.from('r'), NOW);
  h = db1.find(Buffer.from('r'), NOW);
  assert.ok(db1.isPacked(h));
  assert.deepEqual(zsetMembers(db1.objectValue<ZSet>(h)), contents);
  assert.equal(heap.bytesUsed, used);
  db1.setString(Buffer.from('r'), Buffer.from('overwritten'), NO_EXPIRE);
  db1.clear();
  assert.equal(heap.bytesUsed, 0);
});
