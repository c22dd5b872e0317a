// ByteMap: the large form of hashes and sets (Redis's "hashtable" encoding),
// a hash table of byte-string keys to byte-string values (or keys only, for
// sets) held in typed arrays and byte chunks rather than JS objects.
//
// Records [varint keyLength][key]([varint valueLength][value]) are appended
// to byte chunks; a record's address is chunk << 22 | offset. The index is
// open addressing with linear probing over record addresses plus an 8-bit
// hash fingerprint per slot (0 = empty, TOMBSTONE = deleted; tombstones that
// end a cluster are turned back into empty slots). Deleted and overwritten
// records leave holes that are counted; when holes pass half the live bytes the
// live records are copied into fresh chunks (slots don't move, addresses do).
//
// Slot numbers name entries for reads (keyAt, valueAt) and are valid until
// the next write. SCAN walks home buckets in Redis's reverse-binary cursor
// order, so an entry present for a whole scan is returned at least once even
// when the table grows or shrinks in between.

import { hashBytes } from './hash';
import { nextCursor } from './scan-cursor';
import { readVarint, varintSize, writeVarint } from './varint';

const EMPTY = 0;
const TOMBSTONE = 0xffffffff;
const MIN_CAPACITY = 8;
const OFFSET_BITS = 22;
const CHUNK_SPAN = 2 ** OFFSET_BITS;
/** Chunk index 1023 would let an address equal TOMBSTONE. */
const MAX_CHUNKS = 1023;
const MIN_CHUNK_BYTES = 64;
const MAX_CHUNK_BYTES = CHUNK_SPAN;
/** Holes are compacted once they exceed half the live bytes and this floor. */
const COMPACT_FLOOR = 4096;
/** Give up on random slot probes after this many misses and walk instead. */
const RANDOM_PROBES = 32;

function sameBytes(buf: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}

export class ByteMap {
  private slots: Uint32Array;
  private fingerprints: Uint8Array;
  private mask: number;
  private live = 0;
  private tombstones = 0;
  private chunks: Buffer[] = [];
  private tailOffset = 0;
  private liveBytes = 0;
  private holeBytes = 0;

  /** withValues false makes a set: keys only, valueAt() must not be used. */
  constructor(readonly withValues: boolean, expectedSize = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity * 3 < expectedSize * 4) capacity *= 2;
    this.slots = new Uint32Array(capacity);
    this.fingerprints = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.live;
  }

  /** Bytes held by the index and chunks, for memory accounting. */
  get allocatedBytes(): number {
    let bytes = this.slots.byteLength + this.fingerprints.byteLength;
    for (const chunk of this.chunks) bytes += chunk.length;
    return bytes;
  }

  /** Slot of key, or -1. */
  find(key: Uint8Array): number {
    return this.lookup(key, hashBytes(key, 0, key.length));
  }

  has(key: Uint8Array): boolean {
    return this.find(key) >= 0;
  }

  /** View of the key in slot (valid until the next write). */
  keyAt(slot: number): Buffer {
    const address = this.slots[slot];
    const chunk = this.chunks[address >>> OFFSET_BITS];
    const at = address & (CHUNK_SPAN - 1);
    const length = readVarint(chunk, at);
    const start = at + varintSize(length);
    return chunk.subarray(start, start + length);
  }

  /** View of the value in slot (valid until the next write). */
  valueAt(slot: number): Buffer {
    const chunk = this.chunks[this.slots[slot] >>> OFFSET_BITS];
    const at = this.valueFieldAt(slot);
    const length = readVarint(chunk, at);
    const start = at + varintSize(length);
    return chunk.subarray(start, start + length);
  }

  valueLength(slot: number): number {
    return readVarint(this.chunks[this.slots[slot] >>> OFFSET_BITS], this.valueFieldAt(slot));
  }

  /** Adds a key without value (sets); false if it was there. */
  add(key: Uint8Array): boolean {
    const hash = hashBytes(key, 0, key.length);
    if (this.lookup(key, hash) >= 0) return false;
    this.insertNew(hash, key, null);
    return true;
  }

  /** Sets key to value; true if the key is new. */
  set(key: Uint8Array, value: Uint8Array): boolean {
    const hash = hashBytes(key, 0, key.length);
    const slot = this.lookup(key, hash);
    if (slot >= 0) {
      this.setValueAt(slot, value);
      return false;
    }
    this.insertNew(hash, key, value);
    return true;
  }

  /** Replaces the value of the entry in slot. */
  setValueAt(slot: number, value: Uint8Array): void {
    const address = this.slots[slot];
    const chunk = this.chunks[address >>> OFFSET_BITS];
    const fieldAt = this.valueFieldAt(slot);
    const oldLength = readVarint(chunk, fieldAt);
    if (value.length <= oldLength && varintSize(value.length) === varintSize(oldLength)) {
      chunk.set(value, writeVarint(chunk, fieldAt, value.length));
      this.liveBytes -= oldLength - value.length;
      this.holeBytes += oldLength - value.length;
      return;
    }
    const key = this.keyAt(slot);
    const oldSize = fieldAt + varintSize(oldLength) + oldLength - (address & (CHUNK_SPAN - 1));
    this.slots[slot] = this.writeRecord(key, value);
    this.release(address, oldSize);
  }

  /** Deletes key; false if absent. */
  delete(key: Uint8Array): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.deleteAt(slot);
    return true;
  }

  /** Deletes the entry in slot (other slots may move: the table may shrink). */
  deleteAt(slot: number): void {
    const address = this.slots[slot];
    this.release(address, this.recordSize(address));
    this.live--;
    const slots = this.slots;
    const mask = this.mask;
    if (slots[(slot + 1) & mask] === EMPTY) {
      slots[slot] = EMPTY;
      for (let i = (slot - 1) & mask; slots[i] === TOMBSTONE; i = (i - 1) & mask) {
        slots[i] = EMPTY;
        this.tombstones--;
      }
    } else {
      slots[slot] = TOMBSTONE;
      this.tombstones++;
    }
    if (this.live * 8 < slots.length && slots.length > MIN_CAPACITY) this.resize(this.live);
  }

  /** First live slot at or after `from`, or -1: `for (let s = m.nextSlot(0); s >= 0; s = m.nextSlot(s + 1))`. */
  nextSlot(from: number): number {
    const slots = this.slots;
    for (let i = from; i < slots.length; i++) if (slots[i] !== EMPTY && slots[i] !== TOMBSTONE) return i;
    return -1;
  }

  /** A uniformly random live slot, or -1 when empty. */
  randomSlot(): number {
    if (this.live === 0) return -1;
    const slots = this.slots;
    for (let tries = 0; tries < RANDOM_PROBES; tries++) {
      const i = Math.floor(Math.random() * slots.length);
      if (slots[i] !== EMPTY && slots[i] !== TOMBSTONE) return i;
    }
    let i = Math.floor(Math.random() * slots.length);
    while (slots[i] === EMPTY || slots[i] === TOMBSTONE) i = (i + 1) & this.mask;
    return i;
  }

  /**
   * One SCAN step: pushes onto `out` the slots of entries whose home buckets
   * are visited from `cursor` on, until about `count` entries were seen.
   * Returns the next cursor, 0 when the scan is complete.
   */
  scan(cursor: number, count: number, out: number[]): number {
    if (this.live === 0) return 0;
    const mask = this.mask;
    const bucketLimit = Math.max(count, 1) * 10;
    let v = (cursor % 0x100000000) >>> 0;
    let seen = 0;
    for (let buckets = 0; seen < count && buckets < bucketLimit; buckets++) {
      seen += this.scanBucket(v & mask, out);
      v = nextCursor(v, mask);
      if (v === 0) break;
    }
    return v;
  }

  /** Every entry as self-contained bytes: [varint keyLength][key]([varint valueLength][value])... */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.liveBytes);
    let at = 0;
    for (let s = this.nextSlot(0); s >= 0; s = this.nextSlot(s + 1)) {
      const address = this.slots[s];
      const start = address & (CHUNK_SPAN - 1);
      const size = this.recordSize(address);
      this.chunks[address >>> OFFSET_BITS].copy(out, at, start, start + size);
      at += size;
    }
    return out;
  }

  static fromSerialized(payload: Uint8Array, withValues: boolean): ByteMap {
    let count = 0;
    for (let at = 0; at < payload.length; count++) at = skipRecord(payload, at, withValues);
    const map = new ByteMap(withValues, count);
    for (let at = 0; at < payload.length; ) {
      const keyLength = readVarint(payload, at);
      const keyStart = at + varintSize(keyLength);
      const key = payload.subarray(keyStart, keyStart + keyLength);
      at = keyStart + keyLength;
      if (withValues) {
        const valueLength = readVarint(payload, at);
        const valueStart = at + varintSize(valueLength);
        map.set(key, payload.subarray(valueStart, valueStart + valueLength));
        at = valueStart + valueLength;
      } else {
        map.add(key);
      }
    }
    return map;
  }

  // ---- internals ----

  private lookup(key: Uint8Array, hash: number): number {
    const slots = this.slots;
    const fingerprints = this.fingerprints;
    const mask = this.mask;
    const fingerprint = hash >>> 24;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const address = slots[i];
      if (address === EMPTY) return -1;
      if (fingerprints[i] === fingerprint && address !== TOMBSTONE && this.keyEquals(address, key)) return i;
    }
  }

  private keyEquals(address: number, key: Uint8Array): boolean {
    const chunk = this.chunks[address >>> OFFSET_BITS];
    const at = address & (CHUNK_SPAN - 1);
    const length = readVarint(chunk, at);
    if (length !== key.length) return false;
    const start = at + varintSize(length);
    return length > 32 ? chunk.compare(key, 0, length, start, start + length) === 0 : sameBytes(chunk, start, key);
  }

  private valueFieldAt(slot: number): number {
    const address = this.slots[slot];
    const at = address & (CHUNK_SPAN - 1);
    const keyLength = readVarint(this.chunks[address >>> OFFSET_BITS], at);
    return at + varintSize(keyLength) + keyLength;
  }

  private recordSize(address: number): number {
    const chunk = this.chunks[address >>> OFFSET_BITS];
    const start = address & (CHUNK_SPAN - 1);
    return skipRecord(chunk, start, this.withValues) - start;
  }

  private hashAt(address: number): number {
    const chunk = this.chunks[address >>> OFFSET_BITS];
    const at = address & (CHUNK_SPAN - 1);
    const length = readVarint(chunk, at);
    const start = at + varintSize(length);
    return hashBytes(chunk, start, start + length);
  }

  private insertNew(hash: number, key: Uint8Array, value: Uint8Array | null): void {
    if ((this.live + this.tombstones + 1) * 4 > this.slots.length * 3) this.resize(this.live + 1);
    const address = this.writeRecord(key, value);
    this.place(hash, address);
    this.live++;
  }

  /** Files an address at the first free slot of its probe sequence. */
  private place(hash: number, address: number): void {
    const slots = this.slots;
    let i = hash & this.mask;
    while (slots[i] !== EMPTY && slots[i] !== TOMBSTONE) i = (i + 1) & this.mask;
    if (slots[i] === TOMBSTONE) this.tombstones--;
    slots[i] = address;
    this.fingerprints[i] = hash >>> 24;
  }

  /** Rebuilds the index for `entries` entries at most half full (at least MIN_CAPACITY). */
  private resize(entries: number): void {
    let capacity = MIN_CAPACITY;
    while (capacity < entries * 2) capacity *= 2;
    const old = this.slots;
    this.slots = new Uint32Array(capacity);
    this.fingerprints = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.tombstones = 0;
    for (let i = 0; i < old.length; i++) {
      const address = old[i];
      if (address !== EMPTY && address !== TOMBSTONE) this.place(this.hashAt(address), address);
    }
  }

  /** Appends a record; returns its address. */
  private writeRecord(key: Uint8Array, value: Uint8Array | null): number {
    const size = varintSize(key.length) + key.length + (value === null ? 0 : varintSize(value.length) + value.length);
    const address = this.reserve(size);
    const chunk = this.chunks[address >>> OFFSET_BITS];
    let at = writeVarint(chunk, address & (CHUNK_SPAN - 1), key.length);
    chunk.set(key, at);
    if (value !== null) {
      at = writeVarint(chunk, at + key.length, value.length);
      chunk.set(value, at);
    }
    this.liveBytes += size;
    return address;
  }

  /** Room for `size` bytes at the tail; returns its address. */
  private reserve(size: number): number {
    let index = this.chunks.length - 1;
    if (index < 0 || this.tailOffset + size > this.chunks[index].length) {
      if (index >= 0) this.holeBytes += this.chunks[index].length - this.tailOffset;
      if (this.chunks.length >= MAX_CHUNKS) throw new RangeError('ByteMap: too many chunks');
      // Chunk 0 starts at offset 8 so that no address is EMPTY (0).
      const first = index < 0 ? 8 : 0;
      // Each new chunk adds half of what is held, so at most a third of it is unused.
      const held = this.liveBytes + this.holeBytes;
      const bytes = Math.max(Math.min(Math.max(held >>> 1, MIN_CHUNK_BYTES), MAX_CHUNK_BYTES), size + first);
      this.chunks.push(Buffer.allocUnsafeSlow(bytes));
      index++;
      this.tailOffset = first;
    }
    const address = index * CHUNK_SPAN + this.tailOffset;
    this.tailOffset += size;
    return address;
  }

  /** Accounts a record's bytes as free, compacting the chunks when holes dominate. */
  private release(address: number, size: number): void {
    this.liveBytes -= size;
    const index = address >>> OFFSET_BITS;
    if (index === this.chunks.length - 1 && (address & (CHUNK_SPAN - 1)) + size === this.tailOffset) {
      this.tailOffset -= size;
      return;
    }
    this.holeBytes += size;
    if (this.holeBytes * 2 > this.liveBytes && this.holeBytes > COMPACT_FLOOR) this.compact();
  }

  /** Copies every live record into fresh chunks, dropping the holes. */
  private compact(): void {
    const oldChunks = this.chunks;
    this.chunks = [];
    this.tailOffset = 0;
    this.holeBytes = 0;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const address = slots[i];
      if (address === EMPTY || address === TOMBSTONE) continue;
      const chunk = oldChunks[address >>> OFFSET_BITS];
      const start = address & (CHUNK_SPAN - 1);
      const size = skipRecord(chunk, start, this.withValues) - start;
      const moved = this.reserveCompacted(size);
      chunk.copy(this.chunks[moved >>> OFFSET_BITS], moved & (CHUNK_SPAN - 1), start, start + size);
      slots[i] = moved;
    }
  }

  /** reserve() for compaction: chunks sized to what is live. */
  private reserveCompacted(size: number): number {
    if (this.chunks.length === 0) {
      this.chunks.push(Buffer.allocUnsafeSlow(Math.max(Math.min(this.liveBytes + 8, MAX_CHUNK_BYTES), size + 8, MIN_CHUNK_BYTES)));
      this.tailOffset = 8;
    }
    return this.reserve(size);
  }

  /** Visits the live entries whose home bucket is `bucket`; returns how many. */
  private scanBucket(bucket: number, out: number[]): number {
    const slots = this.slots;
    const mask = this.mask;
    let seen = 0;
    for (let i = bucket; slots[i] !== EMPTY; i = (i + 1) & mask) {
      const address = slots[i];
      if (address === TOMBSTONE || (this.hashAt(address) & mask) !== bucket) continue;
      out.push(i);
      seen++;
    }
    return seen;
  }
}

/** Offset after the record starting at `at`. */
function skipRecord(buf: Uint8Array, at: number, withValues: boolean): number {
  const keyLength = readVarint(buf, at);
  at += varintSize(keyLength) + keyLength;
  if (!withValues) return at;
  const valueLength = readVarint(buf, at);
  return at + varintSize(valueLength) + valueLength;
}
