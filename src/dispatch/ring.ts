// Single-producer single-consumer byte ring in a SharedArrayBuffer, used for
// command hops between shard threads. Records are [u32 fragment length]
// [u32 total length][payload]; a record larger than a fragment travels as
// several fragments so that no record size is too big for the ring.

/** Int32 slots of the control block: free-running write and read positions. */
const HEAD = 0;
const TAIL = 16; // a separate cache line from HEAD
const CONTROL_BYTES = 128;
const RECORD_HEADER = 8;
/** A fragment marker meaning "skip to the start of the ring". */
const WRAP = 0xffffffff;

export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (capacity & (capacity - 1)) throw new Error('ring capacity must be a power of two');
  return new SharedArrayBuffer(CONTROL_BYTES + capacity);
}

export class RingWriter {
  private readonly control: Int32Array;
  private readonly data: Buffer;
  private readonly view: DataView;
  private readonly capacity: number;
  /** Local copy of the write position; published with commit(). */
  private head: number;
  readonly maxFragment: number;

  constructor(sab: SharedArrayBuffer) {
    this.control = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.capacity = sab.byteLength - CONTROL_BYTES;
    this.data = Buffer.from(sab, CONTROL_BYTES, this.capacity);
    this.view = new DataView(sab, CONTROL_BYTES, this.capacity);
    this.head = Atomics.load(this.control, HEAD) >>> 0;
    this.maxFragment = this.capacity / 4 - RECORD_HEADER;
  }

  /**
   * Reserves room for a fragment of `len` payload bytes (len <= maxFragment) and writes its
   * header; returns the data offset to write the payload at, or -1 when the ring is full.
   */
  reserve(len: number, total: number): number {
    const need = (RECORD_HEADER + len + 3) & ~3;
    const tail = Atomics.load(this.control, TAIL) >>> 0;
    let pos = this.head & (this.capacity - 1);
    let skip = 0;
    if (pos + need > this.capacity) skip = this.capacity - pos; // doesn't fit before the end: wrap
    if (((this.head - tail) >>> 0) + skip + need > this.capacity) return -1;
    if (skip > 0) {
      this.view.setUint32(pos, WRAP, true);
      this.head = (this.head + skip) >>> 0;
      pos = 0;
    }
    this.view.setUint32(pos, len, true);
    this.view.setUint32(pos + 4, total, true);
    this.head = (this.head + need) >>> 0;
    return pos + RECORD_HEADER;
  }

  get buffer(): Buffer {
    return this.data;
  }

  /** Makes everything reserved so far visible to the reader. */
  commit(): void {
    Atomics.store(this.control, HEAD, this.head | 0);
  }
}

export class RingReader {
  private readonly control: Int32Array;
  private readonly data: Buffer;
  private readonly view: DataView;
  private readonly capacity: number;
  private tail: number;
  /** A record being assembled from fragments. */
  private partial: Buffer | null = null;
  private partialLen = 0;

  constructor(sab: SharedArrayBuffer) {
    this.control = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.capacity = sab.byteLength - CONTROL_BYTES;
    this.data = Buffer.from(sab, CONTROL_BYTES, this.capacity);
    this.view = new DataView(sab, CONTROL_BYTES, this.capacity);
    this.tail = Atomics.load(this.control, TAIL) >>> 0;
  }

  /**
   * Calls onRecord for each complete record, in order, with a private copy of its payload,
   * at most `limit` records. Returns how many were delivered.
   */
  drain(onRecord: (payload: Buffer) => void, limit = Infinity): number {
    const head = Atomics.load(this.control, HEAD) >>> 0;
    let delivered = 0;
    while (this.tail !== head && delivered < limit) {
      let pos = this.tail & (this.capacity - 1);
      let len = this.view.getUint32(pos, true);
      if (len === WRAP) {
        this.tail = (this.tail + (this.capacity - pos)) >>> 0;
        pos = 0;
        len = this.view.getUint32(0, true);
      }
      const total = this.view.getUint32(pos + 4, true);
      const start = pos + RECORD_HEADER;
      let record: Buffer | null = null;
      if (len === total && this.partial === null) {
        record = Buffer.allocUnsafe(len);
        this.data.copy(record, 0, start, start + len);
      } else {
        if (this.partial === null) {
          this.partial = Buffer.allocUnsafe(total);
          this.partialLen = 0;
        }
        this.data.copy(this.partial, this.partialLen, start, start + len);
        this.partialLen += len;
        if (this.partialLen === this.partial.length) {
          record = this.partial;
          this.partial = null;
        }
      }
      this.tail = (this.tail + ((RECORD_HEADER + len + 3) & ~3)) >>> 0;
      if (record !== null) {
        // Free the space before handing the record out: the handler may write to other rings.
        Atomics.store(this.control, TAIL, this.tail | 0);
        delivered++;
        onRecord(record);
      }
    }
    Atomics.store(this.control, TAIL, this.tail | 0);
    return delivered;
  }
}
