// Hierarchical timer wheel with millisecond precision, holding 32-bit record
// handles in growable typed arrays (8 bytes per entry: handle + link).
//
// Level L has 64 buckets of 64^L ms each. An entry due at t is kept at the
// level of the highest 6-bit digit in which t differs from the wheel's
// current time `now`, in the bucket named by that digit of t; entries due at
// or before `now` sit in level 0's bucket for `now`. Entries further than
// 2^48 ms away wait in a separate "far" list.
//
// The wheel does not store due times. pop() hands out entries of the first
// bucket whose start has been reached; the caller looks up the record's own
// expiry t and, when t is still in the future, inserts it again (which files it
// at a lower level, or later when the TTL was extended). Entries may be stale
// (record gone or moved); the caller drops those, so the owner must insert a
// fresh entry whenever a record with a TTL moves or its TTL gets earlier.

const LEVELS = 8;
const BUCKETS = 64;
const NONE = -1;
const INITIAL_ENTRIES = 64;
/** Span in ms of one bucket at each level, plus the span of the whole wheel. */
const SPAN: number[] = [];
for (let level = 0; level <= LEVELS; level++) SPAN.push(BUCKETS ** level);
const HORIZON = SPAN[LEVELS];

function digit(t: number, level: number): number {
  return Math.floor(t / SPAN[level]) % BUCKETS;
}

/** Index of the lowest set bit of `word` at or above `from` (0..31), or -1. */
function lowestBitFrom(word: number, from: number): number {
  const masked = from >= 32 ? 0 : (word & (~0 << from));
  return masked === 0 ? -1 : 31 - Math.clz32(masked & -masked);
}

export class TimerWheel {
  private handles = new Uint32Array(INITIAL_ENTRIES);
  /** Entry links; entry 0 is the null link. */
  private links = new Uint32Array(INITIAL_ENTRIES);
  private nextUnused = 1;
  private freeEntries = 0;
  private count = 0;
  private readonly heads = new Uint32Array(LEVELS * BUCKETS);
  /** One bit per bucket: two u32 words per level. */
  private readonly occupied = new Uint32Array(LEVELS * 2);
  private farHead = 0;
  /** Far entries released for re-filing after the clock crossed a horizon. */
  private drainHead = 0;
  private now = 0;

  /** Number of entries held, stale ones included. */
  get size(): number {
    return this.count;
  }

  insert(handle: number, dueAt: number): void {
    const entry = this.newEntry();
    this.handles[entry] = handle;
    this.file(entry, dueAt);
  }

  /** Next entry whose bucket has started by `now` (ms), or -1. Advances the wheel's clock. */
  pop(now: number): number {
    for (;;) {
      if (this.drainHead !== 0) {
        const entry = this.drainHead;
        this.drainHead = this.links[entry];
        return this.releaseEntry(entry);
      }
      // A level's first bucket may be in the future while a higher level's
      // bucket at the current digit, partly handed out, is still due.
      let pending = false;
      for (let level = 0; level < LEVELS; level++) {
        const bucket = this.firstBucketFrom(level, digit(this.now, level));
        if (bucket === NONE) continue;
        const groupStart = Math.floor(this.now / SPAN[level + 1]) * SPAN[level + 1];
        const start = groupStart + bucket * SPAN[level];
        if (start > now) {
          pending = true;
          continue;
        }
        if (start > this.now) this.now = start;
        const index = level * BUCKETS + bucket;
        const entry = this.heads[index];
        this.heads[index] = this.links[entry];
        if (this.heads[index] === 0) this.occupied[level * 2 + (bucket >>> 5)] &= ~(1 << (bucket & 31));
        return this.releaseEntry(entry);
      }
      if (pending) {
        // Nothing is due, and every entry still shares its higher digits with `now`.
        if (now > this.now) this.now = now;
        return NONE;
      }
      // The levels are empty: the clock may jump straight to `now`.
      if (now > this.now) {
        const crossedHorizon = Math.floor(now / HORIZON) !== Math.floor(this.now / HORIZON);
        this.now = now;
        if (crossedHorizon && this.farHead !== 0) {
          this.drainHead = this.farHead;
          this.farHead = 0;
          continue;
        }
      }
      return NONE;
    }
  }

  /** Drops all entries. */
  clear(): void {
    this.resetEntries();
    this.heads.fill(0);
    this.occupied.fill(0);
    this.farHead = 0;
    this.drainHead = 0;
  }

  private file(entry: number, dueAt: number): void {
    let level = 0;
    let bucket = digit(this.now, 0);
    if (dueAt > this.now) {
      while (level < LEVELS && Math.floor(dueAt / SPAN[level + 1]) !== Math.floor(this.now / SPAN[level + 1])) level++;
      if (level === LEVELS) {
        this.links[entry] = this.farHead;
        this.farHead = entry;
        return;
      }
      bucket = digit(dueAt, level);
    }
    const index = level * BUCKETS + bucket;
    this.links[entry] = this.heads[index];
    this.heads[index] = entry;
    this.occupied[level * 2 + (bucket >>> 5)] |= 1 << (bucket & 31);
  }

  private firstBucketFrom(level: number, from: number): number {
    const low = lowestBitFrom(this.occupied[level * 2], from);
    if (low !== NONE) return low;
    const high = lowestBitFrom(this.occupied[level * 2 + 1], Math.max(from - 32, 0));
    return high === NONE ? NONE : high + 32;
  }

  private newEntry(): number {
    this.count++;
    if (this.freeEntries !== 0) {
      const entry = this.freeEntries;
      this.freeEntries = this.links[entry];
      return entry;
    }
    if (this.nextUnused === this.handles.length) {
      const handles = new Uint32Array(this.handles.length * 2);
      handles.set(this.handles);
      this.handles = handles;
      const links = new Uint32Array(this.links.length * 2);
      links.set(this.links);
      this.links = links;
    }
    return this.nextUnused++;
  }

  /** Frees an entry and returns the handle it held. */
  private releaseEntry(entry: number): number {
    const handle = this.handles[entry];
    this.count--;
    if (this.count === 0 && this.handles.length > INITIAL_ENTRIES) {
      // Give back the memory of a burst of TTLs once they have all fired.
      this.resetEntries();
    } else {
      this.links[entry] = this.freeEntries;
      this.freeEntries = entry;
    }
    return handle;
  }

  private resetEntries(): void {
    this.handles = new Uint32Array(INITIAL_ENTRIES);
    this.links = new Uint32Array(INITIAL_ENTRIES);
    this.nextUnused = 1;
    this.freeEntries = 0;
    this.count = 0;
  }
}
