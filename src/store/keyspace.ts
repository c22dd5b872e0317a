// One logical database (DB 0..15) of one shard.
//
// Each key is one record in the shard's Heap:
//   u32 lastAccess (seconds) | u8 flags | [f64 expireAt] | varint keyLength | key
//   | value field | [value bytes]
// where flags = LIVE | HAS_EXPIRE | PACKED | type. The value field is a varint:
// the value length for strings (bytes follow) or the id of the JS object for
// other types; except for PACKED records (small hashes and sorted sets), whose
// value is kept in a heap block without any JS object: the field is then the
// value's state, fixed-size u32 block handle | u32 byte length | u32 entry
// count (see PackedField), so updating it never moves the record. The block
// is a sized block of this shard's heap, freed with the record; the views that
// read and write it (Listpack.bound, ZSet.bound) come from objectValue().
//
// The index is open addressing with linear probing over two typed arrays:
// record handles (0 = empty, TOMBSTONE = deleted) and an 8-bit fingerprint of
// the key hash, which spares most key comparisons. Deletes leave tombstones
// (turned back into empty slots when they end a cluster), so an entry always
// lies between its home bucket and the next empty slot; SCAN relies on this to
// enumerate one home bucket at a time with Redis's reverse-binary cursor.
//
// TTL keys are also filed in a TimerWheel by handle. Wheel entries are not
// removed when a record moves, is deleted or changes TTL; they are validated
// when they fire, and a fresh entry is filed on every such change.

import { Heap, SIZED_HEADER, blockSize } from './heap';
import { hashBytes } from './hash';
import { Listpack } from './listpack';
import { TimerWheel } from './timer-wheel';
import { ZSet } from './zset/zset';
import { NO_EXPIRE, PackedField, ValueType } from './types';
import { nextCursor } from './scan-cursor';
import { readVarint, varintSize, writeVarint } from './varint';

const EMPTY = 0;
const TOMBSTONE = 0xffffffff;
const MIN_CAPACITY = 16;
/** Grow (or clean tombstones) when live + tombstone slots exceed 4/5 of the table (fingerprints keep long probes cheap). */
const MAX_FILL_NUMERATOR = 4;
const MAX_FILL_DENOMINATOR = 5;
/** Shrink when fewer than 1/16 of the slots are live. */
const SHRINK_DIVISOR = 16;
/** Bytes per index slot (handle + fingerprint). */
const SLOT_BYTES = 5;

const F_TYPE = 0x07;
const F_EXPIRE = 0x08;
/** The value field is a packed value's state (PACKED_STATE_BYTES), not a varint. */
const F_PACKED = 0x10;
const PACKED_STATE_BYTES = 12;
/** Set while the block holds a record; cleared before the block is freed. */
const F_LIVE = 0x80;
const FLAGS_AT = 4;
const FIXED_HEADER = 5;
const EXPIRE_BYTES = 8;
/** Longest varint written (lengths and ids are below 2^32). */
const MAX_VARINT = 5;

function copyBytes(source: Uint8Array, target: Buffer, at: number): void {
  if (source.length <= 16) {
    for (let i = 0; i < source.length; i++) target[at + i] = source[i];
  } else {
    target.set(source, at);
  }
}

/** Offset of the key-length varint of the record at `off` with the given flags. */
function keyLengthAt(off: number, flags: number): number {
  return off + FIXED_HEADER + ((flags & F_EXPIRE) !== 0 ? EXPIRE_BYTES : 0);
}

/** Bytes of the value field: the packed state, or the varint. */
function valueFieldBytes(flags: number, valueField: number): number {
  return (flags & F_PACKED) !== 0 ? PACKED_STATE_BYTES : varintSize(valueField);
}

/** Bytes from the value field on: the field and any inline string bytes. */
function valuePartBytes(flags: number, valueField: number): number {
  return valueFieldBytes(flags, valueField) + ((flags & F_TYPE) === ValueType.String ? valueField : 0);
}

/** Writes the value field (an empty state for a packed value) and any inline string at `at`. */
function writeValue(buf: Buffer, at: number, flags: number, valueField: number, value: Uint8Array | null): void {
  if ((flags & F_PACKED) !== 0) {
    buf.fill(0, at, at + PACKED_STATE_BYTES);
    return;
  }
  const valueAt = writeVarint(buf, at, valueField);
  if (value !== null) copyBytes(value, buf, valueAt);
}

function recordBytes(flags: number, keyLength: number, valueField: number): number {
  return FIXED_HEADER + ((flags & F_EXPIRE) !== 0 ? EXPIRE_BYTES : 0) + varintSize(keyLength) + keyLength
    + valuePartBytes(flags, valueField);
}

export class Keyspace {
  private readonly heap: Heap;
  private slots!: Uint32Array;
  private fingerprints!: Uint8Array;
  private mask = 0;
  private live = 0;
  private tombstones = 0;
  private volatile = 0;
  private readonly wheel = new TimerWheel();
  /** Slot of the last entry found, so handle-based calls usually skip re-hashing. */
  private lastSlot = 0;
  /** Called for each key removed by expiry (lazy or active). */
  onExpire: ((key: Buffer) => void) | null = null;
  /** Also called for each expired key: client-side caching invalidates it (src/tracking). */
  onExpireInvalidate: ((key: Buffer) => void) | null = null;
  /** Called after a key that did not exist is stored (Redis's "new" keyspace event). */
  onInsert: ((key: Uint8Array) => void) | null = null;

  constructor(heap: Heap) {
    this.heap = heap;
    this.allocateTable(MIN_CAPACITY);
  }

  /** Number of keys, including expired ones not yet reclaimed. */
  get size(): number {
    return this.live;
  }

  /** Keys that have a TTL. */
  get expiresCount(): number {
    return this.volatile;
  }

  /** Live entry for key, or -1; expired keys are deleted here. Handles are valid until the next mutation. */
  find(key: Uint8Array, now: number): number {
    this.observe(now);
    const slot = this.lookup(key, hashBytes(key, 0, key.length));
    if (slot < 0) return -1;
    const h = this.slots[slot];
    if (this.isExpired(h, now)) {
      this.expireSlot(slot);
      return -1;
    }
    this.lastSlot = slot;
    return h;
  }

  type(h: number): ValueType {
    return (this.heap.buffer(h)[this.heap.offset(h) + FLAGS_AT] & F_TYPE) as ValueType;
  }

  /** View of the key bytes (valid until the next mutation). */
  keyOf(h: number): Buffer {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    const at = keyLengthAt(off, buf[off + FLAGS_AT]);
    const keyLength = readVarint(buf, at);
    const keyStart = at + varintSize(keyLength);
    return buf.subarray(keyStart, keyStart + keyLength);
  }

  /** View of a String value's bytes, straight from the slab (valid until the next mutation). */
  stringValue(h: number): Buffer {
    const buf = this.heap.buffer(h);
    const fieldAt = this.valueFieldAt(buf, this.heap.offset(h));
    const valueLength = readVarint(buf, fieldAt);
    const valueStart = fieldAt + varintSize(valueLength);
    return buf.subarray(valueStart, valueStart + valueLength);
  }

  /**
   * The JS object stored for a non-string entry; for a packed entry, a new
   * view of it (ZSet.bound for sorted sets, else Listpack.bound), valid while h is.
   */
  objectValue<T = unknown>(h: number): T {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    const flags = buf[off + FLAGS_AT];
    if ((flags & F_PACKED) !== 0) return ((flags & F_TYPE) === ValueType.ZSet ? ZSet.bound(this, h) : Listpack.bound(this, h)) as T;
    return this.heap.object(readVarint(buf, this.valueFieldAt(buf, off))) as T;
  }

  /** True if entry h holds a packed value (a hash listpack or a small sorted set). */
  isPacked(h: number): boolean {
    return (this.heap.buffer(h)[this.heap.offset(h) + FLAGS_AT] & F_PACKED) !== 0;
  }

  /** The shard heap holding the records and packed values' blocks. */
  get storeHeap(): Heap {
    return this.heap;
  }

  /** One u32 of a packed entry's state. */
  packedState(h: number, field: PackedField): number {
    const buf = this.heap.buffer(h);
    return buf.readUInt32LE(this.valueFieldAt(buf, this.heap.offset(h)) + field);
  }

  /** Writes a packed entry's state (in place: the record does not move). */
  setPackedState(h: number, block: number, byteLength: number, count: number): void {
    const buf = this.heap.buffer(h);
    const at = this.valueFieldAt(buf, this.heap.offset(h));
    buf.writeUInt32LE(block, at + PackedField.Block);
    buf.writeUInt32LE(byteLength, at + PackedField.ByteLength);
    buf.writeUInt32LE(count, at + PackedField.Count);
  }

  /** Expiry time in ms since the epoch, or NO_EXPIRE. */
  expireAt(h: number): number {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    return (buf[off + FLAGS_AT] & F_EXPIRE) !== 0 ? buf.readDoubleLE(off + FIXED_HEADER) : NO_EXPIRE;
  }

  /** Last access time in whole seconds since the epoch (for OBJECT IDLETIME); set on write and by touch(). */
  lastAccess(h: number): number {
    return this.heap.buffer(h).readUInt32LE(this.heap.offset(h));
  }

  touch(h: number, now: number): void {
    this.observe(now);
    this.heap.buffer(h).writeUInt32LE(Math.floor(now / 1000) >>> 0, this.heap.offset(h));
  }

  /** Inserts or overwrites key (of any previous type) with a String value. */
  setString(key: Uint8Array, value: Uint8Array, expireAt: number): void {
    this.store(key, ValueType.String, value, null, expireAt);
  }

  /**
   * Inserts or overwrites key with an object value of the given type. A
   * Listpack, or a ZSet in packed form (standalone or views), is stored
   * packed, as a copy of its entries: `value` itself is not kept.
   */
  setObject(key: Uint8Array, type: ValueType, value: object, expireAt: number): void {
    if (value instanceof Listpack) this.setPacked(key, type, value.serialize(), value.count, expireAt);
    else if (value instanceof ZSet && value.encoding === 'listpack') this.setPacked(key, type, value.packedEntries(), value.size, expireAt);
    else this.store(key, type, null, value, expireAt);
  }

  /**
   * Inserts or overwrites key with a packed value of `count` entries copied
   * from `entries` (the serialized entries of a Listpack or a packed ZSet; it
   * may be a view of another key's value, not of key's). Returns the entry's
   * handle, for objectValue().
   */
  setPacked(key: Uint8Array, type: ValueType, entries: Uint8Array, count: number, expireAt: number): number {
    const h = this.store(key, type, null, null, expireAt);
    if (entries.length > 0) {
      const block = this.heap.allocSized(SIZED_HEADER + entries.length);
      this.heap.buffer(block).set(entries, this.heap.offset(block) + SIZED_HEADER);
      this.setPackedState(h, block, entries.length, count);
    }
    return h;
  }

  /** Changes only the TTL of an existing entry (NO_EXPIRE removes it). The handle is invalid afterwards. */
  setExpire(h: number, expireAt: number): void {
    const slot = this.slotOf(h);
    if (slot < 0) return;
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    const hadExpire = (buf[off + FLAGS_AT] & F_EXPIRE) !== 0;
    if (hadExpire && expireAt !== NO_EXPIRE) {
      const previous = buf.readDoubleLE(off + FIXED_HEADER);
      if (previous === expireAt) return;
      buf.writeDoubleLE(expireAt, off + FIXED_HEADER);
      // A later deadline needs no new timer: the existing one fires first and is re-filed
      // (activeExpire). Only an earlier deadline does (rate limiters extend TTLs all the time).
      if (expireAt < previous) this.schedule(h, expireAt);
      return;
    }
    if (!hadExpire && expireAt === NO_EXPIRE) return;
    this.moveWithExpire(slot, h, expireAt);
  }

  /** Deletes key; true if a live key was removed (an expired one counts as expiry, as in Redis). `now` defaults to the shard clock. */
  delete(key: Uint8Array, now = this.heap.clockMs): boolean {
    const slot = this.lookup(key, hashBytes(key, 0, key.length));
    if (slot < 0) return false;
    const expired = this.isExpired(this.slots[slot], now);
    if (expired) this.expireSlot(slot);
    else this.removeSlot(slot);
    return !expired;
  }

  deleteEntry(h: number): void {
    const slot = this.slotOf(h);
    if (slot >= 0) this.removeSlot(slot);
  }

  /** Removes all keys, returning their space to the heap. */
  clear(): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const h = slots[i];
      if (h !== EMPTY && h !== TOMBSTONE) this.freeRecord(h);
    }
    this.allocateTable(MIN_CAPACITY);
    this.live = 0;
    this.volatile = 0;
    this.wheel.clear();
  }

  /**
   * Redis SCAN: visits the home buckets from `cursor` on until about `count`
   * keys were seen, calling visit(key, handle) for each live, non-expired key
   * (visit must not mutate the keyspace). Returns the next cursor, 0 when done.
   */
  scan(cursor: number, count: number, now: number, visit: (key: Buffer, h: number) => void): number {
    this.observe(now);
    if (this.live === 0) return 0;
    const mask = this.mask;
    const bucketLimit = Math.max(count, 1) * 10;
    let v = (cursor % 0x100000000) >>> 0;
    let seen = 0;
    for (let buckets = 0; seen < count && buckets < bucketLimit; buckets++) {
      seen += this.scanBucket(v & mask, now, visit);
      v = nextCursor(v, mask);
      if (v === 0) break;
    }
    return v;
  }

  /** A roughly uniform random live key (a copy), or null if there is none. */
  randomKey(now: number): Buffer | null {
    this.observe(now);
    while (this.live > 0) {
      const slots = this.slots;
      let i = Math.floor(Math.random() * slots.length);
      while (slots[i] === EMPTY || slots[i] === TOMBSTONE) i = (i + 1) & this.mask;
      if (this.isExpired(slots[i], now)) {
        this.expireSlot(i);
        continue;
      }
      return Buffer.from(this.keyOf(slots[i]));
    }
    return null;
  }

  /** Removes keys whose expireAt <= now, handling at most `budget` timer entries. Returns keys removed. */
  activeExpire(now: number, budget: number): number {
    this.observe(now);
    let removed = 0;
    for (let work = 0; work < budget; work++) {
      const h = this.wheel.pop(now);
      if (h < 0) break;
      const slot = this.validSlot(h);
      if (slot < 0) continue;
      const expireAt = this.expireAt(h);
      if (expireAt === NO_EXPIRE) continue;
      if (expireAt <= now) {
        this.expireSlot(slot);
        removed++;
      } else {
        this.wheel.insert(h, expireAt); // the TTL was extended since this timer was filed
      }
    }
    return removed;
  }

  /** Approximate bytes used by one entry: its record, its packed value's block if any, and its share of the index. */
  entryBytes(h: number): number {
    const block = this.isPacked(h) ? this.packedState(h, PackedField.Block) : 0;
    return this.recordSize(h) + (block === 0 ? 0 : this.heap.sizedBytes(block))
      + Math.ceil((SLOT_BYTES * this.slots.length) / Math.max(this.live, 1));
  }

  // ---- internals ----

  /** Access stamp for records written now: the shard clock, in seconds. */
  private clockSeconds(): number {
    return Math.floor(this.heap.clockMs / 1000) >>> 0;
  }

  private observe(now: number): void {
    this.heap.clockMs = now;
  }

  /** Slot holding key, or -1. */
  private lookup(key: Uint8Array, hash: number): number {
    const slots = this.slots;
    const fingerprints = this.fingerprints;
    const mask = this.mask;
    const fingerprint = hash >>> 24;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const h = slots[i];
      if (h === EMPTY) return -1;
      if (fingerprints[i] === fingerprint && h !== TOMBSTONE && this.keyEquals(h, key)) return i;
    }
  }

  private keyEquals(h: number, key: Uint8Array): boolean {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    let at = keyLengthAt(off, buf[off + FLAGS_AT]);
    const keyLength = readVarint(buf, at);
    if (keyLength !== key.length) return false;
    at += varintSize(keyLength);
    if (keyLength > 16) return buf.compare(key, 0, keyLength, at, at + keyLength) === 0;
    for (let i = 0; i < keyLength; i++) if (buf[at + i] !== key[i]) return false;
    return true;
  }

  private isExpired(h: number, now: number): boolean {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    return (buf[off + FLAGS_AT] & F_EXPIRE) !== 0 && buf.readDoubleLE(off + FIXED_HEADER) <= now;
  }

  private valueFieldAt(buf: Buffer, off: number): number {
    const at = keyLengthAt(off, buf[off + FLAGS_AT]);
    const keyLength = readVarint(buf, at);
    return at + varintSize(keyLength) + keyLength;
  }

  private recordSize(h: number): number {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    const fieldAt = this.valueFieldAt(buf, off);
    return blockSize(fieldAt - off + this.valuePartAt(buf, off, fieldAt));
  }

  /** valuePartBytes() of the record at `off` whose value field is at `fieldAt`. */
  private valuePartAt(buf: Buffer, off: number, fieldAt: number): number {
    const flags = buf[off + FLAGS_AT];
    return valuePartBytes(flags, (flags & F_PACKED) !== 0 ? 0 : readVarint(buf, fieldAt));
  }

  /** Hash of the key stored in record h. */
  private recordHash(h: number): number {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    const at = keyLengthAt(off, buf[off + FLAGS_AT]);
    const keyLength = readVarint(buf, at);
    const keyStart = at + varintSize(keyLength);
    return hashBytes(buf, keyStart, keyStart + keyLength);
  }

  /** Slot of a handle known to be live. */
  private slotOf(h: number): number {
    if (this.slots[this.lastSlot] === h) return this.lastSlot;
    return this.probeFor(h, this.recordHash(h));
  }

  private probeFor(h: number, hash: number): number {
    const slots = this.slots;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const found = slots[i];
      if (found === h) return i;
      if (found === EMPTY) return -1;
    }
  }

  /**
   * Slot of a handle from the timer wheel, or -1 when it no longer names a
   * record of this keyspace. The block may since have been freed or reused
   * for anything, so its bytes are checked before being trusted.
   */
  private validSlot(h: number): number {
    const buf = this.heap.bufferIfPresent(h);
    if (buf === undefined) return -1;
    const off = this.heap.offset(h);
    if (off + FIXED_HEADER > buf.length) return -1;
    const flags = buf[off + FLAGS_AT];
    if ((flags & F_LIVE) === 0) return -1;
    let at = keyLengthAt(off, flags);
    let keyLength = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === MAX_VARINT || at >= buf.length) return -1;
      const byte = buf[at++];
      keyLength += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) break;
    }
    if (at + keyLength > buf.length) return -1;
    return this.probeFor(h, hashBytes(buf, at, at + keyLength));
  }

  /**
   * Inserts or overwrites key: a String when `value` is given, an object value
   * when `object` is, else an empty packed value. Returns the entry's handle.
   */
  private store(key: Uint8Array, type: ValueType, value: Uint8Array | null, object: object | null, expireAt: number): number {
    this.reserveSlot();
    const hash = hashBytes(key, 0, key.length);
    const slot = this.lookup(key, hash);
    const hasExpire = expireAt !== NO_EXPIRE;
    const flags = F_LIVE | type | (hasExpire ? F_EXPIRE : 0) | (value === null && object === null ? F_PACKED : 0);
    if (slot >= 0) return this.overwrite(slot, key, flags, value, object, expireAt);
    const valueField = value !== null ? value.length : object !== null ? this.heap.storeObject(object) : 0;
    const h = this.heap.alloc(recordBytes(flags, key.length, valueField));
    this.writeRecord(h, flags, expireAt, key, valueField, value);
    this.insertSlot(hash, h);
    this.live++;
    if (hasExpire) {
      this.volatile++;
      this.schedule(h, expireAt);
    }
    if (this.onInsert !== null) this.onInsert(key);
    return h;
  }

  private overwrite(slot: number, key: Uint8Array, flags: number, value: Uint8Array | null, object: object | null, expireAt: number): number {
    const old = this.slots[slot];
    const buf = this.heap.buffer(old);
    const off = this.heap.offset(old);
    const oldFlags = buf[off + FLAGS_AT];
    const oldFieldAt = this.valueFieldAt(buf, off);
    const oldPacked = (oldFlags & F_PACKED) !== 0;
    // The block handle of a packed value, else the varint field.
    const oldField = oldPacked ? buf.readUInt32LE(oldFieldAt + PackedField.Block) : readVarint(buf, oldFieldAt);
    const oldIsObject = !oldPacked && (oldFlags & F_TYPE) !== ValueType.String;
    const hadExpire = (oldFlags & F_EXPIRE) !== 0;
    const hasExpire = expireAt !== NO_EXPIRE;
    const oldExpireAt = hadExpire ? buf.readDoubleLE(off + FIXED_HEADER) : NO_EXPIRE;
    this.volatile += (hasExpire ? 1 : 0) - (hadExpire ? 1 : 0);

    // An object replacing an object keeps its id; otherwise the old one is released.
    let valueField = value !== null ? value.length : 0;
    if (object !== null && oldIsObject) {
      this.heap.replaceObject(oldField, object);
      valueField = oldField;
    } else {
      if (oldIsObject) this.heap.releaseObject(oldField);
      if (object !== null) valueField = this.heap.storeObject(object);
    }

    const oldSize = blockSize(oldFieldAt - off + valuePartBytes(oldFlags, oldField));
    const newBytes = recordBytes(flags, key.length, valueField);
    // A packed value's block is freed last: key or value may be views of it.
    const oldBlock = oldPacked ? oldField : 0;
    if (hadExpire === hasExpire && valueFieldBytes(flags, valueField) === valueFieldBytes(oldFlags, oldField)
      && blockSize(newBytes) === oldSize) {
      // Same layout up to the value: the key bytes stay, the rest is rewritten in place.
      buf.writeUInt32LE(this.clockSeconds(), off);
      buf[off + FLAGS_AT] = flags;
      if (hasExpire) buf.writeDoubleLE(expireAt, off + FIXED_HEADER);
      writeValue(buf, oldFieldAt, flags, valueField, value);
      if (oldBlock !== 0) this.heap.freeSized(oldBlock);
      if (hasExpire && expireAt !== oldExpireAt) this.schedule(old, expireAt);
      return old;
    }
    // Write the new record before freeing the old one: key or value may be views of it.
    const h = this.heap.alloc(newBytes);
    this.writeRecord(h, flags, expireAt, key, valueField, value);
    this.slots[slot] = h;
    this.freeBlock(old, oldSize);
    if (oldBlock !== 0) this.heap.freeSized(oldBlock);
    if (hasExpire) this.schedule(h, expireAt);
    return h;
  }

  private writeRecord(h: number, flags: number, expireAt: number, key: Uint8Array, valueField: number, value: Uint8Array | null): void {
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    buf.writeUInt32LE(this.clockSeconds(), off);
    buf[off + FLAGS_AT] = flags;
    if ((flags & F_EXPIRE) !== 0) buf.writeDoubleLE(expireAt, off + FIXED_HEADER);
    const at = writeVarint(buf, keyLengthAt(off, flags), key.length);
    copyBytes(key, buf, at);
    writeValue(buf, at + key.length, flags, valueField, value);
  }

  /** Rewrites the record at `slot` with or without the expire field. */
  private moveWithExpire(slot: number, old: number, expireAt: number): void {
    const buf = this.heap.buffer(old);
    const off = this.heap.offset(old);
    const oldFlags = buf[off + FLAGS_AT];
    const oldSize = this.recordSize(old);
    const hasExpire = expireAt !== NO_EXPIRE;
    const h = this.heap.alloc(oldSize + (hasExpire ? EXPIRE_BYTES : -EXPIRE_BYTES));
    const target = this.heap.buffer(h);
    const targetOff = this.heap.offset(h);
    buf.copy(target, targetOff, off, off + FIXED_HEADER);
    target[targetOff + FLAGS_AT] = (oldFlags & ~F_EXPIRE) | (hasExpire ? F_EXPIRE : 0);
    if (hasExpire) target.writeDoubleLE(expireAt, targetOff + FIXED_HEADER);
    const bodyAt = keyLengthAt(off, oldFlags);
    buf.copy(target, keyLengthAt(targetOff, target[targetOff + FLAGS_AT]), bodyAt, off + oldSize);
    this.slots[slot] = h;
    this.freeBlock(old, oldSize);
    if (hasExpire) {
      this.volatile++;
      this.schedule(h, expireAt);
    } else {
      this.volatile--;
    }
  }

  private schedule(h: number, expireAt: number): void {
    this.wheel.insert(h, expireAt);
    // Stale entries pile up when TTLs change often: refile from the index once
    // they outnumber live TTLs by a share of the table (amortized O(1)).
    if (this.wheel.size > 2 * this.volatile + (this.slots.length >>> 3) + 64) this.refileTimers();
  }

  private refileTimers(): void {
    this.wheel.clear();
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const h = slots[i];
      if (h === EMPTY || h === TOMBSTONE) continue;
      const expireAt = this.expireAt(h);
      if (expireAt !== NO_EXPIRE) this.wheel.insert(h, expireAt);
    }
  }

  private expireSlot(slot: number): void {
    const key = this.onExpire === null && this.onExpireInvalidate === null ? null : Buffer.from(this.keyOf(this.slots[slot]));
    this.removeSlot(slot);
    if (key === null) return;
    this.onExpire?.(key);
    this.onExpireInvalidate?.(key);
  }

  private removeSlot(slot: number): void {
    const h = this.slots[slot];
    if ((this.heap.buffer(h)[this.heap.offset(h) + FLAGS_AT] & F_EXPIRE) !== 0) this.volatile--;
    this.freeRecord(h);
    this.live--;
    const slots = this.slots;
    const mask = this.mask;
    if (slots[(slot + 1) & mask] === EMPTY) {
      // The slot ends a cluster: it and the tombstones before it become empty.
      slots[slot] = EMPTY;
      for (let i = (slot - 1) & mask; slots[i] === TOMBSTONE; i = (i - 1) & mask) {
        slots[i] = EMPTY;
        this.tombstones--;
      }
    } else {
      slots[slot] = TOMBSTONE;
      this.tombstones++;
    }
    if (this.live < slots.length / SHRINK_DIVISOR && slots.length > MIN_CAPACITY) this.resize(this.live);
  }

  private freeRecord(h: number): void {
    const size = this.recordSize(h);
    const buf = this.heap.buffer(h);
    const off = this.heap.offset(h);
    const flags = buf[off + FLAGS_AT];
    const fieldAt = this.valueFieldAt(buf, off);
    if ((flags & F_PACKED) !== 0) {
      const block = buf.readUInt32LE(fieldAt + PackedField.Block);
      if (block !== 0) this.heap.freeSized(block);
    } else if ((flags & F_TYPE) !== ValueType.String) {
      this.heap.releaseObject(readVarint(buf, fieldAt));
    }
    this.freeBlock(h, size);
  }

  private freeBlock(h: number, size: number): void {
    this.heap.buffer(h)[this.heap.offset(h) + FLAGS_AT] = 0;
    this.heap.free(h, size);
  }

  /** Makes room for one more slot, growing or cleaning the table first if needed. */
  private reserveSlot(): void {
    const capacity = this.slots.length;
    if ((this.live + this.tombstones + 1) * MAX_FILL_DENOMINATOR > capacity * MAX_FILL_NUMERATOR) {
      this.resize(this.live + 1);
    }
  }

  /** Rebuilds the table with room for `keys` keys at most half full. */
  private resize(keys: number): void {
    let capacity = MIN_CAPACITY;
    while (capacity < keys * 2) capacity *= 2;
    const oldSlots = this.slots;
    this.allocateTable(capacity);
    for (let i = 0; i < oldSlots.length; i++) {
      const h = oldSlots[i];
      if (h !== EMPTY && h !== TOMBSTONE) this.insertSlot(this.recordHash(h), h);
    }
  }

  /**
   * Empty table of `capacity` slots. Handles and fingerprints share one
   * allocation: being larger than the previous table, it stays above malloc's
   * mmap threshold, so a replaced table goes back to the OS instead of
   * lingering in the malloc arena.
   */
  private allocateTable(capacity: number): void {
    const memory = new ArrayBuffer(capacity * SLOT_BYTES);
    this.slots = new Uint32Array(memory, 0, capacity);
    this.fingerprints = new Uint8Array(memory, capacity * 4, capacity);
    this.mask = capacity - 1;
    this.tombstones = 0;
  }

  /** Files a handle at the first free slot of its probe sequence (the key must be absent). */
  private insertSlot(hash: number, h: number): void {
    const slots = this.slots;
    let i = hash & this.mask;
    while (slots[i] !== EMPTY && slots[i] !== TOMBSTONE) i = (i + 1) & this.mask;
    if (slots[i] === TOMBSTONE) this.tombstones--;
    slots[i] = h;
    this.fingerprints[i] = hash >>> 24;
  }

  /** Visits the live keys whose home bucket is `bucket`; returns how many were seen. */
  private scanBucket(bucket: number, now: number, visit: (key: Buffer, h: number) => void): number {
    const slots = this.slots;
    const mask = this.mask;
    let seen = 0;
    for (let i = bucket; slots[i] !== EMPTY; i = (i + 1) & mask) {
      const h = slots[i];
      if (h === TOMBSTONE || (this.recordHash(h) & mask) !== bucket) continue;
      seen++;
      if (!this.isExpired(h, now)) visit(this.keyOf(h), h);
    }
    return seen;
  }
}
