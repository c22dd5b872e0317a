// Intset: a sorted array of distinct 64-bit integers, the compact form of
// sets whose members are all integers. Like Redis's intset it uses the
// narrowest element width that holds every member (16, 32 or 64 bits) and
// upgrades the whole array when a wider value arrives; lookups are binary
// searches. Values are JS numbers when safe, bigints beyond 2^53.

import { parseSafeIntegerAt } from '../util/number';

export type IntValue = number | bigint;

const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

type Storage = Int16Array | Int32Array | BigInt64Array;

/** Element width (bytes) needed to hold v. */
function widthOf(v: IntValue): 2 | 4 | 8 {
  if (typeof v === 'bigint') return 8;
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

function allocate(width: 2 | 4 | 8, capacity: number): Storage {
  return width === 2 ? new Int16Array(capacity) : width === 4 ? new Int32Array(capacity) : new BigInt64Array(capacity);
}

/**
 * The integer a set member stands for, if the member is a canonical integer
 * (Redis string2ll) in int64 range; null otherwise.
 */
export function memberInteger(member: Uint8Array): IntValue | null {
  const v = parseSafeIntegerAt(member, 0, member.length);
  if (v !== v) return null;
  if (v === Infinity || v === -Infinity) return BigInt(Buffer.from(member.buffer, member.byteOffset, member.length).latin1Slice(0, member.length));
  return v;
}

/** A value as JS number when safe, bigint otherwise. */
function normalize(v: number | bigint): IntValue {
  if (typeof v === 'number') return v;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export class IntSet {
  private values: Storage = new Int16Array(4);
  /** Number of members. */
  count = 0;

  /** Element width in bytes (2, 4 or 8). */
  get width(): number {
    return this.values.BYTES_PER_ELEMENT;
  }

  /** Member at sorted index i (0 <= i < count). */
  get(i: number): IntValue {
    return normalize(this.values[i]);
  }

  has(v: IntValue): boolean {
    return widthOf(v) <= this.width && this.search(v) >= 0;
  }

  /** Adds v; false if it was already there. */
  add(v: IntValue): boolean {
    const width = widthOf(v);
    if (width > this.width) {
      this.upgrade(width);
      // v is beyond every current member: it goes to one end.
      this.insertAt(v < 0 ? 0 : this.count, v);
      return true;
    }
    const at = this.search(v);
    if (at >= 0) return false;
    this.insertAt(-at - 1, v);
    return true;
  }

  /** Removes v; false if it was not there. */
  remove(v: IntValue): boolean {
    if (widthOf(v) > this.width) return false;
    const at = this.search(v);
    if (at < 0) return false;
    this.removeAt(at);
    return true;
  }

  removeAt(i: number): void {
    this.values.copyWithin(i, i + 1, this.count);
    this.count--;
    if (this.count < this.values.length >>> 2 && this.values.length > 8) this.resize(this.count * 2);
  }

  /** Index of a uniformly random member (count must be > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.count);
  }

  /** Bytes held by the element array. */
  get allocatedBytes(): number {
    return this.values.byteLength;
  }

  /** The members as little-endian int64s (self-contained bytes). */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.count * 8);
    for (let i = 0; i < this.count; i++) out.writeBigInt64LE(BigInt(this.values[i]), i * 8);
    return out;
  }

  static fromSerialized(payload: Uint8Array): IntSet {
    const set = new IntSet();
    const view = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
    for (let at = 0; at < payload.length; at += 8) set.add(normalize(view.readBigInt64LE(at)));
    return set;
  }

  // ---- internals ----

  /** Index of v, or -(insertion point) - 1. v must fit the current width. */
  private search(v: IntValue): number {
    const values = this.values;
    const key = this.width === 8 ? BigInt(v) : v;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = values[mid];
      if (x < key) lo = mid + 1;
      else if (x > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  private insertAt(i: number, v: IntValue): void {
    if (this.count === this.values.length) this.resize(this.count * 2);
    const values = this.values;
    values.copyWithin(i + 1, i, this.count);
    if (values instanceof BigInt64Array) values[i] = BigInt(v);
    else values[i] = v as number;
    this.count++;
  }

  private resize(capacity: number): void {
    const next = allocate(this.width as 2 | 4 | 8, Math.max(capacity, 4));
    next.set(this.values.subarray(0, this.count) as never);
    this.values = next;
  }

  private upgrade(width: 2 | 4 | 8): void {
    const next = allocate(width, Math.max(this.count * 2, 4));
    const values = this.values;
    if (next instanceof BigInt64Array) for (let i = 0; i < this.count; i++) next[i] = BigInt(values[i]);
    else next.set(values.subarray(0, this.count) as Int16Array);
    this.values = next;
  }
}
