// A stream (Redis t_stream.c's data structure): entries packed into byte
// blocks, like Redis's radix tree of listpacks, in an array ordered by each
// block's master ID (the ID of the entry that opened it).
//
// Block layout: the master fields ([count varint] then [len varint][bytes] per
// field name), then entries:
//   [flags u8][ms - master ms: varint64][seq: varint64]
//   [field count varint, unless SAME_FIELDS]
//   per field: [len][field bytes] (unless SAME_FIELDS) [len][value bytes]
//   [backlen: the entry's size so far, written to be read backwards]
// An entry whose field names equal the master's stores only its values
// (SAME_FIELDS). Deleted entries stay as tombstones (DELETED flag) until their
// whole block goes, as in Redis. Blocks split where Redis's would: after
// stream-node-max-entries entries or when Redis's listpack for the block would
// reach stream-node-max-bytes (its size is tracked as `lpBytes`), so XINFO,
// approximate trimming (~) and LIMIT behave identically.

import { ConsumerGroup, Consumer, Nack, nameIndex, pelInsert } from './groups';
import { StreamId } from './id';
import { readVarint, varintSize, writeVarint } from '../varint';
import { parseSafeIntegerAt } from '../../util/number';

const FLAG_DELETED = 1;
const FLAG_SAME_FIELDS = 2;
const TWO_32 = 4294967296;
/** Redis STREAM_LISTPACK_MAX_SIZE: the byte limit when stream-node-max-bytes is 0 or larger. */
const LISTPACK_MAX_SIZE = 1 << 30;
const INITIAL_BLOCK_BYTES = 128;

// ---- Redis listpack sizes (to split blocks where Redis splits listpacks) -----------

/** Listpack header and terminator. */
const LP_EMPTY_BYTES = 7;

/** Bytes of a listpack integer entry (encoding + backlen) for a 64-bit two's complement value. */
function lpInt64Bytes(hi: number, lo: number): number {
  if (hi === 0) return lo <= 127 ? 2 : lo <= 4095 ? 3 : lo <= 32767 ? 4 : lo <= 8388607 ? 5 : lo <= 2147483647 ? 6 : 10;
  if (hi === 0xffffffff) {
    const v = lo - TWO_32;
    return v >= -4096 ? 3 : v >= -32768 ? 4 : v >= -8388608 ? 5 : v >= -2147483648 ? 6 : 10;
  }
  return 10;
}

function lpIntBytes(v: number): number {
  if (v >= 0) return v < TWO_32 ? lpInt64Bytes(0, v) : 10;
  return v >= -TWO_32 ? lpInt64Bytes(0xffffffff, v + TWO_32) : 10;
}

function lpBacklenBytes(n: number): number {
  return n <= 127 ? 1 : n < 16383 ? 2 : n < 2097151 ? 3 : n < 268435455 ? 4 : 5;
}

/** Bytes of a listpack entry holding `s` (stored as an integer when it is one, as lpAppend does). */
function lpStringBytes(s: Uint8Array): number {
  const n = s.length;
  if (n > 0 && n <= 20) {
    const v = parseSafeIntegerAt(s, 0, n);
    if (v === v) return Number.isFinite(v) ? lpIntBytes(v) : 10;
  }
  const body = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return body + lpBacklenBytes(body);
}

// ---- byte helpers -------------------------------------------------------------------

/** Halves of the last varint64 read. */
let readHi = 0;
let readLo = 0;

function writeVarint64(buf: Uint8Array, at: number, hi: number, lo: number): number {
  while (hi !== 0 || lo >= 0x80) {
    buf[at++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[at++] = lo;
  return at;
}

function varint64Size(hi: number, lo: number): number {
  let n = 1;
  while (hi !== 0 || lo >= 0x80) {
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
    n++;
  }
  return n;
}

/** Reads a varint64 into readHi/readLo; returns the offset after it. */
function readVarint64(buf: Uint8Array, at: number): number {
  let b = buf[at++];
  if (b < 0x80) {
    readHi = 0;
    readLo = b;
    return at;
  }
  let lo = b & 0x7f;
  let hi = 0;
  let shift = 7;
  do {
    b = buf[at++];
    const g = b & 0x7f;
    if (shift < 32) {
      lo = (lo | (g << shift)) >>> 0;
      if (shift > 25) hi = g >>> (32 - shift);
    } else {
      hi = (hi | (g << (shift - 32))) >>> 0;
    }
    shift += 7;
  } while (b & 0x80);
  readHi = hi;
  readLo = lo;
  return at;
}

/** Writes n so that it reads backwards from its last byte (low 7 bits last, high bit = more before). */
function writeBacklen(buf: Uint8Array, at: number, n: number): number {
  const size = varintSize(n);
  for (let i = size - 1; i >= 0; i--) {
    buf[at + i] = (n & 0x7f) | (i > 0 ? 0x80 : 0);
    n = Math.floor(n / 128);
  }
  return at + size;
}

/** Value of the backlen ending just before `end`; its byte count goes to backlenBytes. */
let backlenBytes = 0;
function readBacklen(buf: Uint8Array, end: number): number {
  let p = end - 1;
  let n = buf[p] & 0x7f;
  let scale = 128;
  while (buf[p] & 0x80) {
    p--;
    n += (buf[p] & 0x7f) * scale;
    scale *= 128;
  }
  backlenBytes = end - p;
  return n;
}

/** a - b for 64-bit values as halves (two's complement), into readHi/readLo. */
function sub64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  let lo = aLo - bLo;
  let borrow = 0;
  if (lo < 0) {
    lo += TWO_32;
    borrow = 1;
  }
  readHi = (aHi - bHi - borrow) >>> 0;
  readLo = lo;
}

// ---- blocks -------------------------------------------------------------------------

class Block {
  bytes: Uint8Array;
  used = 0;
  /** Offset of the first entry (after the master fields). */
  entriesAt = 0;
  masterFieldCount = 0;
  live = 0;
  deleted = 0;
  /** Redis's listpack size for this block, minus its live/deleted counters (which vary). */
  lpFixed = 0;

  constructor(readonly master: StreamId, capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  get lpBytes(): number {
    return this.lpFixed + lpIntBytes(this.live) + lpIntBytes(this.deleted);
  }

  ensure(extra: number): void {
    const need = this.used + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }

  shrink(): void {
    if (this.used < this.bytes.length) this.bytes = this.bytes.slice(0, this.used);
  }
}

/** Decoded header of the entry at a block offset, filled by decodeEntry. */
class EntryView {
  readonly id = new StreamId();
  flags = 0;
  numFields = 0;
  /** Where the entry's own bytes continue after its header (fields and values, or values only). */
  bodyAt = 0;
  /** Offset just past the entry, backlen included. */
  end = 0;
}

/** Decodes the entry at `at` in block b into view (ID, flags, field count, extent). */
function decodeEntry(b: Block, at: number, view: EntryView): void {
  const buf = b.bytes;
  const flags = buf[at];
  let p = readVarint64(buf, at + 1);
  const m = b.master;
  let lo = m.msLo + readLo;
  let carry = 0;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    carry = 1;
  }
  view.id.msLo = lo;
  view.id.msHi = m.msHi + readHi + carry;
  p = readVarint64(buf, p);
  view.id.seqHi = readHi;
  view.id.seqLo = readLo;
  let items: number;
  if (flags & FLAG_SAME_FIELDS) {
    view.numFields = b.masterFieldCount;
    items = view.numFields;
  } else {
    const n = readVarint(buf, p);
    p += varintSize(n);
    view.numFields = n;
    items = n * 2;
  }
  view.flags = flags;
  view.bodyAt = p;
  for (let i = 0; i < items; i++) {
    const len = readVarint(buf, p);
    p += varintSize(len) + len;
  }
  view.end = p + varintSize(p - at);
}

/** Start offset of the entry ending at `end` (its backlen included). */
function entryStartBefore(b: Block, end: number): number {
  const size = readBacklen(b.bytes, end);
  return end - backlenBytes - size;
}

/** ID of the last entry of a block, tombstones included. */
function lastIdOf(b: Block, out: StreamId): void {
  decodeEntry(b, entryStartBefore(b, b.used), scratchView);
  out.setFrom(scratchView.id);
}

const scratchView = new EntryView();

// ---- iteration ----------------------------------------------------------------------

/**
 * Walks live entries with IDs in [start, end], forward or backward. After next() returns
 * true, `id` and `numFields` describe the entry and nextField() steps through its
 * field/value pairs (views into the block, valid until the stream changes).
 */
export class StreamIterator {
  readonly id = new StreamId();
  numFields = 0;
  buf: Uint8Array = new Uint8Array(0);
  fieldStart = 0;
  fieldEnd = 0;
  valueStart = 0;
  valueEnd = 0;

  private stream: Stream | null = null;
  private readonly start = new StreamId();
  private readonly end = new StreamId();
  private rev = false;
  private blockIndex = 0;
  /** Forward: offset of the next entry to decode; backward: end of the next entry to decode. */
  private pos = 0;
  private readonly view = new EntryView();
  private sameFields = false;
  private fieldPos = 0;
  private valuePos = 0;

  /** Positions the iterator; null start/end mean the first/last possible IDs. */
  seek(stream: Stream, start: StreamId | null, end: StreamId | null, rev: boolean): this {
    this.stream = stream;
    if (start) this.start.setFrom(start);
    else this.start.setZero();
    if (end) this.end.setFrom(end);
    else this.end.setMax();
    this.rev = rev;
    const blocks = stream.blocks;
    if (!rev) {
      const i = this.start.isZero() ? -1 : stream.blockAtOrBefore(this.start);
      this.blockIndex = i < 0 ? 0 : i;
      this.pos = this.blockIndex < blocks.length ? blocks[this.blockIndex].entriesAt : 0;
    } else {
      this.blockIndex = this.end.isMax() ? blocks.length - 1 : stream.blockAtOrBefore(this.end);
      this.pos = this.blockIndex >= 0 ? blocks[this.blockIndex].used : 0;
    }
    return this;
  }

  next(): boolean {
    const blocks = this.stream!.blocks;
    const view = this.view;
    if (!this.rev) {
      while (this.blockIndex < blocks.length) {
        const b = blocks[this.blockIndex];
        if (this.pos >= b.used) {
          if (++this.blockIndex < blocks.length) this.pos = blocks[this.blockIndex].entriesAt;
          continue;
        }
        const at = this.pos;
        decodeEntry(b, at, view);
        this.pos = view.end;
        if ((view.flags & FLAG_DELETED) !== 0 || view.id.compare(this.start) < 0) continue;
        if (view.id.compare(this.end) > 0) {
          this.blockIndex = blocks.length;
          return false;
        }
        this.take(b);
        return true;
      }
      return false;
    }
    while (this.blockIndex >= 0) {
      const b = blocks[this.blockIndex];
      if (this.pos <= b.entriesAt) {
        if (--this.blockIndex >= 0) this.pos = blocks[this.blockIndex].used;
        continue;
      }
      const at = entryStartBefore(b, this.pos);
      decodeEntry(b, at, view);
      this.pos = at;
      if ((view.flags & FLAG_DELETED) !== 0 || view.id.compare(this.end) > 0) continue;
      if (view.id.compare(this.start) < 0) {
        this.blockIndex = -1;
        return false;
      }
      this.take(b);
      return true;
    }
    return false;
  }

  private take(b: Block): void {
    const view = this.view;
    this.id.setFrom(view.id);
    this.numFields = view.numFields;
    this.buf = b.bytes;
    this.sameFields = (view.flags & FLAG_SAME_FIELDS) !== 0;
    this.fieldPos = this.sameFields ? varintSize(b.masterFieldCount) : view.bodyAt;
    this.valuePos = view.bodyAt;
  }

  /** Moves fieldStart/End and valueStart/End to the entry's next pair. */
  nextField(): void {
    const buf = this.buf;
    let p = this.sameFields ? this.fieldPos : this.valuePos;
    let len = readVarint(buf, p);
    this.fieldStart = p + varintSize(len);
    this.fieldEnd = this.fieldStart + len;
    if (this.sameFields) this.fieldPos = this.fieldEnd;
    else this.valuePos = this.fieldEnd;
    p = this.valuePos;
    len = readVarint(buf, p);
    this.valueStart = p + varintSize(len);
    this.valueEnd = this.valueStart + len;
    this.valuePos = this.valueEnd;
  }
}

const scanIterator = new StreamIterator();

// ---- the stream ---------------------------------------------------------------------

export interface TrimArgs {
  /** true: MAXLEN, false: MINID. */
  byLength: boolean;
  maxLength: number;
  minId: StreamId;
  approx: boolean;
  /** Most entries to remove; 0 = no limit. */
  limit: number;
}

export class Stream {
  blocks: Block[] = [];
  length = 0;
  entriesAdded = 0;
  readonly lastId = new StreamId();
  readonly firstId = new StreamId();
  readonly maxDeletedId = new StreamId();
  /** Consumer groups sorted by name. */
  groups: ConsumerGroup[] = [];

  /** Index of the last block whose master ID is <= id, or -1. */
  blockAtOrBefore(id: StreamId): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.blocks[mid].master.compare(id) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Appends an entry (Redis streamAppendItem) with ID id (greater than lastId: the caller
   * checked) and the field/value pairs argv[first..first+2*pairs).
   */
  append(argv: Uint8Array[], first: number, pairs: number, id: StreamId, nodeMaxBytes: number, nodeMaxEntries: number): void {
    let b: Block | null = this.blocks.length > 0 ? this.blocks[this.blocks.length - 1] : null;
    if (b !== null) {
      let payloadBytes = 0;
      for (let i = first; i < first + pairs * 2; i++) payloadBytes += argv[i].length;
      const maxBytes = nodeMaxBytes === 0 || nodeMaxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : nodeMaxBytes;
      if (b.lpBytes + payloadBytes >= maxBytes || (nodeMaxEntries !== 0 && b.live + b.deleted >= nodeMaxEntries)) {
        b.shrink();
        b = null;
      }
    }
    let sameFields = true;
    if (b === null) {
      b = this.openBlock(argv, first, pairs, id);
    } else if (pairs === b.masterFieldCount) {
      let p = varintSize(pairs);
      const buf = b.bytes;
      for (let i = 0; i < pairs && sameFields; i++) {
        const field = argv[first + i * 2];
        const len = readVarint(buf, p);
        p += varintSize(len);
        if (len !== field.length) sameFields = false;
        for (let k = 0; k < len && sameFields; k++) if (buf[p + k] !== field[k]) sameFields = false;
        p += len;
      }
    } else {
      sameFields = false;
    }
    this.writeEntry(b, argv, first, pairs, id, sameFields);
    b.live++;
    this.length++;
    this.entriesAdded++;
    this.lastId.setFrom(id);
    if (this.length === 1) this.firstId.setFrom(id);
  }

  private openBlock(argv: Uint8Array[], first: number, pairs: number, id: StreamId): Block {
    let size = varintSize(pairs);
    let lp = LP_EMPTY_BYTES + lpIntBytes(pairs) + lpIntBytes(0);
    for (let i = 0; i < pairs; i++) {
      const field = argv[first + i * 2];
      size += varintSize(field.length) + field.length;
      lp += lpStringBytes(field);
    }
    const b = new Block(id.copy(), Math.max(INITIAL_BLOCK_BYTES, size * 2));
    let p = writeVarint(b.bytes, 0, pairs);
    for (let i = 0; i < pairs; i++) {
      const field = argv[first + i * 2];
      p = writeVarint(b.bytes, p, field.length);
      b.bytes.set(field, p);
      p += field.length;
    }
    b.used = b.entriesAt = p;
    b.masterFieldCount = pairs;
    b.lpFixed = lp;
    this.blocks.push(b);
    return b;
  }

  private writeEntry(b: Block, argv: Uint8Array[], first: number, pairs: number, id: StreamId, sameFields: boolean): void {
    const m = b.master;
    sub64(id.msHi, id.msLo, m.msHi, m.msLo);
    const msHi = readHi;
    const msLo = readLo;
    let size = 1 + varint64Size(msHi, msLo) + varint64Size(id.seqHi, id.seqLo);
    let lp = lpInt64Bytes(msHi, msLo);
    sub64(id.seqHi, id.seqLo, m.seqHi, m.seqLo);
    lp += 2 + lpInt64Bytes(readHi, readLo) + lpIntBytes(pairs + 3 + (sameFields ? 0 : pairs + 1));
    if (!sameFields) {
      size += varintSize(pairs);
      lp += lpIntBytes(pairs);
    }
    for (let i = 0; i < pairs; i++) {
      const value = argv[first + i * 2 + 1];
      size += varintSize(value.length) + value.length;
      lp += lpStringBytes(value);
      if (!sameFields) {
        const field = argv[first + i * 2];
        size += varintSize(field.length) + field.length;
        lp += lpStringBytes(field);
      }
    }
    b.ensure(size + varintSize(size));
    const buf = b.bytes;
    const at = b.used;
    buf[at] = sameFields ? FLAG_SAME_FIELDS : 0;
    let p = writeVarint64(buf, at + 1, msHi, msLo);
    p = writeVarint64(buf, p, id.seqHi, id.seqLo);
    if (!sameFields) p = writeVarint(buf, p, pairs);
    for (let i = 0; i < pairs; i++) {
      if (!sameFields) p = writeBytes(buf, p, argv[first + i * 2]);
      p = writeBytes(buf, p, argv[first + i * 2 + 1]);
    }
    b.used = writeBacklen(buf, p, p - at);
    b.lpFixed += lp;
  }

  /** True when a live entry has this ID (Redis streamEntryExists). */
  has(id: StreamId): boolean {
    return scanIterator.seek(this, id, id, false).next();
  }

  /** Deletes a live entry (Redis streamDeleteItem); false when there is none with this ID. */
  delete(id: StreamId): boolean {
    const i = this.blockAtOrBefore(id);
    if (i < 0) return false;
    const b = this.blocks[i];
    for (let p = b.entriesAt; p < b.used; p = scratchView.end) {
      decodeEntry(b, p, scratchView);
      const c = scratchView.id.compare(id);
      if (c > 0) return false;
      if (c < 0 || (scratchView.flags & FLAG_DELETED) !== 0) continue;
      if (b.live === 1) {
        this.blocks.splice(i, 1);
      } else {
        b.bytes[p] |= FLAG_DELETED;
        b.live--;
        b.deleted++;
      }
      this.length--;
      return true;
    }
    return false;
  }

  /** The first (or last) live entry's ID into out; false when the stream has none. */
  edgeId(first: boolean, out: StreamId): boolean {
    if (!scanIterator.seek(this, null, null, !first).next()) return false;
    out.setFrom(scanIterator.id);
    return true;
  }

  /** Redis streamTrim: removes entries from the head; returns how many. */
  trim(args: TrimArgs): number {
    const blocks = this.blocks;
    let deleted = 0;
    let removedBlocks = 0;
    const lastOfBlock = scratchId;
    while (removedBlocks < blocks.length) {
      if (args.byLength && this.length <= args.maxLength) break;
      const b = blocks[removedBlocks];
      const entries = b.live;
      if (args.limit !== 0 && deleted + entries > args.limit) break;
      let removeBlock: boolean;
      if (args.byLength) {
        removeBlock = this.length - entries >= args.maxLength;
      } else {
        lastIdOf(b, lastOfBlock);
        removeBlock = lastOfBlock.compare(args.minId) < 0;
      }
      if (removeBlock) {
        removedBlocks++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      let removedHere = 0;
      for (let p = b.entriesAt; p < b.used; p = scratchView.end) {
        decodeEntry(b, p, scratchView);
        if (args.byLength ? this.length <= args.maxLength : scratchView.id.compare(args.minId) >= 0) break;
        if ((scratchView.flags & FLAG_DELETED) === 0) {
          b.bytes[p] |= FLAG_DELETED;
          removedHere++;
          this.length--;
        }
      }
      b.live -= removedHere;
      b.deleted += removedHere;
      deleted += removedHere;
      break;
    }
    if (removedBlocks > 0) blocks.splice(0, removedBlocks);
    if (this.length === 0) this.firstId.setZero();
    else if (deleted > 0) this.edgeId(true, this.firstId);
    return deleted;
  }

  /** Radix-tree nodes Redis would use to index the blocks (XINFO STREAM radix-tree-nodes). */
  radixTreeNodes(): number {
    const n = this.blocks.length;
    if (n === 0) return 1;
    const keys = Buffer.allocUnsafe(n * 16);
    for (let i = 0; i < n; i++) {
      const m = this.blocks[i].master;
      keys.writeUInt32BE(m.msHi, i * 16);
      keys.writeUInt32BE(m.msLo, i * 16 + 4);
      keys.writeUInt32BE(m.seqHi, i * 16 + 8);
      keys.writeUInt32BE(m.seqLo, i * 16 + 12);
    }
    return raxNodes(keys, 0, n, 0);
  }

  // ---- consumer groups ----

  group(name: Uint8Array): ConsumerGroup | null {
    const i = nameIndex(this.groups, name);
    return i >= 0 ? this.groups[i] : null;
  }

  /** Creates a group; null when one with this name exists. */
  createGroup(name: Uint8Array, lastId: StreamId, entriesRead: number): ConsumerGroup | null {
    const i = nameIndex(this.groups, name);
    if (i >= 0) return null;
    const group = new ConsumerGroup(Buffer.from(name), lastId.copy(), entriesRead);
    this.groups.splice(-i - 1, 0, group);
    return group;
  }

  deleteGroup(name: Uint8Array): boolean {
    const i = nameIndex(this.groups, name);
    if (i < 0) return false;
    this.groups.splice(i, 1);
    return true;
  }

  // ---- copies ----

  /** Self-contained bytes of the whole stream, groups and pending entries included. */
  serialize(): Buffer {
    const w = new ByteWriter();
    w.f64(this.length);
    w.f64(this.entriesAdded);
    w.id(this.lastId);
    w.id(this.firstId);
    w.id(this.maxDeletedId);
    w.u32(this.blocks.length);
    for (const b of this.blocks) {
      w.id(b.master);
      w.u32(b.live);
      w.u32(b.deleted);
      w.u32(b.masterFieldCount);
      w.u32(b.entriesAt);
      w.f64(b.lpFixed);
      w.bytes(b.bytes.subarray(0, b.used));
    }
    w.u32(this.groups.length);
    for (const g of this.groups) {
      w.bytes(g.name);
      w.id(g.lastId);
      w.f64(g.entriesRead);
      w.u32(g.consumers.length);
      for (const c of g.consumers) {
        w.bytes(c.name);
        w.f64(c.seenTime);
      }
      w.u32(g.pel.length);
      for (const nack of g.pel) {
        w.id(nack.id);
        w.f64(nack.deliveryTime);
        w.f64(nack.deliveryCount);
        w.u32(g.consumers.indexOf(nack.consumer!));
      }
    }
    return w.take();
  }

  static restore(payload: Uint8Array): Stream {
    const r = new ByteReader(payload);
    const s = new Stream();
    s.length = r.f64();
    s.entriesAdded = r.f64();
    r.id(s.lastId);
    r.id(s.firstId);
    r.id(s.maxDeletedId);
    for (let n = r.u32(); n > 0; n--) {
      const b = new Block(r.id(new StreamId()), 0);
      b.live = r.u32();
      b.deleted = r.u32();
      b.masterFieldCount = r.u32();
      b.entriesAt = r.u32();
      b.lpFixed = r.f64();
      b.bytes = r.bytes().slice();
      b.used = b.bytes.length;
      s.blocks.push(b);
    }
    for (let n = r.u32(); n > 0; n--) {
      const g = new ConsumerGroup(Buffer.from(r.bytes()), r.id(new StreamId()), r.f64());
      for (let k = r.u32(); k > 0; k--) g.consumers.push(new Consumer(Buffer.from(r.bytes()), r.f64()));
      for (let k = r.u32(); k > 0; k--) {
        const nack = new Nack(r.id(new StreamId()), null, r.f64(), r.f64());
        nack.consumer = g.consumers[r.u32()];
        g.pel.push(nack);
        pelInsert(nack.consumer.pel, nack);
      }
      s.groups.push(g);
    }
    return s;
  }
}

const scratchId = new StreamId();

function writeBytes(buf: Uint8Array, at: number, bytes: Uint8Array): number {
  at = writeVarint(buf, at, bytes.length);
  buf.set(bytes, at);
  return at + bytes.length;
}

/**
 * Nodes of a Redis radix tree holding the 16-byte keys [lo, hi) of `keys` (sorted), which
 * share their first `depth` bytes: a compressed node for a run of common bytes, a branching
 * node where they diverge, and an empty leaf per key.
 */
function raxNodes(keys: Buffer, lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  const first = lo * 16;
  const last = (hi - 1) * 16;
  let common = depth;
  while (common < 16 && keys[first + common] === keys[last + common]) common++;
  if (common > depth) return 1 + raxNodes(keys, lo, hi, common);
  let nodes = 1;
  for (let i = lo; i < hi; ) {
    const byte = keys[i * 16 + depth];
    let j = i + 1;
    while (j < hi && keys[j * 16 + depth] === byte) j++;
    nodes += raxNodes(keys, i, j, depth + 1);
    i = j;
  }
  return nodes;
}

class ByteWriter {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u32(v: number): void {
    this.ensure(4);
    this.len = this.buf.writeUInt32LE(v >>> 0, this.len);
  }

  f64(v: number): void {
    this.ensure(8);
    this.len = this.buf.writeDoubleLE(v, this.len);
  }

  id(id: StreamId): void {
    this.u32(id.msHi);
    this.u32(id.msLo);
    this.u32(id.seqHi);
    this.u32(id.seqLo);
  }

  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

class ByteReader {
  private readonly buf: Buffer;
  private at = 0;

  constructor(payload: Uint8Array) {
    this.buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  id(out: StreamId): StreamId {
    out.msHi = this.u32();
    out.msLo = this.u32();
    out.seqHi = this.u32();
    out.seqLo = this.u32();
    return out;
  }

  /** A view of the next length-prefixed bytes (copy what is kept). */
  bytes(): Uint8Array {
    const n = this.u32();
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
}
