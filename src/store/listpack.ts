// Listpack: a sequence of byte strings packed into one byte block, the
// compact form of small hashes, sets, sorted sets and list nodes.
//
// Entry layout: tag [length] data backlen
//   tag 0x00..0x7f          integer 0..127, no data
//   tag 0x80..0xbf          string of 0..63 bytes (tag & 0x3f)
//   tag 0xc0..0xcf + 1 byte string of up to 4095 bytes (12-bit length)
//   tag 0xd0 + u32          longer string
//   tag 0xf1..0xf6          signed integer in (tag - 0xf0) little-endian bytes
//   tag 0xf8                safe integer beyond 48 bits, as a float64
// backlen is the size of tag+length+data, written so that it reads backwards
// from the entry's end (7 bits per byte, high bit set while more bytes
// precede), which makes reverse iteration O(1) per step.
// Strings that are canonical integers (Redis string2ll) within JS's safe range
// are stored as integers; reading them back yields the same decimal text.
//
// Blocks are sized blocks (their header is the capacity) of a Heap of byte
// slabs, not typed arrays of their own: a typed array costs ~250 bytes of
// overhead, more than a whole small hash. Only where the block lives and
// where the listpack's state (block handle, byteLength, count) is kept differ
// by mode:
//   - standalone (new Listpack()): the block is in a per-thread arena; its
//     handle also sits in a small cell object that a FinalizationRegistry
//     holds, so a listpack garbage-collected without free() returns its block;
//   - bound (Listpack.bound()): a view over a packed keyspace record; the block
//     is in the shard's heap and the state lives in the record, read when the
//     view is made and written back after every change. The keyspace frees
//     the block with the record. A view is valid only while its record handle
//     is (until that key is next overwritten, deleted or has its TTL changed):
//     make one per access, never keep one across commands.
//
// Positions are byte offsets of entries from the first entry (0), so they
// stay valid across reallocation, but not across writes before them.

import { Heap, SIZED_HEADER } from './heap';
import type { Keyspace } from './keyspace';
import { PackedField } from './types';
import { parseSafeIntegerAt } from '../util/number';

const arena = new Heap();
/** Where a listpack's block is; handle 0 = none. */
interface BlockCell {
  handle: number;
}

const reclaim = new FinalizationRegistry<BlockCell>((cell) => {
  if (cell.handle !== 0) arena.freeSized(cell.handle);
});

/** Block header: its capacity in bytes. */
const HEADER = SIZED_HEADER;
const TAG_SHORT_STRING = 0x80;
const TAG_MEDIUM_STRING = 0xc0;
const TAG_LONG_STRING = 0xd0;
const TAG_INT_BASE = 0xf0;
const TAG_INT_FLOAT = 0xf8;
const SHORT_STRING_MAX = 63;
const MEDIUM_STRING_MAX = 4095;
const SMALL_INT_MAX = 127;
const INT48_LIMIT = 2 ** 47;

function backlenSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Bytes an integer entry's payload needs: 0 (fits the tag), 1..6, or 8 (float64). */
function intPayloadSize(v: number): number {
  if (v >= 0 && v <= SMALL_INT_MAX) return 0;
  if (v < -INT48_LIMIT || v >= INT48_LIMIT) return 8;
  let bytes = 1;
  while (v < -(2 ** (bytes * 8 - 1)) || v >= 2 ** (bytes * 8 - 1)) bytes++;
  return bytes;
}

/** Integer value of a canonical integer string within the safe range, else NaN. */
function integerValue(value: Uint8Array): number {
  if (value.length === 0 || value.length > 17) return NaN;
  const c = value[0];
  if (c !== 0x2d && (c < 0x30 || c > 0x39)) return NaN;
  const v = parseSafeIntegerAt(value, 0, value.length);
  return Number.isFinite(v) ? v : NaN;
}

/** Size of tag + length + data for a string of n bytes. */
function stringBodySize(n: number): number {
  return n <= SHORT_STRING_MAX ? 1 + n : n <= MEDIUM_STRING_MAX ? 2 + n : 5 + n;
}

/** Full size of the entry encoding `value` (intValue is its integerValue()). */
function entrySize(value: Uint8Array, intValue: number): number {
  const body = intValue === intValue ? 1 + intPayloadSize(intValue) : stringBodySize(value.length);
  return body + backlenSize(body);
}

/** Text of an integer entry, cached for the small ones every list and counter uses. */
const smallIntTexts: Buffer[] = [];
for (let i = 0; i <= SMALL_INT_MAX; i++) smallIntTexts.push(Buffer.from(String(i), 'latin1'));

export class Listpack {
  /** Where the block lives: the arena, or the bound record's shard heap. */
  private heap = arena;
  /** Handle of the block in `heap`; 0 = none yet. */
  private block = 0;
  /** Standalone mode: the block handle again, for the FinalizationRegistry, once a block exists. */
  private cell: BlockCell | null = null;
  /** Bound mode: the keyspace holding the record, and the record's handle. */
  private owner: Keyspace | null = null;
  private record = 0;
  /** Bytes of entries in use (positions range over [0, byteLength)). */
  byteLength = 0;
  /** Number of entries. */
  count = 0;

  /** Copies a serialize() payload (any Uint8Array view) into a new standalone listpack. */
  static fromSerialized(payload: Uint8Array, count: number): Listpack {
    const lp = new Listpack();
    if (payload.length > 0) {
      lp.reserve(payload.length);
      lp.buffer().set(payload, lp.base());
    }
    lp.byteLength = payload.length;
    lp.count = count;
    return lp;
  }

  /** A view of the packed value of record h of `owner` (see the header). */
  static bound(owner: Keyspace, h: number): Listpack {
    const lp = new Listpack();
    lp.heap = owner.storeHeap;
    lp.owner = owner;
    lp.record = h;
    lp.block = owner.packedState(h, PackedField.Block);
    lp.byteLength = owner.packedState(h, PackedField.ByteLength);
    lp.count = owner.packedState(h, PackedField.Count);
    return lp;
  }

  /** The entries as self-contained bytes (pair with `count` to rebuild with fromSerialized). */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.byteLength);
    if (this.byteLength > 0) this.buffer().copy(out, 0, this.base(), this.base() + this.byteLength);
    return out;
  }

  /** Returns the block to its heap now; the listpack is empty afterwards and may be reused. */
  free(): void {
    if (this.block !== 0) {
      this.heap.freeSized(this.block);
      this.setBlock(0);
    }
    this.byteLength = 0;
    this.count = 0;
    this.commit();
  }

  /** Bytes of block held, for memory accounting. */
  get allocatedBytes(): number {
    return this.block === 0 ? 0 : this.heap.sizedBytes(this.block);
  }

  // ---- navigation: positions, -1 for "none" ----

  first(): number {
    return this.count === 0 ? -1 : 0;
  }

  last(): number {
    return this.count === 0 ? -1 : this.prev(this.byteLength);
  }

  /** Entry after p, or -1. */
  next(p: number): number {
    const buf = this.buffer();
    const at = this.base() + p;
    const body = this.bodySizeAt(buf, at);
    const q = p + body + backlenSize(body);
    return q < this.byteLength ? q : -1;
  }

  /** Entry before p (p may be byteLength, the end), or -1. */
  prev(p: number): number {
    if (p <= 0) return -1;
    const buf = this.buffer();
    let at = this.base() + p - 1;
    let body = buf[at] & 0x7f;
    let shift = 7;
    let size = 1;
    while (buf[at] >= 0x80) {
      at--;
      body += (buf[at] & 0x7f) * 2 ** shift;
      shift += 7;
      size++;
    }
    return p - size - body;
  }

  /** Position of entry `index` (negative counts from the end), or -1 when out of range. */
  seek(index: number): number {
    if (index < 0) index += this.count;
    if (index < 0 || index >= this.count) return -1;
    if (index < this.count / 2) {
      let p = 0;
      for (let i = 0; i < index; i++) p = this.next(p);
      return p;
    }
    let p = this.byteLength;
    for (let i = this.count; i > index; i--) p = this.prev(p);
    return p;
  }

  // ---- reading ----

  /** True if the entry at p is stored as an integer. */
  isInteger(p: number): boolean {
    const tag = this.buffer()[this.base() + p];
    return tag <= SMALL_INT_MAX || tag > TAG_INT_BASE;
  }

  /** Value of an integer entry (isInteger(p) must hold). */
  integer(p: number): number {
    const buf = this.buffer();
    const at = this.base() + p;
    const tag = buf[at];
    if (tag <= SMALL_INT_MAX) return tag;
    if (tag === TAG_INT_FLOAT) return buf.readDoubleLE(at + 1);
    return buf.readIntLE(at + 1, tag - TAG_INT_BASE);
  }

  /**
   * The entry's bytes: a view of the block for strings (valid until the next
   * write to this listpack), the decimal text for integers.
   */
  get(p: number): Buffer {
    const buf = this.buffer();
    const at = this.base() + p;
    const tag = buf[at];
    if (tag <= SMALL_INT_MAX) return smallIntTexts[tag];
    if (tag > TAG_INT_BASE) return Buffer.from(String(this.integer(p)), 'latin1');
    const start = at + this.stringHeaderSize(tag);
    return buf.subarray(start, start + this.stringLengthAt(buf, at));
  }

  /**
   * Where a string entry's bytes start in bytes() (valueLength(p) of them), or -1 for an
   * integer entry: lets a reply copy them without making a view per entry.
   */
  stringOffset(p: number): number {
    const buf = this.buffer();
    const at = this.base() + p;
    const tag = buf[at];
    return tag <= SMALL_INT_MAX || tag > TAG_INT_BASE ? -1 : at + this.stringHeaderSize(tag);
  }

  /** The buffer stringOffset() points into (valid until the next write to this listpack). */
  bytes(): Buffer {
    return this.buffer();
  }

  /** A copy of the entry's bytes, independent of the listpack. */
  copy(p: number): Buffer {
    return this.isInteger(p) ? this.get(p) : Buffer.from(this.get(p));
  }

  /** Length in bytes of the entry's value (the decimal text length for integers). */
  valueLength(p: number): number {
    const buf = this.buffer();
    const at = this.base() + p;
    const tag = buf[at];
    if (tag <= 9) return 1;
    if (tag <= SMALL_INT_MAX || tag > TAG_INT_BASE) return String(this.integer(p)).length;
    return this.stringLengthAt(buf, at);
  }

  /** True if the entry at p holds exactly `value`. */
  equals(p: number, value: Uint8Array, intValue = integerValue(value)): boolean {
    const buf = this.buffer();
    const at = this.base() + p;
    const tag = buf[at];
    if (tag <= SMALL_INT_MAX || tag > TAG_INT_BASE) return intValue === this.integer(p);
    if (intValue === intValue) return false;
    const length = this.stringLengthAt(buf, at);
    if (length !== value.length) return false;
    const start = at + this.stringHeaderSize(tag);
    for (let i = 0; i < length; i++) if (buf[start + i] !== value[i]) return false;
    return true;
  }

  /**
   * Position of the first entry equal to `value`, starting at position `from`
   * and comparing every (skip + 1)-th entry (skip 1 looks at the fields of
   * field/value pairs); -1 if none.
   */
  find(value: Uint8Array, from = 0, skip = 0): number {
    if (this.count === 0 || from < 0) return -1;
    const intValue = integerValue(value);
    for (let p = from; p !== -1; ) {
      if (this.equals(p, value, intValue)) return p;
      p = this.next(p);
      for (let i = 0; i < skip && p !== -1; i++) p = this.next(p);
    }
    return -1;
  }

  // ---- writing ----

  append(value: Uint8Array): void {
    this.insertAt(this.byteLength, value);
  }

  prepend(value: Uint8Array): void {
    this.insertAt(0, value);
  }

  /** Inserts value before the entry at p (p = byteLength appends); returns the new entry's position. */
  insertAt(p: number, value: Uint8Array): number {
    const intValue = integerValue(value);
    const size = entrySize(value, intValue);
    this.splice(p, 0, size);
    this.writeEntry(p, value, intValue);
    this.count++;
    this.commit();
    return p;
  }

  /** Replaces the entry at p with value; returns p. */
  replace(p: number, value: Uint8Array): number {
    const intValue = integerValue(value);
    this.splice(p, this.entrySizeAt(p), entrySize(value, intValue));
    this.writeEntry(p, value, intValue);
    this.commit();
    return p;
  }

  /** Deletes n entries from p on (fewer if the end comes first); returns p, or -1 when it is now the end. */
  delete(p: number, n = 1): number {
    let end = p;
    let removed = 0;
    for (; removed < n && end < this.byteLength; removed++) end += this.entrySizeAt(end);
    this.splice(p, end - p, 0);
    this.count -= removed;
    this.commit();
    return p < this.byteLength ? p : -1;
  }

  // ---- internals ----

  private buffer(): Buffer {
    return this.heap.buffer(this.block);
  }

  /** Offset of position 0 inside buffer(). */
  private base(): number {
    return this.heap.offset(this.block) + HEADER;
  }

  /** Bound mode: writes the state back to the record (write-through, after every change). */
  private commit(): void {
    if (this.owner !== null) this.owner.setPackedState(this.record, this.block, this.byteLength, this.count);
  }

  private setBlock(handle: number): void {
    this.block = handle;
    if (this.owner !== null) return;
    if (this.cell === null) {
      this.cell = { handle };
      reclaim.register(this, this.cell);
    } else {
      this.cell.handle = handle;
    }
  }

  private entrySizeAt(p: number): number {
    const body = this.bodySizeAt(this.buffer(), this.base() + p);
    return body + backlenSize(body);
  }

  private bodySizeAt(buf: Buffer, at: number): number {
    const tag = buf[at];
    if (tag <= SMALL_INT_MAX) return 1;
    if (tag >= TAG_INT_BASE) return tag === TAG_INT_FLOAT ? 9 : 1 + tag - TAG_INT_BASE;
    return this.stringHeaderSize(tag) + this.stringLengthAt(buf, at);
  }

  private stringHeaderSize(tag: number): number {
    return tag < TAG_MEDIUM_STRING ? 1 : tag < TAG_LONG_STRING ? 2 : 5;
  }

  private stringLengthAt(buf: Buffer, at: number): number {
    const tag = buf[at];
    if (tag < TAG_MEDIUM_STRING) return tag & SHORT_STRING_MAX;
    if (tag < TAG_LONG_STRING) return ((tag & 0x0f) << 8) | buf[at + 1];
    return buf.readUInt32LE(at + 1);
  }

  /** Makes the block hold at least `bytes` bytes of entries. */
  private reserve(bytes: number): void {
    const heap = this.heap;
    const old = this.block;
    const capacity = old === 0 ? 0 : heap.sizedBytes(old) - HEADER;
    if (bytes <= capacity) return;
    // Small blocks grow by the heap's 8-byte grain, larger ones by 1/8 to amortize regrowth.
    const handle = heap.allocSized(HEADER + bytes + (bytes >= 128 ? bytes >>> 3 : 0));
    if (old !== 0) {
      heap.buffer(old).copy(heap.buffer(handle), heap.offset(handle) + HEADER, heap.offset(old) + HEADER, heap.offset(old) + HEADER + this.byteLength);
      heap.freeSized(old);
    }
    this.setBlock(handle);
  }

  /** Replaces `remove` bytes at p with room for `insert` bytes (contents undefined). */
  private splice(p: number, remove: number, insert: number): void {
    const newLength = this.byteLength - remove + insert;
    this.reserve(newLength);
    if (remove !== insert && p + remove < this.byteLength) {
      const base = this.base();
      this.buffer().copyWithin(base + p + insert, base + p + remove, base + this.byteLength);
    }
    this.byteLength = newLength;
  }

  private writeEntry(p: number, value: Uint8Array, intValue: number): void {
    const buf = this.buffer();
    let at = this.base() + p;
    const start = at;
    if (intValue === intValue) {
      const payload = intPayloadSize(intValue);
      if (payload === 0) {
        buf[at++] = intValue;
      } else if (payload === 8) {
        buf[at++] = TAG_INT_FLOAT;
        at = buf.writeDoubleLE(intValue, at);
      } else {
        buf[at++] = TAG_INT_BASE + payload;
        at = buf.writeIntLE(intValue, at, payload);
      }
    } else {
      const n = value.length;
      if (n <= SHORT_STRING_MAX) {
        buf[at++] = TAG_SHORT_STRING | n;
      } else if (n <= MEDIUM_STRING_MAX) {
        buf[at++] = TAG_MEDIUM_STRING | (n >>> 8);
        buf[at++] = n & 0xff;
      } else {
        buf[at++] = TAG_LONG_STRING;
        at = buf.writeUInt32LE(n, at);
      }
      if (n <= 16) for (let i = 0; i < n; i++) buf[at + i] = value[i];
      else buf.set(value, at);
      at += n;
    }
    // backlen: most significant 7-bit group first, high bit set on all but the first byte.
    const body = at - start;
    const size = backlenSize(body);
    for (let i = size - 1; i >= 0; i--) {
      buf[at + i] = ((body / 2 ** (7 * (size - 1 - i))) & 0x7f) | (i > 0 ? 0x80 : 0);
    }
  }
}
