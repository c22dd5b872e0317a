// A Keyspace driven side by side with a plain Map model and a fake clock.
// Every operation checks the keyspace against the model; expiry callbacks
// must only ever name keys that the model says are expired.

import assert from 'node:assert/strict';
import { Heap } from '../../src/store/heap';
import { Keyspace } from '../../src/store/keyspace';
import { Listpack } from '../../src/store/listpack';
import { NO_EXPIRE, ValueType } from '../../src/store/types';

/** The model of a packed value: its listpack's entries. */
class PackedModel {
  constructor(readonly entries: Buffer[]) {}
}

interface ModelEntry {
  type: ValueType;
  value: Buffer | object | PackedModel;
  expireAt: number;
}

/** A standalone listpack's entries as a serialize() payload. */
function serializedEntries(entries: Buffer[]): Buffer {
  const lp = new Listpack();
  for (const entry of entries) lp.append(entry);
  const payload = lp.serialize();
  lp.free();
  return payload;
}

function listpackEntries(lp: Listpack): Buffer[] {
  const entries: Buffer[] = [];
  for (let p = lp.first(); p >= 0; p = lp.next(p)) entries.push(lp.copy(p));
  return entries;
}

export function valueBytes(length: number, seed: number): Buffer {
  const value = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) value[i] = (seed * 31 + i * 7) & 0xff;
  return value;
}

export class ModelChecker {
  readonly heap: Heap;
  readonly ks: Keyspace;
  readonly model = new Map<string, ModelEntry>();
  now = 1_700_000_000_000;
  expiredByHook = 0;

  constructor(heap = new Heap()) {
    this.heap = heap;
    this.ks = new Keyspace(heap);
    this.ks.onExpire = (key) => {
      const name = key.toString('hex');
      const entry = this.model.get(name);
      assert.ok(entry, `expired unknown key ${name}`);
      assert.ok(entry.expireAt !== NO_EXPIRE && entry.expireAt <= this.now, `expired live key ${name}`);
      this.model.delete(name);
      this.expiredByHook++;
    };
  }

  private isExpired(entry: ModelEntry): boolean {
    return entry.expireAt !== NO_EXPIRE && entry.expireAt <= this.now;
  }

  private liveKeys(): Set<string> {
    const keys = new Set<string>();
    for (const [name, entry] of this.model) if (!this.isExpired(entry)) keys.add(name);
    return keys;
  }

  checkCounts(): void {
    assert.equal(this.ks.size, this.model.size);
    let volatile = 0;
    for (const entry of this.model.values()) if (entry.expireAt !== NO_EXPIRE) volatile++;
    assert.equal(this.ks.expiresCount, volatile);
  }

  setString(key: Buffer, value: Buffer, expireAt: number): void {
    this.ks.setString(key, value, expireAt);
    this.model.set(key.toString('hex'), { type: ValueType.String, value: Buffer.from(value), expireAt });
  }

  setObject(key: Buffer, type: ValueType, expireAt: number): void {
    const value = { tag: key.toString('hex'), at: this.now };
    this.ks.setObject(key, type, value, expireAt);
    this.model.set(key.toString('hex'), { type, value, expireAt });
  }

  /** Stores a packed value holding `entries`. */
  setPacked(key: Buffer, type: ValueType, entries: Buffer[], expireAt: number): void {
    this.ks.setPacked(key, type, serializedEntries(entries), entries.length, expireAt);
    this.model.set(key.toString('hex'), { type, value: new PackedModel(entries.slice()), expireAt });
  }

  /** Appends to key's packed value through a fresh view, as a command would. */
  appendPacked(key: Buffer, value: Buffer): void {
    const h = this.ks.find(key, this.now);
    const entry = this.model.get(key.toString('hex'));
    if (h < 0 || !(entry!.value instanceof PackedModel)) return;
    this.ks.objectValue<Listpack>(h).append(value);
    entry!.value.entries.push(value);
  }

  /** RENAME as keys.ts does it: store the value under `to` (a packed one through a view), then delete `from`. */
  rename(from: Buffer, to: Buffer): void {
    const h = this.ks.find(from, this.now);
    const entry = this.model.get(from.toString('hex'));
    if (h < 0 || from.equals(to)) return;
    if (entry!.type === ValueType.String) this.ks.setString(to, this.ks.stringValue(h), entry!.expireAt);
    else this.ks.setObject(to, entry!.type, this.ks.objectValue(h) as object, entry!.expireAt);
    this.ks.delete(from, this.now);
    this.model.delete(from.toString('hex'));
    this.model.set(to.toString('hex'), entry!);
  }

  find(key: Buffer): void {
    const h = this.ks.find(key, this.now);
    const entry = this.model.get(key.toString('hex'));
    if (entry === undefined) {
      assert.equal(h, -1);
      return;
    }
    assert.ok(!this.isExpired(entry), 'expired key still present after find');
    assert.ok(h >= 0, 'live key not found');
    assert.equal(this.ks.type(h), entry.type);
    assert.deepEqual(this.ks.keyOf(h), key);
    assert.equal(this.ks.expireAt(h), entry.expireAt);
    assert.equal(this.ks.isPacked(h), entry.value instanceof PackedModel);
    if (entry.type === ValueType.String) assert.deepEqual(this.ks.stringValue(h), entry.value);
    else if (entry.value instanceof PackedModel) assert.deepEqual(listpackEntries(this.ks.objectValue<Listpack>(h)), entry.value.entries);
    else assert.equal(this.ks.objectValue(h), entry.value);
    assert.ok(this.ks.entryBytes(h) > key.length);
  }

  delete(key: Buffer): void {
    const name = key.toString('hex');
    const entry = this.model.get(name);
    const expected = entry !== undefined && !this.isExpired(entry);
    assert.equal(this.ks.delete(key, this.now), expected);
    this.model.delete(name);
  }

  setExpire(key: Buffer, expireAt: number): void {
    const h = this.ks.find(key, this.now);
    const entry = this.model.get(key.toString('hex'));
    assert.equal(h >= 0, entry !== undefined);
    if (h < 0) return;
    this.ks.setExpire(h, expireAt);
    entry!.expireAt = expireAt;
  }

  touch(key: Buffer): void {
    const h = this.ks.find(key, this.now);
    if (h < 0) return;
    this.ks.touch(h, this.now);
    assert.equal(this.ks.lastAccess(h), Math.floor(this.now / 1000));
  }

  clear(): void {
    this.ks.clear();
    this.model.clear();
  }

  activeExpire(budget: number): void {
    const before = this.expiredByHook;
    const removed = this.ks.activeExpire(this.now, budget);
    assert.equal(removed, this.expiredByHook - before);
    assert.ok(removed <= budget);
  }

  /** Runs active expiry to completion: afterwards no expired key may remain. */
  expireAll(): void {
    this.activeExpire(1e9);
    for (const entry of this.model.values()) assert.ok(!this.isExpired(entry), 'active expiry missed a key');
  }

  scanAll(count: number): void {
    const seen = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      cursor = this.ks.scan(cursor, count, this.now, (key) => {
        const name = key.toString('hex');
        const entry = this.model.get(name);
        assert.ok(entry !== undefined && !this.isExpired(entry), 'scan returned a dead key');
        seen.add(name);
      });
      assert.ok(Number.isSafeInteger(cursor) && cursor >= 0);
      assert.ok(++calls < 10_000_000);
    } while (cursor !== 0);
    for (const name of this.liveKeys()) assert.ok(seen.has(name), 'scan missed a key');
  }

  randomKey(): void {
    const key = this.ks.randomKey(this.now);
    if (key === null) {
      assert.equal(this.liveKeys().size, 0);
      return;
    }
    const entry = this.model.get(key.toString('hex'));
    assert.ok(entry !== undefined && !this.isExpired(entry), 'randomKey returned a dead key');
  }
}

/** Small deterministic PRNG, so failures reproduce. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
