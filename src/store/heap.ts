// Byte slabs shared by all databases of one shard.
//
// Blocks are multiples of 8 bytes. A block handle is a 32-bit number:
//   - below LARGE_HANDLE: slab index in bits 23..30, offset/8 in bits 0..22;
//   - from LARGE_HANDLE up: the block is a Buffer of its own (big values),
//     index into `large`.
// Handle 0 is never handed out (the first 8 bytes of slab 0 are skipped), so
// users may use 0 as "no block". Freed slab blocks go onto exact-size free
// lists (the link lives in the block's first 4 bytes); blocks are never split
// or merged, so a handle always names the start of a block of fixed size.
//
// A sized block starts with its own size as a u32 (SIZED_HEADER bytes), so
// it can be freed or measured from its handle alone: the blocks of packed
// values (hash listpacks, small sorted sets) use it.
//
// The heap also owns the table of JS objects referenced from records
// (non-string values), addressed by small integer ids with a free list.

const OFFSET_BITS = 23;
const OFFSET_MASK = (1 << OFFSET_BITS) - 1;
const MAX_SLABS = 256;
const LARGE_HANDLE = 0x80000000;
/** Slabs can address at most 2^23 units of 8 bytes. */
const MAX_SLAB_BYTES = (1 << OFFSET_BITS) * 8;
const FIRST_SLAB_BYTES = 1024 * 1024;
/** Blocks above this size get a Buffer of their own. */
export const MAX_SLAB_BLOCK = 256 * 1024;

/** Bytes of a sized block's header (its size, u32). */
export const SIZED_HEADER = 4;

/** Rounds a byte count up to the block granularity. */
export function blockSize(bytes: number): number {
  return (bytes + 7) & ~7;
}

export class Heap {
  private readonly slabs: Buffer[] = [];
  /** Aligned u32 views of `slabs`, for free-list links. */
  private readonly slabWords: Uint32Array[] = [];
  private readonly maxSlabBytes: number;
  private readonly maxSlabBlock: number;
  /** Head handle of the free list for each block size / 8 (0 = empty). */
  private readonly freeHeads: Uint32Array;
  private bumpOffset = 0;
  private bumpEnd = 0;
  private readonly large: (Buffer | undefined)[] = [];
  private readonly freeLargeIds: number[] = [];
  private used = 0;
  private reserved = 0;
  private readonly objects: unknown[] = [];
  private readonly freeObjectIds: number[] = [];
  /** Time (ms) last passed to any keyspace of this shard: stamps new records' lastAccess, like Redis's cached LRU clock. */
  clockMs = Date.now();

  constructor(slabBytes = MAX_SLAB_BYTES) {
    if (!(slabBytes >= 4096 && slabBytes <= MAX_SLAB_BYTES)) {
      throw new RangeError(`slab size must be between 4096 and ${MAX_SLAB_BYTES}`);
    }
    this.maxSlabBytes = blockSize(slabBytes);
    this.maxSlabBlock = Math.min(MAX_SLAB_BLOCK, this.maxSlabBytes);
    this.freeHeads = new Uint32Array((this.maxSlabBlock >>> 3) + 1);
  }

  /** Bytes in live blocks. */
  get bytesUsed(): number {
    return this.used;
  }

  /** Bytes of slabs (and own-buffer blocks) allocated. */
  get bytesReserved(): number {
    return this.reserved;
  }

  /** Allocates a block of at least `bytes` bytes; returns its handle. */
  alloc(bytes: number): number {
    const size = blockSize(Math.max(bytes, 8));
    this.used += size;
    if (size > this.maxSlabBlock) return this.allocLarge(size);
    const sizeClass = size >>> 3;
    const head = this.freeHeads[sizeClass];
    if (head !== 0) {
      this.freeHeads[sizeClass] = this.slabWords[head >>> OFFSET_BITS][(head & OFFSET_MASK) << 1];
      return head;
    }
    if (this.bumpEnd - this.bumpOffset < size) this.addSlab();
    const handle = (((this.slabs.length - 1) << OFFSET_BITS) | (this.bumpOffset >>> 3)) >>> 0;
    this.bumpOffset += size;
    return handle;
  }

  /** Returns a block; `bytes` must be the size it was allocated with. */
  free(handle: number, bytes: number): void {
    const size = blockSize(Math.max(bytes, 8));
    this.used -= size;
    if (handle >= LARGE_HANDLE) {
      const id = handle - LARGE_HANDLE;
      this.reserved -= this.large[id]!.length;
      this.large[id] = undefined;
      this.freeLargeIds.push(id);
      return;
    }
    this.pushFree(handle, size);
  }

  /** Allocates a sized block of at least `bytes` bytes, header included; returns its handle. */
  allocSized(bytes: number): number {
    const size = blockSize(Math.max(bytes, 8));
    const handle = this.alloc(size);
    this.buffer(handle).writeUInt32LE(size, this.offset(handle));
    return handle;
  }

  /** Size of a sized block, header included. */
  sizedBytes(handle: number): number {
    return this.buffer(handle).readUInt32LE(this.offset(handle));
  }

  freeSized(handle: number): void {
    this.free(handle, this.sizedBytes(handle));
  }

  /** The Buffer holding the block. */
  buffer(handle: number): Buffer {
    return handle >= LARGE_HANDLE ? this.large[handle - LARGE_HANDLE]! : this.slabs[handle >>> OFFSET_BITS];
  }

  /** Byte offset of the block inside buffer(handle). */
  offset(handle: number): number {
    return handle >= LARGE_HANDLE ? 0 : (handle & OFFSET_MASK) << 3;
  }

  /** Like buffer(), but undefined for a released own-buffer block (used to validate stale handles). */
  bufferIfPresent(handle: number): Buffer | undefined {
    return handle >= LARGE_HANDLE ? this.large[handle - LARGE_HANDLE] : this.slabs[handle >>> OFFSET_BITS];
  }

  storeObject(value: unknown): number {
    const id = this.freeObjectIds.pop();
    if (id === undefined) return this.objects.push(value) - 1;
    this.objects[id] = value;
    return id;
  }

  object(id: number): unknown {
    return this.objects[id];
  }

  replaceObject(id: number, value: unknown): void {
    this.objects[id] = value;
  }

  releaseObject(id: number): void {
    this.objects[id] = undefined;
    this.freeObjectIds.push(id);
  }

  private pushFree(handle: number, size: number): void {
    const sizeClass = size >>> 3;
    this.slabWords[handle >>> OFFSET_BITS][(handle & OFFSET_MASK) << 1] = this.freeHeads[sizeClass];
    this.freeHeads[sizeClass] = handle;
  }

  private addSlab(): void {
    const index = this.slabs.length;
    if (index >= MAX_SLABS) throw new RangeError('store heap exhausted');
    // The unused tail of the current slab stays usable as a free block.
    const tail = this.bumpEnd - this.bumpOffset;
    if (tail >= 8) this.pushFree((((index - 1) << OFFSET_BITS) | (this.bumpOffset >>> 3)) >>> 0, tail);
    const previous = index === 0 ? 0 : this.slabs[index - 1].length;
    const bytes = Math.min(this.maxSlabBytes, Math.max(FIRST_SLAB_BYTES, previous * 2));
    // Buffer.alloc of this size is backed by zeroed pages that the OS commits lazily.
    const slab = Buffer.alloc(bytes);
    this.slabs.push(slab);
    this.slabWords.push(new Uint32Array(slab.buffer, slab.byteOffset, bytes >>> 2));
    this.reserved += bytes;
    this.bumpOffset = index === 0 ? 8 : 0;
    this.bumpEnd = bytes;
  }

  private allocLarge(size: number): number {
    const block = Buffer.alloc(size);
    this.reserved += size;
    let id = this.freeLargeIds.pop();
    if (id === undefined) {
      id = this.large.length;
      this.large.push(block);
    } else {
      this.large[id] = block;
    }
    return LARGE_HANDLE + id;
  }
}
