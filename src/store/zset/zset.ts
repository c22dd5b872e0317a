// A sorted set value: the packed form while small, the tree form past
// zset-max-listpack-entries / zset-max-listpack-value (read at conversion
// time, so CONFIG SET applies to the next change), as Redis converts between
// listpack and skiplist. The object stays the same when its form changes, so
// the keyspace keeps referring to it.
//
// A stored packed set has no object of its own: the keyspace keeps its
// entries in a packed record and hands out a view (ZSet.bound) per access.
// When a view outgrows the packed form it stores itself, now a tree, in
// place of the record's value, and from then on is that stored object.
//
// One cursor per set: seek(rank) then next()/prev(); the current member is
// buf[curStart, curEnd) (valid until the set changes) and its score curScore.

import { config } from '../../config';
import type { Keyspace } from '../keyspace';
import { ValueType } from '../types';
import { Bound, PackedZSet, packedEntrySize, readVarint, varintSize, writeBackVarint, writeVarint } from './packed';
import { ZTree } from './tree';

export { Bound } from './packed';

export type ZSetEncoding = 'listpack' | 'skiplist';

const ENCODING_PACKED = 0;
const ENCODING_TREE = 1;

function maxPackedEntries(): number {
  return config.numeric('zset-max-listpack-entries');
}

function maxPackedValue(): number {
  return config.numeric('zset-max-listpack-value');
}

export class ZSet {
  private small: PackedZSet | null;
  private large: ZTree | null;

  /** A new empty set in the form Redis picks for `sizeHint` members of up to `longestMember` bytes. */
  constructor(sizeHint = 0, longestMember = 0) {
    if (maxPackedEntries() === 0 || sizeHint > maxPackedEntries() || longestMember > maxPackedValue()) {
      this.small = null;
      this.large = new ZTree();
    } else {
      this.small = new PackedZSet();
      this.large = null;
    }
  }

  /** A view of the packed sorted set of record h of `owner` (see the header). */
  static bound(owner: Keyspace, h: number): ZSet {
    const z = Object.create(ZSet.prototype) as ZSet;
    z.small = PackedZSet.bound(owner, h);
    z.large = null;
    return z;
  }

  get size(): number {
    return this.small !== null ? this.small.count : this.large!.size;
  }

  get encoding(): ZSetEncoding {
    return this.small !== null ? 'listpack' : 'skiplist';
  }

  /** Score of member, NaN when absent. */
  score(member: Uint8Array): number {
    return this.small !== null ? this.small.score(member) : this.large!.score(member);
  }

  /** Rank of member in ascending order, or -1. */
  rankOf(member: Uint8Array): number {
    return this.small !== null ? this.small.rankOf(member) : this.large!.rankOf(member);
  }

  /** Number of elements before a bound: e.g. (ScoreLT, 5) counts scores < 5, (LexLE, m) members <= m. */
  countBefore(bound: Bound, score: number, member: Uint8Array): number {
    return this.small !== null ? this.small.countBefore(bound, score, member) : this.large!.countBefore(bound, score, member);
  }

  /**
   * Adds member with score, or moves it to score when present (the caller checks
   * presence with score() first when it matters). Returns true when added.
   * Converts to the tree form when the packed form would exceed its limits.
   */
  set(member: Uint8Array, score: number): boolean {
    const small = this.small;
    if (small !== null) {
      const at = small.find(member);
      if (at >= 0) {
        small.removeAt(at);
        small.insert(member, score);
        return false;
      }
      if (small.count + 1 <= maxPackedEntries() && member.length <= maxPackedValue()) {
        small.insert(member, score);
        return true;
      }
      this.convertToTree();
    }
    const large = this.large!;
    if (large.find(member) >= 0) {
      large.update(member, score);
      return false;
    }
    large.insert(member, score);
    return true;
  }

  /** Removes member; false when absent. */
  delete(member: Uint8Array): boolean {
    const small = this.small;
    if (small === null) return this.large!.delete(member);
    const at = small.find(member);
    if (at < 0) return false;
    small.removeAt(at);
    return true;
  }

  /** Removes the elements of ranks [start, end). */
  removeRanks(start: number, end: number): void {
    if (end <= start) return;
    if (this.small !== null) this.small.removeRanks(start, end);
    else this.large!.removeRanks(start, end);
  }

  // ---- cursor ----

  /** Positions the cursor on rank r (0 <= r < size). */
  seek(r: number): void {
    if (this.small !== null) this.small.seek(r);
    else this.large!.seek(r);
  }

  next(): boolean {
    return this.small !== null ? this.small.next() : this.large!.next();
  }

  prev(): boolean {
    return this.small !== null ? this.small.prev() : this.large!.prev();
  }

  /** Bytes holding the current member. */
  get buf(): Buffer {
    return this.small !== null ? this.small.bytes : this.large!.data;
  }

  get curStart(): number {
    return this.small !== null ? this.small.curStart : this.large!.curStart;
  }

  get curEnd(): number {
    return this.small !== null ? this.small.curEnd : this.large!.curEnd;
  }

  get curScore(): number {
    return this.small !== null ? this.small.curScore : this.large!.curScore;
  }

  /** A copy of the current member. */
  curMember(): Buffer {
    const buf = this.buf;
    return Buffer.from(buf.subarray(this.curStart, this.curEnd));
  }

  // ---- scan ----

  /**
   * Loads the element at scan position `pos` into the cursor; false when that position is free.
   * Positions run from 0 to scanBound; a member keeps its position while it stays in the set.
   */
  loadScanPosition(pos: number): boolean {
    if (this.small !== null) {
      this.small.seek(pos);
      return true;
    }
    return this.large!.loadId(pos);
  }

  get scanBound(): number {
    return this.small !== null ? this.small.count : this.large!.idBound;
  }

  // ---- form changes ----

  private convertToTree(): void {
    const small = this.small!;
    const tree = new ZTree();
    if (small.count > 0) {
      small.seek(0);
      do tree.insert(small.bytes.subarray(small.curStart, small.curEnd), small.curScore);
      while (small.next());
    }
    this.small = null;
    this.large = tree;
    // A view: this set, now a tree, replaces the record's packed value (which the keyspace frees).
    const owner = small.owner;
    if (owner !== null) owner.setObject(owner.keyOf(small.record), ValueType.ZSet, this, owner.expireAt(small.record));
  }

  /**
   * Goes back to the packed form when the set fits it (Redis's
   * zsetConvertToListpackIfNeeded, used for results of ZUNIONSTORE and friends).
   */
  convertToPackedIfFits(): void {
    const large = this.large;
    if (large === null || large.size > maxPackedEntries()) return;
    const maxValue = maxPackedValue();
    let bytes = 0;
    if (large.size > 0) {
      large.seek(0);
      do {
        const length = large.curEnd - large.curStart;
        if (length > maxValue) return;
        bytes += packedEntrySize(length);
      } while (large.next());
    }
    const small = new PackedZSet(bytes);
    if (large.size > 0) {
      large.seek(0);
      do small.append(large.data.subarray(large.curStart, large.curEnd), large.curScore);
      while (large.next());
    }
    this.large = null;
    this.small = small;
  }

  /** The packed form's entries (a view, valid until the set changes); only for encoding 'listpack'. */
  packedEntries(): Buffer {
    const small = this.small!;
    return small.bytes.subarray(0, small.used);
  }

  // ---- serialization: [u8 form][packed entries in order] ----

  serialize(): Buffer {
    const small = this.small;
    if (small !== null) {
      const out = Buffer.allocUnsafe(1 + small.used);
      out[0] = ENCODING_PACKED;
      small.bytes.copy(out, 1, 0, small.used);
      return out;
    }
    const large = this.large!;
    let bytes = 1;
    if (large.size > 0) {
      large.seek(0);
      do bytes += packedEntrySize(large.curEnd - large.curStart);
      while (large.next());
    }
    const out = Buffer.allocUnsafe(bytes);
    out[0] = ENCODING_TREE;
    let at = 1;
    if (large.size > 0) {
      large.seek(0);
      do at = writeEntry(out, at, large.data, large.curStart, large.curEnd, large.curScore);
      while (large.next());
    }
    return out;
  }

  /** A set rebuilt from serialize() output, in the same form. */
  static deserialize(payload: Uint8Array): ZSet {
    const z = Object.create(ZSet.prototype) as ZSet;
    const entries = payload.subarray(1);
    if (payload[0] === ENCODING_PACKED) {
      z.small = PackedZSet.fromBytes(entries);
      z.large = null;
      return z;
    }
    const tree = new ZTree();
    forEachEntry(entries, (member, score) => tree.insert(member, score));
    z.small = null;
    z.large = tree;
    return z;
  }

  /** Memory held by this set's storage, in bytes. */
  get bytesUsed(): number {
    return this.small !== null ? this.small.bytesUsed : this.large!.bytesUsed;
  }
}

/** Writes one packed entry (member bytes from src[start, end)) at `at`; returns the offset after it. */
function writeEntry(out: Buffer, at: number, src: Buffer, start: number, end: number, score: number): number {
  const length = end - start;
  at = writeVarint(out, at, length);
  src.copy(out, at, start, end);
  at += length;
  out.writeDoubleLE(score, at);
  at += 8 + varintSize(length);
  writeBackVarint(out, at, length);
  return at;
}

/** Calls visit(member view, score) for each entry of packed entry bytes. */
export function forEachEntry(entries: Uint8Array, visit: (member: Uint8Array, score: number) => void): void {
  const view = Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength);
  for (let at = 0; at < view.length;) {
    const length = readVarint(view, at);
    const start = at + varintSize(length);
    visit(view.subarray(start, start + length), view.readDoubleLE(start + length));
    at += packedEntrySize(length);
  }
}
