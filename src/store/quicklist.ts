// A list as Redis 7.0 stores every list (OBJECT ENCODING "quicklist"): a
// sequence of packed nodes, each one byte array of entries. Node size follows
// list-max-listpack-size exactly as quicklist.c decides it ("fill": negative
// = a byte budget of 4/8/16/32/64 KB, positive = an entry count under an 8 KB
// safety limit), so a small list is a single node and a big one costs a few
// bytes per element plus one small object per node.
//
// Entry format (our own, not listpack.ts's): varint length | bytes | the same
// length as a backward varint (readable from the entry's last byte), so a
// node can be walked in both directions. Nodes keep free space at BOTH ends
// of their array (a gap buffer), which makes pushes and pops at either end
// O(1) amortized; a listpack keeps its bytes packed from offset 0 and would
// move the whole node on every head push. Compression (list-compress-depth)
// is not implemented: it changes memory use only.

import { readVarint, varintSize, writeVarint } from './varint';

/** Byte budgets of fill -1..-5 (Redis optimization_level). */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
/** Largest node for positive (count) fills. */
const SIZE_SAFETY_LIMIT = 8192;
/** Redis over-estimates an entry's encoded size by this much when deciding whether it fits. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** A listpack's header (6) and end byte (1): counted into node sizes as Redis counts them. */
const NODE_OVERHEAD = 7;
const FILL_MAX = (1 << 15) - 1;
const FILL_MIN = -SIZE_LEVELS.length;
const MIN_CAPACITY = 16;
/** A node whose bytes fill less than 1/SPARSE_DIVISOR of its array after deletions is reallocated to fit. */
const SPARSE_DIVISOR = 4;

export const enum ListEnd { Head = 0, Tail = 1 }

function entrySize(valueLength: number): number {
  return valueLength + 2 * varintSize(valueLength);
}

/** Length stored at an entry's end: low 7 bits in the last byte, continuing toward lower addresses. */
function readBackLength(buf: Uint8Array, last: number): number {
  let byte = buf[last];
  if (byte < 0x80) return byte;
  let n = byte & 0x7f;
  let scale = 128;
  do {
    byte = buf[--last];
    n += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80);
  return n;
}

/** Writes one entry at `at`; returns the offset past it. */
function writeEntry(buf: Uint8Array, at: number, value: Uint8Array): number {
  at = writeVarint(buf, at, value.length);
  if (value.length <= 16) for (let i = 0; i < value.length; i++) buf[at + i] = value[i];
  else buf.set(value, at);
  at += value.length;
  const end = at + varintSize(value.length);
  let n = value.length;
  let p = end - 1;
  while (n >= 0x80) {
    buf[p--] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[p] = n;
  return end;
}

function bytesEqual(buf: Uint8Array, start: number, length: number, value: Uint8Array): boolean {
  if (length !== value.length) return false;
  for (let i = 0; i < length; i++) if (buf[start + i] !== value[i]) return false;
  return true;
}

class ListNode {
  constructor(
    /** Entries live in buf[start, end); the rest of buf is free space at both ends. */
    public buf: Uint8Array,
    public start: number,
    public end: number,
    public count: number,
  ) {}
}

/** Where one element's bytes are: buf[start, end). Valid until the list changes. */
export interface ElementView {
  buf: Uint8Array;
  start: number;
  end: number;
}

const NO_BYTES = new Uint8Array(0);

/**
 * A position in a list, for walking it from any index in either direction.
 * buf[start, end) is the current element (valid until the list changes).
 */
export class ListCursor implements ElementView {
  buf: Uint8Array = NO_BYTES;
  start = 0;
  end = 0;
  /** Index of the current node in the list's nodes. */
  node = 0;
  /** Offset of the current entry's first byte. */
  entry = 0;
  private nodes: ListNode[] = [];

  /** Steps toward the tail; false (and the cursor is spent) past the last element. */
  next(): boolean {
    const entryEnd = this.end + varintSize(this.end - this.start);
    let node = this.nodes[this.node];
    if (entryEnd < node.end) {
      this.load(entryEnd);
      return true;
    }
    if (++this.node >= this.nodes.length) return false;
    node = this.nodes[this.node];
    this.buf = node.buf;
    this.load(node.start);
    return true;
  }

  /** Steps toward the head; false (and the cursor is spent) before the first element. */
  prev(): boolean {
    let node = this.nodes[this.node];
    if (this.entry <= node.start) {
      if (--this.node < 0) return false;
      node = this.nodes[this.node];
      this.buf = node.buf;
      this.loadBefore(node.end);
      return true;
    }
    this.loadBefore(this.entry);
    return true;
  }

  /** @internal Positions on entry `at` of node index `node`. */
  place(nodes: ListNode[], node: number, at: number): void {
    this.nodes = nodes;
    this.node = node;
    this.buf = nodes[node].buf;
    this.load(at);
  }

  private load(at: number): void {
    const length = readVarint(this.buf, at);
    this.entry = at;
    this.start = at + varintSize(length);
    this.end = this.start + length;
  }

  private loadBefore(entryEnd: number): void {
    const length = readBackLength(this.buf, entryEnd - 1);
    const size = varintSize(length);
    this.entry = entryEnd - size - length - size;
    this.start = this.entry + size;
    this.end = this.start + length;
  }
}

export class Quicklist {
  private nodes: ListNode[] = [];
  /** Number of elements. */
  length = 0;
  /** list-max-listpack-size when the list was created (as Redis, CONFIG SET only affects new lists). */
  readonly fill: number;

  constructor(fill: number) {
    this.fill = Math.min(Math.max(fill, FILL_MIN), FILL_MAX);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Approximate bytes held: node arrays plus a per-node object overhead. */
  get byteSize(): number {
    let bytes = 64;
    for (const node of this.nodes) bytes += node.buf.length + 96;
    return bytes;
  }

  push(value: Uint8Array, end: ListEnd): void {
    const size = entrySize(value.length);
    let index = end === ListEnd.Head ? 0 : this.nodes.length - 1;
    if (this.length === 0) {
      // An exact-size array: most lists never get a second node.
      this.nodes = [new ListNode(new Uint8Array(Math.max(MIN_CAPACITY, size)), 0, 0, 0)];
      index = 0;
    } else if (!this.allowsInsert(this.nodes[index], value.length)) {
      index = end === ListEnd.Head ? 0 : this.nodes.length;
      this.nodes.splice(index, 0, new ListNode(new Uint8Array(Math.max(MIN_CAPACITY, size)), 0, 0, 0));
    }
    const node = this.nodes[index];
    const at = this.openGap(node, end === ListEnd.Head ? node.start : node.end, size);
    writeEntry(node.buf, at, value);
    node.count++;
    this.length++;
  }

  /** Points `out` at the first (Head) or last (Tail) element; the list must not be empty. */
  peek(end: ListEnd, out: ElementView): void {
    if (end === ListEnd.Head) {
      const node = this.nodes[0];
      const length = readVarint(node.buf, node.start);
      out.buf = node.buf;
      out.start = node.start + varintSize(length);
      out.end = out.start + length;
    } else {
      const node = this.nodes[this.nodes.length - 1];
      const length = readBackLength(node.buf, node.end - 1);
      out.buf = node.buf;
      out.end = node.end - varintSize(length);
      out.start = out.end - length;
    }
  }

  /** Removes the first or last element; the list must not be empty. */
  pop(end: ListEnd): void {
    const index = end === ListEnd.Head ? 0 : this.nodes.length - 1;
    const node = this.nodes[index];
    if (end === ListEnd.Head) node.start += entrySize(readVarint(node.buf, node.start));
    else node.end -= entrySize(readBackLength(node.buf, node.end - 1));
    this.length--;
    if (--node.count === 0) this.nodes.splice(index, 1);
  }

  /** Places the cursor on element `index` (0-based, non-negative); false when out of range. */
  seek(index: number, cursor: ListCursor): boolean {
    if (index < 0 || index >= this.length) return false;
    const nodes = this.nodes;
    let n: number;
    let local: number;
    if (index < this.length / 2) {
      n = 0;
      while (index >= nodes[n].count) index -= nodes[n++].count;
      local = index;
    } else {
      let fromTail = this.length - 1 - index;
      n = nodes.length - 1;
      while (fromTail >= nodes[n].count) fromTail -= nodes[n--].count;
      local = nodes[n].count - 1 - fromTail;
    }
    cursor.place(nodes, n, this.entryOffset(nodes[n], local));
    return true;
  }

  /** Replaces the element under the cursor. The cursor is spent. */
  replace(cursor: ListCursor, value: Uint8Array): void {
    const node = this.nodes[cursor.node];
    const oldSize = cursor.end - cursor.start;
    const oldEntrySize = entrySize(oldSize);
    const newEntrySize = entrySize(value.length);
    let at = cursor.entry;
    if (newEntrySize > oldEntrySize) {
      at = this.openGap(node, at + oldEntrySize, newEntrySize - oldEntrySize) - oldEntrySize;
    } else if (newEntrySize < oldEntrySize) {
      at = this.closeGap(node, at + newEntrySize, at + oldEntrySize) - newEntrySize;
    }
    writeEntry(node.buf, at, value);
    this.splitIfOversized(cursor.node);
  }

  /** Inserts value before or after the element under the cursor. The cursor is spent. */
  insert(cursor: ListCursor, value: Uint8Array, after: boolean): void {
    const node = this.nodes[cursor.node];
    const size = entrySize(value.length);
    const at = this.openGap(node, after ? cursor.end + varintSize(cursor.end - cursor.start) : cursor.entry, size);
    writeEntry(node.buf, at, value);
    node.count++;
    this.length++;
    this.splitIfOversized(cursor.node);
  }

  /** Removes `count` elements from index `start` on (both already within range). */
  deleteRange(start: number, count: number): void {
    const nodes = this.nodes;
    let n = 0;
    while (start >= nodes[n].count) start -= nodes[n++].count;
    this.length -= count;
    while (count > 0) {
      const node = nodes[n];
      const take = Math.min(count, node.count - start);
      count -= take;
      if (take === node.count) {
        nodes.splice(n, 1);
      } else {
        const from = this.entryOffset(node, start);
        const to = start + take === node.count ? node.end : this.entryOffsetFrom(node, from, take);
        this.closeGap(node, from, to);
        node.count -= take;
        this.shrinkIfSparse(node);
        n++;
      }
      start = 0;
    }
  }

  /**
   * LREM: removes elements equal to value, at most `limit` of them (0 = all), scanning from
   * the head, or from the tail when fromTail. Returns how many were removed.
   */
  removeEqual(value: Uint8Array, limit: number, fromTail: boolean): number {
    const nodes = this.nodes;
    const max = limit === 0 ? Infinity : limit;
    let removed = 0;
    for (let i = fromTail ? nodes.length - 1 : 0; i >= 0 && i < nodes.length && removed < max; fromTail ? i-- : i++) {
      const node = nodes[i];
      const gone = fromTail ? compactBackward(node, value, max - removed) : compactForward(node, value, max - removed);
      if (gone === 0) continue;
      removed += gone;
      node.count -= gone;
      if (node.count === 0) {
        nodes.splice(i, 1);
        if (!fromTail) i--;
      } else {
        this.shrinkIfSparse(node);
      }
    }
    this.length -= removed;
    return removed;
  }

  /** Self-contained bytes of the whole list: per node [u32 count][u32 bytes][entries]. */
  serialize(): Buffer {
    let total = 0;
    for (const node of this.nodes) total += 8 + node.end - node.start;
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (const node of this.nodes) {
      out.writeUInt32LE(node.count, at);
      out.writeUInt32LE(node.end - node.start, at + 4);
      out.set(node.buf.subarray(node.start, node.end), at + 8);
      at += 8 + node.end - node.start;
    }
    return out;
  }

  /** Rebuilds a serialize() payload (copying it) as a list with the given fill. */
  static restore(payload: Uint8Array, fill: number): Quicklist {
    const list = new Quicklist(fill);
    const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let at = 0; at < view.length;) {
      const count = view.readUInt32LE(at);
      const bytes = view.readUInt32LE(at + 4);
      list.nodes.push(new ListNode(copyOf(view, at + 8, bytes), 0, bytes, count));
      list.length += count;
      at += 8 + bytes;
    }
    return list;
  }

  // ---- internals ----

  /** Redis _quicklistNodeAllowInsert. */
  private allowsInsert(node: ListNode, valueLength: number): boolean {
    const newSize = node.end - node.start + NODE_OVERHEAD + valueLength + SIZE_ESTIMATE_OVERHEAD;
    if (this.fill < 0) return newSize <= SIZE_LEVELS[-this.fill - 1];
    return newSize <= SIZE_SAFETY_LIMIT && node.count < this.fill;
  }

  /** True when a node of several entries is past the fill limit (after an insert or replace). */
  private oversized(node: ListNode): boolean {
    if (node.count <= 1) return false;
    const size = node.end - node.start + NODE_OVERHEAD;
    if (this.fill < 0) return size > SIZE_LEVELS[-this.fill - 1];
    return size > SIZE_SAFETY_LIMIT || node.count > this.fill;
  }

  /** Largest array a node is grown to before it must split (larger only for one big entry). */
  private nodeCapacityLimit(): number {
    return this.fill < 0 ? SIZE_LEVELS[-this.fill - 1] : SIZE_SAFETY_LIMIT;
  }

  /** Splits node n in halves (repeatedly) while it is over the fill limit. */
  private splitIfOversized(n: number): void {
    const node = this.nodes[n];
    if (!this.oversized(node)) return;
    const keep = node.count >>> 1;
    const mid = this.entryOffset(node, keep);
    const bytes = node.end - mid;
    const second = new ListNode(copyOf(node.buf, mid, bytes), 0, bytes, node.count - keep);
    node.end = mid;
    node.count = keep;
    this.nodes.splice(n + 1, 0, second);
    this.splitIfOversized(n + 1);
    this.splitIfOversized(n);
  }

  /** Byte offset of the entry at local index i of a node (walking from the nearer end). */
  private entryOffset(node: ListNode, i: number): number {
    if (i <= node.count >>> 1) return this.entryOffsetFrom(node, node.start, i);
    const buf = node.buf;
    let at = node.end;
    for (let k = node.count - i; k > 0; k--) at -= entrySize(readBackLength(buf, at - 1));
    return at;
  }

  /** Offset `steps` entries after the entry at `at`. */
  private entryOffsetFrom(node: ListNode, at: number, steps: number): number {
    const buf = node.buf;
    for (; steps > 0; steps--) at += entrySize(readVarint(buf, at));
    return at;
  }

  /**
   * Makes `size` free bytes at offset `at` of the node: by moving the smaller side into the
   * free space next to it when there is enough, else by re-laying the node out (in place or
   * in a larger array) with the free space on the side that grows, so repeated pushes at
   * one end cost O(1) amortized. Returns where the new bytes go.
   */
  private openGap(node: ListNode, at: number, size: number): number {
    const buf = node.buf;
    const before = at - node.start;
    const after = node.end - at;
    const roomFront = node.start;
    const roomBack = buf.length - node.end;
    if (roomBack >= size && after <= before) {
      if (after > 0) buf.copyWithin(at + size, at, node.end);
      node.end += size;
      return at;
    }
    if (roomFront >= size && before <= after) {
      if (before > 0) buf.copyWithin(node.start - size, node.start, at);
      node.start -= size;
      return at - size;
    }
    const used = before + after + size;
    // Keep the array when re-laying it out leaves a quarter free; grow it otherwise.
    const capacity = used <= buf.length - (buf.length >>> 2)
      ? buf.length
      : Math.max(used, Math.min(buf.length * 2, this.nodeCapacityLimit()));
    // Free space goes where the node grows: after a tail insert, before a head insert, both sides otherwise.
    const start = after === 0 ? 0 : before === 0 ? capacity - used : (capacity - used) >>> 1;
    if (capacity === buf.length) {
      const shiftFront = start - node.start;
      const shiftBack = shiftFront + size;
      if (shiftFront >= 0) {
        buf.copyWithin(at + shiftBack, at, node.end);
        buf.copyWithin(start, node.start, at);
      } else {
        buf.copyWithin(start, node.start, at);
        buf.copyWithin(at + shiftBack, at, node.end);
      }
    } else {
      const grown = new Uint8Array(capacity);
      grown.set(buf.subarray(node.start, at), start);
      grown.set(buf.subarray(at, node.end), start + before + size);
      node.buf = grown;
    }
    node.start = start;
    node.end = start + used;
    return start + before;
  }

  /** Removes the node bytes [from, to), moving the smaller side. Returns where the bytes before `from` now end. */
  private closeGap(node: ListNode, from: number, to: number): number {
    const size = to - from;
    if (from - node.start < node.end - to) {
      node.buf.copyWithin(node.start + size, node.start, from);
      node.start += size;
      return to;
    }
    node.buf.copyWithin(from, to, node.end);
    node.end -= size;
    return from;
  }

  private shrinkIfSparse(node: ListNode): void {
    const used = node.end - node.start;
    if (node.buf.length <= MIN_CAPACITY * SPARSE_DIVISOR || used * SPARSE_DIVISOR >= node.buf.length) return;
    node.buf = copyOf(node.buf, node.start, used);
    node.start = 0;
    node.end = used;
  }
}

function copyOf(buf: Uint8Array, start: number, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(length, MIN_CAPACITY));
  out.set(buf.subarray(start, start + length));
  return out;
}

/** Drops up to `limit` entries equal to value from a node, head to tail; returns how many. */
function compactForward(node: ListNode, value: Uint8Array, limit: number): number {
  const buf = node.buf;
  let read = node.start;
  let write = node.start;
  let removed = 0;
  while (read < node.end) {
    const length = readVarint(buf, read);
    const size = varintSize(length);
    const entryEnd = read + 2 * size + length;
    if (bytesEqual(buf, read + size, length, value)) {
      removed++;
      read = entryEnd;
      if (removed === limit) break;
      continue;
    }
    if (write !== read) buf.copyWithin(write, read, entryEnd);
    write += entryEnd - read;
    read = entryEnd;
  }
  if (write !== read) {
    buf.copyWithin(write, read, node.end);
    node.end = write + (node.end - read);
  }
  return removed;
}

/** Drops up to `limit` entries equal to value from a node, tail to head; returns how many. */
function compactBackward(node: ListNode, value: Uint8Array, limit: number): number {
  const buf = node.buf;
  let read = node.end;
  let write = node.end;
  let removed = 0;
  while (read > node.start) {
    const length = readBackLength(buf, read - 1);
    const size = varintSize(length);
    const entryStart = read - 2 * size - length;
    if (bytesEqual(buf, entryStart + size, length, value)) {
      removed++;
      read = entryStart;
      if (removed === limit) break;
      continue;
    }
    if (write !== read) buf.copyWithin(write - (read - entryStart), entryStart, read);
    write -= read - entryStart;
    read = entryStart;
  }
  if (write !== read) {
    buf.copyWithin(write - (read - node.start), node.start, read);
    node.start = write - (read - node.start);
  }
  return removed;
}
