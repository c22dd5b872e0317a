// Large sorted sets (what Redis calls the "skiplist" encoding), with no JS
// object per element:
//
// - Elements are small integer ids. scores[id] holds the score (NaN marks a
//   free id, chained through memberAt), memberAt[id] the offset of the member
//   in `data`, a byte store of (varint length | bytes) records. Deleted
//   records are garbage until the store is compacted.
// - Member -> id: open addressing with linear probing over `slots` (id + 1,
//   0 = empty), deletes by backward shift; hashes are recomputed from the
//   member bytes when needed rather than stored.
// - Order: a B+tree over ids in (score, member) order, every node in typed
//   arrays. Leaves hold up to LEAF ids and are doubly linked; inner nodes hold
//   up to FAN children with each child's element count (for O(log n) rank)
//   and first element id (the separator compared against when descending).
//   Appends split unevenly so that ascending loads fill nodes completely.
//
// Ids are stable while an element lives (a score change moves it in the tree,
// not in the store), which is what ZSCAN's cursor walks.

import { hashBytes } from '../hash';
import { Bound, compareBytes, readVarint, varintSize, writeVarint } from './packed';

const LEAF = 64;
const FAN = 64;
/** A leaf (or inner node) this small tries to merge with a sibling. */
const LEAF_LOW = LEAF >>> 2;
const FAN_LOW = FAN >>> 2;
const NONE = -1;
const MAX_HEIGHT = 32;
const MIN_SLOTS = 16;

// Descent scratch: the inner node and child index taken at each level.
const pathNode = new Int32Array(MAX_HEIGHT);
const pathIdx = new Int32Array(MAX_HEIGHT);
const splitItems = new Uint32Array(Math.max(LEAF, FAN) + 1);
const splitSizes = new Uint32Array(FAN + 1);
const splitFirsts = new Uint32Array(FAN + 1);

function grownCapacity(current: number, need: number): number {
  return Math.max(need, Math.ceil(current * 1.5), 16);
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function growU16(a: Uint16Array, n: number): Uint16Array {
  const b = new Uint16Array(n);
  b.set(a);
  return b;
}

export class ZTree {
  size = 0;

  // ---- elements ----
  private scores: Float64Array = new Float64Array(0);
  private memberAt: Uint32Array = new Uint32Array(0);
  /** Ids below this have been handed out. */
  private idLimit = 0;
  private freeId = NONE;
  data = Buffer.alloc(0);
  private dataUsed = 0;
  private garbage = 0;

  // ---- member index ----
  private slots: Uint32Array = new Uint32Array(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;

  // ---- order ----
  private leafItems: Uint32Array = new Uint32Array(LEAF);
  private leafCount: Uint16Array = new Uint16Array(1);
  private leafNext: Int32Array = new Int32Array([NONE]);
  private leafPrev: Int32Array = new Int32Array([NONE]);
  private leafLimit = 1;
  private freeLeaf = NONE;
  private innerChild: Uint32Array = new Uint32Array(0);
  private innerSize: Uint32Array = new Uint32Array(0);
  private innerFirst: Uint32Array = new Uint32Array(0);
  private innerCount: Uint16Array = new Uint16Array(0);
  private innerLimit = 0;
  private freeInner = NONE;
  private root = 0;
  /** Inner levels above the leaves. */
  private height = 0;

  // ---- search target (set before a descent) ----
  private bound: Bound = Bound.Key;
  private targetScore = 0;
  private targetMember: Uint8Array = this.data;
  private foundLeaf = 0;
  private foundPos = 0;

  // ---- cursor: the current element and its member bytes in `data` ----
  private curLeaf = 0;
  private curPos = 0;
  curId = 0;
  curStart = 0;
  curEnd = 0;
  curScore = 0;

  // ==== elements =========================================================

  private memberStart(id: number): number {
    const at = this.memberAt[id];
    return at + varintSize(readVarint(this.data, at));
  }

  private memberEquals(id: number, member: Uint8Array): boolean {
    const at = this.memberAt[id];
    const n = readVarint(this.data, at);
    if (n !== member.length) return false;
    const start = at + varintSize(n);
    return compareBytes(this.data, start, start + n, member) === 0;
  }

  /** Compares id's member with `member` (<0, 0, >0). */
  private compareMember(id: number, member: Uint8Array): number {
    const at = this.memberAt[id];
    const n = readVarint(this.data, at);
    const start = at + varintSize(n);
    return compareBytes(this.data, start, start + n, member);
  }

  private hashOf(id: number): number {
    const at = this.memberAt[id];
    const n = readVarint(this.data, at);
    const start = at + varintSize(n);
    return hashBytes(this.data, start, start + n);
  }

  private allocElement(member: Uint8Array, score: number): number {
    let id = this.freeId;
    if (id !== NONE) {
      this.freeId = this.memberAt[id] === 0xffffffff ? NONE : this.memberAt[id];
    } else {
      id = this.idLimit++;
      if (id >= this.scores.length) {
        const n = grownCapacity(this.scores.length, id + 1);
        this.scores = growF64(this.scores, n);
        this.memberAt = growU32(this.memberAt, n);
      }
    }
    const need = this.dataUsed + varintSize(member.length) + member.length;
    if (need > this.data.length) {
      const grown = Buffer.allocUnsafe(grownCapacity(this.data.length, need));
      this.data.copy(grown, 0, 0, this.dataUsed);
      this.data = grown;
    }
    this.memberAt[id] = this.dataUsed;
    const start = writeVarint(this.data, this.dataUsed, member.length);
    this.data.set(member, start);
    this.dataUsed = start + member.length;
    this.scores[id] = score;
    return id;
  }

  private freeElement(id: number): void {
    const n = readVarint(this.data, this.memberAt[id]);
    this.garbage += varintSize(n) + n;
    this.scores[id] = NaN;
    this.memberAt[id] = this.freeId === NONE ? 0xffffffff : this.freeId;
    this.freeId = id;
    if (this.garbage > 4096 && this.garbage * 2 > this.dataUsed) this.compactData();
  }

  /** Rewrites the member store without the records of deleted members. */
  private compactData(): void {
    const old = this.data;
    const data = Buffer.allocUnsafe(Math.ceil((this.dataUsed - this.garbage) * 1.25) + 16);
    let used = 0;
    for (let id = 0; id < this.idLimit; id++) {
      if (this.scores[id] !== this.scores[id]) continue;
      const at = this.memberAt[id];
      const end = at + varintSize(readVarint(old, at)) + readVarint(old, at);
      old.copy(data, used, at, end);
      this.memberAt[id] = used;
      used += end - at;
    }
    this.data = data;
    this.dataUsed = used;
    this.garbage = 0;
  }

  // ==== member index ====================================================

  /** Id of member, or -1. */
  find(member: Uint8Array): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hashBytes(member, 0, member.length) & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) return -1;
      if (this.memberEquals(s - 1, member)) return s - 1;
    }
  }

  private indexAdd(id: number): void {
    if ((this.size + 1) * 4 > this.slots.length * 3) this.resizeIndex(this.slots.length * 2);
    this.placeInIndex(id);
  }

  private placeInIndex(id: number): void {
    const mask = this.mask;
    let i = this.hashOf(id) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = id + 1;
  }

  private indexRemove(id: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = this.hashOf(id) & mask;
    while (slots[i] !== id + 1) i = (i + 1) & mask;
    // Backward shift: pull later members of the cluster into the hole when their home allows it.
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashOf(slots[j] - 1) & mask;
      const fits = i <= j ? home <= i || home > j : home <= i && home > j;
      if (fits) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = 0;
    if (this.slots.length > MIN_SLOTS && (this.size - 1) * 8 < this.slots.length) this.resizeIndex(this.slots.length >>> 1);
  }

  private resizeIndex(capacity: number): void {
    const old = this.slots;
    this.slots = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.placeInIndex(old[i] - 1);
  }

  // ==== tree descent ======================================================

  /** True when element id comes before the current target (see Bound). */
  private before(id: number): boolean {
    const s = this.scores[id];
    switch (this.bound) {
      case Bound.Key:
        return s < this.targetScore || (s === this.targetScore && this.compareMember(id, this.targetMember) < 0);
      case Bound.ScoreLT: return s < this.targetScore;
      case Bound.ScoreLE: return s <= this.targetScore;
      case Bound.LexLT: return this.compareMember(id, this.targetMember) < 0;
      default: return this.compareMember(id, this.targetMember) <= 0;
    }
  }

  /**
   * Inner-node routing: like before(), but a Key target equal to a child's first
   * element goes into that child, so an element present in the tree is found in its leaf.
   */
  private routesPast(id: number): boolean {
    if (this.bound !== Bound.Key) return this.before(id);
    const s = this.scores[id];
    return s < this.targetScore || (s === this.targetScore && this.compareMember(id, this.targetMember) <= 0);
  }

  /** Walks from the root to the first element not before the target; fills the path; returns its rank. */
  private descend(): number {
    let node = this.root;
    let rank = 0;
    for (let d = 0; d < this.height; d++) {
      const base = node * FAN;
      let lo = 1;
      let hi = this.innerCount[node];
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.routesPast(this.innerFirst[base + mid])) lo = mid + 1;
        else hi = mid;
      }
      const child = lo - 1;
      for (let i = 0; i < child; i++) rank += this.innerSize[base + i];
      pathNode[d] = node;
      pathIdx[d] = child;
      node = this.innerChild[base + child];
    }
    const base = node * LEAF;
    let lo = 0;
    let hi = this.leafCount[node];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(this.leafItems[base + mid])) lo = mid + 1;
      else hi = mid;
    }
    this.foundLeaf = node;
    this.foundPos = lo;
    return rank + lo;
  }

  private targetElement(id: number): void {
    this.bound = Bound.Key;
    this.targetScore = this.scores[id];
    const start = this.memberStart(id);
    this.targetMember = this.data.subarray(start, start + readVarint(this.data, this.memberAt[id]));
  }

  /** Number of elements before a bound (see Bound). */
  countBefore(bound: Bound, score: number, member: Uint8Array): number {
    if (this.size === 0) return 0;
    this.bound = bound;
    this.targetScore = score;
    this.targetMember = member;
    const rank = this.descend();
    this.targetMember = this.data;
    return rank;
  }

  /** Rank of member, or -1. */
  rankOf(member: Uint8Array): number {
    const id = this.find(member);
    if (id < 0) return -1;
    this.targetElement(id);
    return this.descend();
  }

  // ==== public updates ======================================================

  /** Score of member, NaN when absent. */
  score(member: Uint8Array): number {
    const id = this.find(member);
    return id < 0 ? NaN : this.scores[id];
  }

  /** Inserts a member known to be absent. */
  insert(member: Uint8Array, score: number): void {
    const id = this.allocElement(member, score);
    this.indexAdd(id);
    this.size++;
    this.treeInsert(id);
  }

  /** Changes the score of a present member. */
  update(member: Uint8Array, score: number): void {
    const id = this.find(member);
    this.treeRemove(id);
    this.scores[id] = score;
    this.treeInsert(id);
  }

  /** Removes member; false when absent. */
  delete(member: Uint8Array): boolean {
    const id = this.find(member);
    if (id < 0) return false;
    this.deleteId(id);
    return true;
  }

  private deleteId(id: number): void {
    this.treeRemove(id);
    this.indexRemove(id);
    this.size--;
    this.freeElement(id);
  }

  /** Removes the elements of ranks [start, end). */
  removeRanks(start: number, end: number): void {
    for (let r = start; r < end; r++) {
      this.seek(start);
      this.deleteId(this.curId);
    }
  }

  // ==== B+tree insert =======================================================

  private allocLeaf(): number {
    let leaf = this.freeLeaf;
    if (leaf !== NONE) {
      this.freeLeaf = this.leafNext[leaf];
    } else {
      leaf = this.leafLimit++;
      if (leaf >= this.leafCount.length) {
        const n = grownCapacity(this.leafCount.length, leaf + 1);
        this.leafItems = growU32(this.leafItems, n * LEAF);
        this.leafCount = growU16(this.leafCount, n);
        this.leafNext = growI32(this.leafNext, n);
        this.leafPrev = growI32(this.leafPrev, n);
      }
    }
    this.leafCount[leaf] = 0;
    return leaf;
  }

  private freeLeafNode(leaf: number): void {
    this.leafNext[leaf] = this.freeLeaf;
    this.freeLeaf = leaf;
  }

  private allocInner(): number {
    let node = this.freeInner;
    if (node !== NONE) {
      this.freeInner = this.innerChild[node * FAN];
    } else {
      node = this.innerLimit++;
      if (node >= this.innerCount.length) {
        const n = grownCapacity(this.innerCount.length, node + 1);
        this.innerChild = growU32(this.innerChild, n * FAN);
        this.innerSize = growU32(this.innerSize, n * FAN);
        this.innerFirst = growU32(this.innerFirst, n * FAN);
        this.innerCount = growU16(this.innerCount, n);
      }
    }
    this.innerCount[node] = 0;
    return node;
  }

  private freeInnerNode(node: number): void {
    this.innerChild[node * FAN] = this.freeInner;
    this.freeInner = node;
  }

  /** The first element id under a node at a given depth (d === height: a leaf). */
  private firstOf(node: number, d: number): number {
    return d === this.height ? this.leafItems[node * LEAF] : this.innerFirst[node * FAN];
  }

  /** The first element of the node reached through pathIdx[d] changed to id: record it up the path. */
  private propagateFirst(d: number, id: number): void {
    for (let k = d; k >= 0; k--) {
      this.innerFirst[pathNode[k] * FAN + pathIdx[k]] = id;
      if (pathIdx[k] !== 0) break;
    }
  }

  private treeInsert(id: number): void {
    this.targetElement(id);
    this.descend();
    this.targetMember = this.data;
    for (let d = 0; d < this.height; d++) this.innerSize[pathNode[d] * FAN + pathIdx[d]]++;
    const leaf = this.foundLeaf;
    const pos = this.foundPos;
    const n = this.leafCount[leaf];
    const base = leaf * LEAF;
    if (n < LEAF) {
      this.leafItems.copyWithin(base + pos + 1, base + pos, base + n);
      this.leafItems[base + pos] = id;
      this.leafCount[leaf] = n + 1;
      if (pos === 0) this.propagateFirst(this.height - 1, id);
      return;
    }
    // Full leaf: split it, keeping it full when appending at its end.
    const total = LEAF + 1;
    splitItems.set(this.leafItems.subarray(base, base + pos), 0);
    splitItems[pos] = id;
    splitItems.set(this.leafItems.subarray(base + pos, base + LEAF), pos + 1);
    const leftCount = pos === LEAF ? LEAF : total >>> 1;
    const right = this.allocLeaf();
    this.leafItems.set(splitItems.subarray(0, leftCount), base);
    this.leafItems.set(splitItems.subarray(leftCount, total), right * LEAF);
    this.leafCount[leaf] = leftCount;
    this.leafCount[right] = total - leftCount;
    const next = this.leafNext[leaf];
    this.leafNext[right] = next;
    this.leafPrev[right] = leaf;
    if (next !== NONE) this.leafPrev[next] = right;
    this.leafNext[leaf] = right;
    if (pos === 0) this.propagateFirst(this.height - 1, id);
    this.insertChild(this.height - 1, right, total - leftCount, splitItems[leftCount], leftCount);
  }

  /**
   * Adds `child` (size, first element) right after the child taken at pathIdx[d] in
   * pathNode[d], whose size becomes leftSize. d = -1 grows a new root.
   */
  private insertChild(d: number, child: number, size: number, first: number, leftSize: number): void {
    if (d < 0) {
      const root = this.allocInner();
      const base = root * FAN;
      this.innerChild[base] = this.root;
      this.innerSize[base] = leftSize;
      this.innerFirst[base] = this.firstOf(this.root, 0);
      this.innerChild[base + 1] = child;
      this.innerSize[base + 1] = size;
      this.innerFirst[base + 1] = first;
      this.innerCount[root] = 2;
      this.root = root;
      this.height++;
      return;
    }
    const node = pathNode[d];
    const base = node * FAN;
    const k = pathIdx[d] + 1;
    const n = this.innerCount[node];
    this.innerSize[base + k - 1] = leftSize;
    if (n < FAN) {
      this.innerChild.copyWithin(base + k + 1, base + k, base + n);
      this.innerSize.copyWithin(base + k + 1, base + k, base + n);
      this.innerFirst.copyWithin(base + k + 1, base + k, base + n);
      this.innerChild[base + k] = child;
      this.innerSize[base + k] = size;
      this.innerFirst[base + k] = first;
      this.innerCount[node] = n + 1;
      return;
    }
    const total = FAN + 1;
    for (let i = 0, j = 0; i < total; i++) {
      if (i === k) {
        splitItems[i] = child;
        splitSizes[i] = size;
        splitFirsts[i] = first;
      } else {
        splitItems[i] = this.innerChild[base + j];
        splitSizes[i] = this.innerSize[base + j];
        splitFirsts[i] = this.innerFirst[base + j];
        j++;
      }
    }
    const leftCount = k === FAN ? FAN : total >>> 1;
    const right = this.allocInner();
    const rbase = right * FAN;
    let leftSum = 0;
    let rightSum = 0;
    for (let i = 0; i < total; i++) {
      const at = i < leftCount ? base + i : rbase + i - leftCount;
      this.innerChild[at] = splitItems[i];
      this.innerSize[at] = splitSizes[i];
      this.innerFirst[at] = splitFirsts[i];
      if (i < leftCount) leftSum += splitSizes[i];
      else rightSum += splitSizes[i];
    }
    this.innerCount[node] = leftCount;
    this.innerCount[right] = total - leftCount;
    this.insertChild(d - 1, right, rightSum, splitFirsts[leftCount], leftSum);
  }

  // ==== B+tree delete =======================================================

  private treeRemove(id: number): void {
    this.targetElement(id);
    this.descend();
    this.targetMember = this.data;
    for (let d = 0; d < this.height; d++) this.innerSize[pathNode[d] * FAN + pathIdx[d]]--;
    const leaf = this.foundLeaf;
    const pos = this.foundPos;
    const base = leaf * LEAF;
    const n = this.leafCount[leaf] - 1;
    this.leafItems.copyWithin(base + pos, base + pos + 1, base + n + 1);
    this.leafCount[leaf] = n;
    if (pos === 0 && n > 0) this.propagateFirst(this.height - 1, this.leafItems[base]);
    if (n <= LEAF_LOW && this.height > 0) this.mergeLeaf(leaf);
  }

  /**
   * Merges an underfull leaf with a sibling under the same parent when both fit in one
   * leaf; an empty leaf that cannot merge leaves the tree.
   */
  private mergeLeaf(leaf: number): void {
    const d = this.height - 1;
    const parent = pathNode[d];
    const idx = pathIdx[d];
    const pbase = parent * FAN;
    const n = this.leafCount[leaf];
    let left: number;
    let right: number;
    let rightIdx: number;
    if (idx > 0 && this.leafCount[this.innerChild[pbase + idx - 1]] + n <= LEAF) {
      left = this.innerChild[pbase + idx - 1];
      right = leaf;
      rightIdx = idx;
    } else if (idx + 1 < this.innerCount[parent] && n + this.leafCount[this.innerChild[pbase + idx + 1]] <= LEAF) {
      left = leaf;
      right = this.innerChild[pbase + idx + 1];
      rightIdx = idx + 1;
    } else {
      if (n === 0) {
        this.unlinkLeaf(leaf);
        this.removeChild(d, idx);
      }
      return;
    }
    const ln = this.leafCount[left];
    const rn = this.leafCount[right];
    this.leafItems.copyWithin(left * LEAF + ln, right * LEAF, right * LEAF + rn);
    this.leafCount[left] = ln + rn;
    this.unlinkLeaf(right);
    this.innerSize[pbase + rightIdx - 1] += this.innerSize[pbase + rightIdx];
    // An emptied leaf that took its right sibling's elements has a new first element.
    if (left === leaf && ln === 0) this.propagateFirst(d, this.leafItems[left * LEAF]);
    this.removeChild(d, rightIdx);
  }

  private unlinkLeaf(leaf: number): void {
    const prev = this.leafPrev[leaf];
    const next = this.leafNext[leaf];
    if (prev !== NONE) this.leafNext[prev] = next;
    if (next !== NONE) this.leafPrev[next] = prev;
    this.freeLeafNode(leaf);
  }

  /** Drops child k of pathNode[d], then rebalances that node. */
  private removeChild(d: number, k: number): void {
    const node = pathNode[d];
    const base = node * FAN;
    const n = this.innerCount[node] - 1;
    this.innerChild.copyWithin(base + k, base + k + 1, base + n + 1);
    this.innerSize.copyWithin(base + k, base + k + 1, base + n + 1);
    this.innerFirst.copyWithin(base + k, base + k + 1, base + n + 1);
    this.innerCount[node] = n;
    if (k === 0 && n > 0 && d > 0) this.propagateFirst(d - 1, this.innerFirst[base]);
    if (d === 0) {
      if (n === 1) {
        this.root = this.innerChild[base];
        this.height--;
        this.freeInnerNode(node);
      }
      return;
    }
    if (n > FAN_LOW) return;
    const parent = pathNode[d - 1];
    const idx = pathIdx[d - 1];
    const pbase = parent * FAN;
    let left: number;
    let right: number;
    let rightIdx: number;
    if (idx > 0 && this.innerCount[this.innerChild[pbase + idx - 1]] + n <= FAN) {
      left = this.innerChild[pbase + idx - 1];
      right = node;
      rightIdx = idx;
    } else if (idx + 1 < this.innerCount[parent] && n + this.innerCount[this.innerChild[pbase + idx + 1]] <= FAN) {
      left = node;
      right = this.innerChild[pbase + idx + 1];
      rightIdx = idx + 1;
    } else {
      if (n === 0) {
        this.freeInnerNode(node);
        this.removeChild(d - 1, idx);
      }
      return;
    }
    const ln = this.innerCount[left];
    const rn = this.innerCount[right];
    const lbase = left * FAN;
    const rbase = right * FAN;
    this.innerChild.copyWithin(lbase + ln, rbase, rbase + rn);
    this.innerSize.copyWithin(lbase + ln, rbase, rbase + rn);
    this.innerFirst.copyWithin(lbase + ln, rbase, rbase + rn);
    this.innerCount[left] = ln + rn;
    this.freeInnerNode(right);
    this.innerSize[pbase + rightIdx - 1] += this.innerSize[pbase + rightIdx];
    if (left === node && ln === 0) this.propagateFirst(d - 1, this.innerFirst[lbase]);
    this.removeChild(d - 1, rightIdx);
  }

  // ==== cursor ================================================================

  private load(): void {
    const id = this.leafItems[this.curLeaf * LEAF + this.curPos];
    const at = this.memberAt[id];
    const n = readVarint(this.data, at);
    this.curId = id;
    this.curStart = at + varintSize(n);
    this.curEnd = this.curStart + n;
    this.curScore = this.scores[id];
  }

  /** Positions the cursor on the element of rank r (0 <= r < size). */
  seek(r: number): void {
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const base = node * FAN;
      let i = 0;
      while (r >= this.innerSize[base + i]) r -= this.innerSize[base + i++];
      node = this.innerChild[base + i];
    }
    this.curLeaf = node;
    this.curPos = r;
    this.load();
  }

  next(): boolean {
    if (++this.curPos >= this.leafCount[this.curLeaf]) {
      const next = this.leafNext[this.curLeaf];
      if (next === NONE) {
        this.curPos--;
        return false;
      }
      this.curLeaf = next;
      this.curPos = 0;
    }
    this.load();
    return true;
  }

  prev(): boolean {
    if (this.curPos === 0) {
      const prev = this.leafPrev[this.curLeaf];
      if (prev === NONE) return false;
      this.curLeaf = prev;
      this.curPos = this.leafCount[prev];
    }
    this.curPos--;
    this.load();
    return true;
  }

  // ==== scan ==================================================================

  /** Id bound for scans: every live id is below it. */
  get idBound(): number {
    return this.idLimit;
  }

  /** Loads element `id` into the cursor fields when it is live; false for a free id. */
  loadId(id: number): boolean {
    if (id >= this.idLimit || this.scores[id] !== this.scores[id]) return false;
    const at = this.memberAt[id];
    const n = readVarint(this.data, at);
    this.curId = id;
    this.curStart = at + varintSize(n);
    this.curEnd = this.curStart + n;
    this.curScore = this.scores[id];
    return true;
  }

  /** Memory held by the typed arrays and byte store, in bytes. */
  get bytesUsed(): number {
    return this.scores.byteLength + this.memberAt.byteLength + this.data.length + this.slots.byteLength
      + this.leafItems.byteLength + this.leafCount.byteLength + this.leafNext.byteLength + this.leafPrev.byteLength
      + this.innerChild.byteLength + this.innerSize.byteLength + this.innerFirst.byteLength + this.innerCount.byteLength;
  }
}
