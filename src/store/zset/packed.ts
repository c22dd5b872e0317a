// Small sorted sets (Redis's "listpack" encoding): every (member, score) pair
// packed in one Buffer, in (score, member) order, as
//   varint memberLength | member | f64 score (LE) | memberLength as a backward varint
// The trailing length lets a cursor step backwards (ZREVRANGE) without an
// index. Every operation is a linear walk, which is what Redis does too: the
// form is only used up to zset-max-listpack-entries (128 by default) members.
//
// This is a private packed form rather than the shared list listpack
// (src/store/listpack.ts) because a zset entry is always a (bytes, double)
// pair kept sorted, with the double read in place on every comparison; a
// generic listpack would store scores as strings and re-parse them.
//
// The entries live in a Buffer of their own (standalone), or, for a view made
// by PackedZSet.bound(), in a sized block of the shard heap whose handle,
// byte length and count are kept in the packed keyspace record: the view
// reads them when made and writes them back after every change (see
// src/store/keyspace.ts). Only resize() and commit() differ by mode.

import { SIZED_HEADER } from '../heap';
import type { Keyspace } from '../keyspace';
import { PackedField } from '../types';
import { readVarint, varintSize, writeVarint } from '../varint';

// zset.ts and tree.ts take the varint helpers from here along with the entry layout.
export { readVarint, varintSize, writeVarint };

/** Writes n as a varint that ends at `end` and is read backwards from end - 1. */
export function writeBackVarint(buf: Uint8Array, end: number, n: number): void {
  let at = end - 1;
  while (n >= 0x80) {
    buf[at--] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at] = n;
}

function readBackVarint(buf: Uint8Array, end: number): number {
  let at = end - 1;
  let byte = buf[at];
  if (byte < 0x80) return byte;
  let n = byte & 0x7f;
  let scale = 128;
  do {
    byte = buf[--at];
    n += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80);
  return n;
}

const SCORE_BYTES = 8;

/** Bytes one entry with a member of `length` bytes takes. */
export function packedEntrySize(length: number): number {
  return 2 * varintSize(length) + length + SCORE_BYTES;
}

/** Compares bytes[start, end) with `other` as memcmp then length (Redis sdscmp): <0, 0, >0. */
export function compareBytes(bytes: Buffer, start: number, end: number, other: Uint8Array): number {
  return bytes.compare(other, 0, other.length, start, end);
}

/**
 * What a bound search counts: the elements strictly before a (score, member)
 * key, or before a score or member bound (LT: < bound, LE: <= bound).
 */
export const enum Bound { Key = 0, ScoreLT = 1, ScoreLE = 2, LexLT = 3, LexLE = 4 }

const EMPTY = Buffer.alloc(0);

export class PackedZSet {
  /** The entries' storage: bytes [0, used) hold entries; its length is the capacity. */
  bytes: Buffer;
  used = 0;
  count = 0;
  /** Bound mode: the keyspace holding the record, the record's handle and the block's (0 = none). */
  owner: Keyspace | null = null;
  record = 0;
  private block = 0;
  /** Cursor: the current entry (offset), its member bytes and score; see seek(). */
  curAt = 0;
  curStart = 0;
  curEnd = 0;
  curScore = 0;

  constructor(capacity = 0) {
    this.bytes = capacity > 0 ? Buffer.allocUnsafe(capacity) : EMPTY;
  }

  /** A packed set holding a copy of bytes produced by another one (entries already in order). */
  static fromBytes(bytes: Uint8Array): PackedZSet {
    const z = new PackedZSet(bytes.length);
    z.bytes.set(bytes, 0);
    z.used = bytes.length;
    for (let at = 0; at < z.used; at = z.entryEnd(at)) z.count++;
    return z;
  }

  /** A view of the packed value of record h of `owner` (see the header). */
  static bound(owner: Keyspace, h: number): PackedZSet {
    const z = new PackedZSet();
    z.owner = owner;
    z.record = h;
    z.block = owner.packedState(h, PackedField.Block);
    z.used = owner.packedState(h, PackedField.ByteLength);
    z.count = owner.packedState(h, PackedField.Count);
    if (z.block !== 0) z.bytes = z.blockBytes();
    return z;
  }

  /** The entries as self-contained bytes (the serialized form). */
  copyBytes(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.used));
  }

  entryEnd(at: number): number {
    const length = readVarint(this.bytes, at);
    return at + packedEntrySize(length);
  }

  private scoreAt(at: number): number {
    const length = readVarint(this.bytes, at);
    return this.bytes.readDoubleLE(at + varintSize(length) + length);
  }

  /** Offset of member's entry, or -1. */
  find(member: Uint8Array): number {
    const bytes = this.bytes;
    const length = member.length;
    for (let at = 0; at < this.used;) {
      const n = readVarint(bytes, at);
      const start = at + varintSize(n);
      if (n === length && compareBytes(bytes, start, start + n, member) === 0) return at;
      at = start + n + SCORE_BYTES + varintSize(n);
    }
    return -1;
  }

  /** Score of member, NaN when absent. */
  score(member: Uint8Array): number {
    const at = this.find(member);
    return at < 0 ? NaN : this.scoreAt(at);
  }

  /** Rank of member, or -1. */
  rankOf(member: Uint8Array): number {
    const bytes = this.bytes;
    let rank = 0;
    for (let at = 0; at < this.used; rank++) {
      const n = readVarint(bytes, at);
      const start = at + varintSize(n);
      if (n === member.length && compareBytes(bytes, start, start + n, member) === 0) return rank;
      at = start + n + SCORE_BYTES + varintSize(n);
    }
    return -1;
  }

  /** True when the entry at `at` comes before the bound (see Bound). */
  private before(at: number, bound: Bound, score: number, member: Uint8Array): boolean {
    const bytes = this.bytes;
    const n = readVarint(bytes, at);
    const start = at + varintSize(n);
    const s = bytes.readDoubleLE(start + n);
    switch (bound) {
      case Bound.Key:
        return s < score || (s === score && compareBytes(bytes, start, start + n, member) < 0);
      case Bound.ScoreLT: return s < score;
      case Bound.ScoreLE: return s <= score;
      case Bound.LexLT: return compareBytes(bytes, start, start + n, member) < 0;
      default: return compareBytes(bytes, start, start + n, member) <= 0;
    }
  }

  /** Number of leading entries that come before the bound. */
  countBefore(bound: Bound, score: number, member: Uint8Array): number {
    let rank = 0;
    for (let at = 0; at < this.used; at = this.entryEnd(at), rank++) {
      if (!this.before(at, bound, score, member)) break;
    }
    return rank;
  }

  /** Inserts a member known to be absent at its place in (score, member) order. */
  insert(member: Uint8Array, score: number): void {
    let at = 0;
    while (at < this.used && this.before(at, Bound.Key, score, member)) at = this.entryEnd(at);
    this.insertAt(at, member, score);
  }

  /** Appends a member that sorts after every present one. */
  append(member: Uint8Array, score: number): void {
    this.insertAt(this.used, member, score);
  }

  private insertAt(at: number, member: Uint8Array, score: number): void {
    const size = packedEntrySize(member.length);
    this.reserve(size);
    const bytes = this.bytes;
    if (at < this.used) bytes.copyWithin(at + size, at, this.used);
    let p = writeVarint(bytes, at, member.length);
    bytes.set(member, p);
    p += member.length;
    // Redis's listpack stores an integral score as an integer, which turns -0 into 0.
    bytes.writeDoubleLE(score === 0 ? 0 : score, p);
    writeBackVarint(bytes, at + size, member.length);
    this.used += size;
    this.count++;
    this.commit();
  }

  /** Removes the entry at offset `at`. */
  removeAt(at: number): void {
    this.removeSpan(at, this.entryEnd(at), 1);
  }

  /** Removes entries of ranks [start, end). */
  removeRanks(start: number, end: number): void {
    this.seek(start);
    const from = this.curAt;
    let to = from;
    for (let r = start; r < end; r++) to = this.entryEnd(to);
    this.removeSpan(from, to, end - start);
  }

  private removeSpan(from: number, to: number, entries: number): void {
    this.bytes.copyWithin(from, to, this.used);
    this.used -= to - from;
    this.count -= entries;
    // Give memory back once less than half of it is used.
    if (this.used < this.bytes.length >>> 1) this.resize(this.used);
    this.commit();
  }

  private reserve(extra: number): void {
    const need = this.used + extra;
    if (need <= this.bytes.length) return;
    this.resize(Math.max(need, Math.ceil(this.bytes.length * 1.25)));
  }

  /** Moves the entries to new storage of `capacity` bytes (at least `used`). */
  private resize(capacity: number): void {
    const owner = this.owner;
    if (owner === null) {
      const resized = Buffer.allocUnsafe(capacity);
      this.bytes.copy(resized, 0, 0, this.used);
      this.bytes = resized;
      return;
    }
    const heap = owner.storeHeap;
    const old = this.block;
    this.block = capacity === 0 ? 0 : heap.allocSized(SIZED_HEADER + capacity);
    const resized = this.block === 0 ? EMPTY : this.blockBytes();
    this.bytes.copy(resized, 0, 0, this.used);
    this.bytes = resized;
    if (old !== 0) heap.freeSized(old);
  }

  /** The bound block's data as a Buffer (its length is the block's capacity). */
  private blockBytes(): Buffer {
    const heap = this.owner!.storeHeap;
    const start = heap.offset(this.block) + SIZED_HEADER;
    return heap.buffer(this.block).subarray(start, heap.offset(this.block) + heap.sizedBytes(this.block));
  }

  /** Bound mode: writes the state back to the record (write-through, after every change). */
  private commit(): void {
    if (this.owner !== null) this.owner.setPackedState(this.record, this.block, this.used, this.count);
  }

  // ---- cursor ----

  private load(at: number): void {
    const n = readVarint(this.bytes, at);
    this.curAt = at;
    this.curStart = at + varintSize(n);
    this.curEnd = this.curStart + n;
    this.curScore = this.bytes.readDoubleLE(this.curEnd);
  }

  /** Positions the cursor on the entry of rank r (0 <= r < count). */
  seek(r: number): void {
    let at = 0;
    if (r > this.count >>> 1) {
      at = this.used;
      for (let i = this.count; i > r; i--) at -= packedEntrySize(readBackVarint(this.bytes, at));
    } else {
      for (let i = 0; i < r; i++) at = this.entryEnd(at);
    }
    this.load(at);
  }

  /** Moves to the next entry; false past the last one. */
  next(): boolean {
    const at = this.curEnd + SCORE_BYTES + varintSize(this.curEnd - this.curStart);
    if (at >= this.used) return false;
    this.load(at);
    return true;
  }

  /** Moves to the previous entry; false before the first one. */
  prev(): boolean {
    if (this.curAt === 0) return false;
    this.load(this.curAt - packedEntrySize(readBackVarint(this.bytes, this.curAt)));
    return true;
  }

  /** Memory held, in bytes. */
  get bytesUsed(): number {
    return this.bytes.length;
  }
}
