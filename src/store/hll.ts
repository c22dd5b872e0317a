// HyperLogLog in Redis's exact byte representation (hyperloglog.c), so values
// move freely between nodefly and Redis (GET/SET, DUMP/RESTORE):
//
//   "HYLL" | u8 encoding (0 dense, 1 sparse) | 3 zero bytes | u64 LE cached
//   cardinality (MSB of its last byte set = stale) | registers
//
// Dense: 16384 registers of 6 bits, packed LSB first. Sparse: a run-length
// code of opcodes ZERO (00xxxxxx: 1..64 zero registers), XZERO (01xxxxxx
// xxxxxxxx: 1..16384 zero registers) and VAL (1vvvvvxx: 1..4 registers of
// value 1..32), promoted to dense when a value exceeds 32 or the string would
// grow beyond hll-sparse-max-bytes. Elements hash with MurmurHash64A (seed
// 0xadc83b19); cardinality uses Ertl's estimator (hllTau/hllSigma).

export const HLL_HEADER_BYTES = 16;
export const HLL_REGISTERS = 16384;
export const HLL_DENSE_BYTES = HLL_HEADER_BYTES + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;

const ENCODING_AT = 4;
const CARD_AT = 8;
/** Byte holding the cache-invalid bit (MSB of the cardinality). */
const CARD_FLAG_AT = CARD_AT + 7;
const P = 14;
const Q = 64 - P;
const REGISTER_MAX = 63;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** 0.5 / ln(2). */
const ALPHA_INF = 0.721347520444481703680;
const HASH_SEED = 0xadc83b19;

// ---- MurmurHash64A over 32-bit halves -------------------------------------------------

/** MurmurHash64A's multiplier 0xc6a4a7935bd1e995. */
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** Result of mul64 (hi, lo), kept in module state to avoid allocating. */
let mulHi = 0;
let mulLo = 0;

/** (aHi:aLo * bHi:bLo) mod 2^64 into mulHi:mulLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mulLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536);
  mulHi = (carry + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) >>> 0;
}

/** Register index and run length ("000..1" pattern) of the last hashed element. */
let patternIndex = 0;
let patternCount = 0;

/** Redis hllPatLen: hashes element into patternIndex / patternCount. */
function hashPattern(data: Uint8Array): void {
  const len = data.length;
  mul64(0, len, M_HI, M_LO);
  let hHi = mulHi;
  let hLo = (mulLo ^ HASH_SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const kHi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    // k ^= k >> 47
    const xLo = (mulLo ^ (mulHi >>> 15)) >>> 0;
    mul64(mulHi, xLo, M_HI, M_LO);
    hHi = (hHi ^ mulHi) >>> 0;
    hLo = (hLo ^ mulLo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = mulHi;
    hLo = mulLo;
  }
  const rest = len & 7;
  if (rest > 0) {
    const t = blocks;
    if (rest >= 7) hHi ^= data[t + 6] << 16;
    if (rest >= 6) hHi ^= data[t + 5] << 8;
    if (rest >= 5) hHi ^= data[t + 4];
    if (rest >= 4) hLo ^= data[t + 3] << 24;
    if (rest >= 3) hLo ^= data[t + 2] << 16;
    if (rest >= 2) hLo ^= data[t + 1] << 8;
    hLo ^= data[t];
    mul64(hHi >>> 0, hLo >>> 0, M_HI, M_LO);
    hHi = mulHi;
    hLo = mulLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  hHi = mulHi;
  hLo = (mulLo ^ (mulHi >>> 15)) >>> 0;

  patternIndex = hLo & (HLL_REGISTERS - 1);
  // The Q bits above the index, with bit Q set so the count stops at Q + 1.
  const low = ((hLo >>> P) | (hHi << (32 - P))) >>> 0;
  const high = hHi >>> P;
  if (low !== 0) patternCount = 32 - Math.clz32(low & -low);
  else if (high !== 0) patternCount = 64 - Math.clz32(high & -high);
  else patternCount = Q + 1;
}

// ---- registers -------------------------------------------------------------------------

/** Dense register `index` of the registers starting at buf[base]. */
function denseGet(buf: Uint8Array, base: number, index: number): number {
  const bit = index * 6;
  const at = base + (bit >> 3);
  const fb = bit & 7;
  const b1 = buf[at + 1];
  return ((buf[at] >> fb) | ((b1 === undefined ? 0 : b1) << (8 - fb))) & REGISTER_MAX;
}

function denseSet(buf: Uint8Array, base: number, index: number, value: number): void {
  const bit = index * 6;
  const at = base + (bit >> 3);
  const fb = bit & 7;
  buf[at] = (buf[at] & ~(REGISTER_MAX << fb)) | (value << fb);
  // The last register's high byte is the string's terminator in Redis; a typed array ignores it.
  buf[at + 1] = (buf[at + 1] & ~(REGISTER_MAX >> (8 - fb))) | (value >> (8 - fb));
}

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXZero = (op: number): boolean => (op & 0xc0) === 0x40;
const valValue = (op: number): number => ((op >> 2) & 0x1f) + 1;
const valLength = (op: number): number => (op & 3) + 1;
const valOp = (value: number, length: number): number => 0x80 | ((value - 1) << 2) | (length - 1);

/** True when value has the header of a HyperLogLog Redis would accept (isHLLObjectOrReply). */
export function isHll(value: Uint8Array): boolean {
  if (value.length < HLL_HEADER_BYTES) return false;
  if (value[0] !== 0x48 || value[1] !== 0x59 || value[2] !== 0x4c || value[3] !== 0x4c) return false;
  const encoding = value[ENCODING_AT];
  if (encoding > HLL_SPARSE) return false;
  return encoding === HLL_SPARSE || value.length === HLL_DENSE_BYTES;
}

export function hllEncoding(value: Uint8Array): number {
  return value[ENCODING_AT];
}

/** The cached cardinality of a valid-header HLL, or -1 when stale. */
export function cachedCardinality(value: Uint8Array): number | bigint {
  if (value[CARD_FLAG_AT] & 0x80) return -1;
  const lo = (value[CARD_AT] | (value[CARD_AT + 1] << 8) | (value[CARD_AT + 2] << 16) | (value[CARD_AT + 3] << 24)) >>> 0;
  const hi = (value[CARD_AT + 4] | (value[CARD_AT + 5] << 8) | (value[CARD_AT + 6] << 16) | (value[CARD_AT + 7] << 24)) >>> 0;
  return hi < 0x200000 ? hi * 0x100000000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Stores card (below 2^53) as the valid cached cardinality. */
export function storeCardinality(value: Uint8Array, card: number): void {
  let v = card;
  for (let i = 0; i < 8; i++) {
    value[CARD_AT + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

// ---- cardinality -----------------------------------------------------------------------

/** Register histogram (reused; indices 0..63). */
const histogram = new Int32Array(64);

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Ertl's estimate from `histogram`. */
function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - histogram[Q + 1]) / m);
  for (let j = Q; j >= 1; j--) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * hllSigma(histogram[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** Adds the sparse opcodes of value to `histogram`; false when they do not cover exactly all registers. */
function sparseHistogram(value: Uint8Array): boolean {
  let index = 0;
  const end = value.length;
  for (let p = HLL_HEADER_BYTES; p < end;) {
    const op = value[p];
    if (isZero(op)) {
      const run = (op & 0x3f) + 1;
      index += run;
      histogram[0] += run;
      p++;
    } else if (isXZero(op)) {
      const run = (((op & 0x3f) << 8) | (p + 1 < end ? value[p + 1] : 0)) + 1;
      index += run;
      histogram[0] += run;
      p += 2;
    } else {
      const run = valLength(op);
      index += run;
      histogram[valValue(op)] += run;
      p++;
    }
  }
  return index === HLL_REGISTERS;
}

/** Cardinality of a valid-header HLL, or -1 when its sparse encoding is corrupt (hllCount). */
export function hllCount(value: Uint8Array): number {
  histogram.fill(0);
  if (value[ENCODING_AT] === HLL_DENSE) {
    // Every 3 bytes hold 4 registers.
    for (let p = HLL_HEADER_BYTES; p < HLL_DENSE_BYTES; p += 3) {
      const b0 = value[p];
      const b1 = value[p + 1];
      const b2 = value[p + 2];
      histogram[b0 & 63]++;
      histogram[((b0 >> 6) | (b1 << 2)) & 63]++;
      histogram[((b1 >> 4) | (b2 << 4)) & 63]++;
      histogram[b2 >> 2]++;
    }
  } else if (!sparseHistogram(value)) {
    return -1;
  }
  return estimate();
}

/** Cardinality of raw registers (one byte each), as PFCOUNT of several keys computes it. */
export function rawCount(registers: Uint8Array): number {
  histogram.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++;
  return estimate();
}

/** max[i] = MAX(max[i], register i of value) for a valid-header HLL; false when its sparse encoding is corrupt (hllMerge). */
export function mergeRegisters(max: Uint8Array, value: Uint8Array): boolean {
  if (value[ENCODING_AT] === HLL_DENSE) {
    for (let p = HLL_HEADER_BYTES, i = 0; p < HLL_DENSE_BYTES; p += 3, i += 4) {
      const b0 = value[p];
      const b1 = value[p + 1];
      const b2 = value[p + 2];
      const r0 = b0 & 63;
      const r1 = ((b0 >> 6) | (b1 << 2)) & 63;
      const r2 = ((b1 >> 4) | (b2 << 4)) & 63;
      const r3 = b2 >> 2;
      if (r0 > max[i]) max[i] = r0;
      if (r1 > max[i + 1]) max[i + 1] = r1;
      if (r2 > max[i + 2]) max[i + 2] = r2;
      if (r3 > max[i + 3]) max[i + 3] = r3;
    }
    return true;
  }
  let index = 0;
  const end = value.length;
  for (let p = HLL_HEADER_BYTES; p < end;) {
    const op = value[p];
    if (isZero(op)) {
      index += (op & 0x3f) + 1;
      p++;
    } else if (isXZero(op)) {
      index += (((op & 0x3f) << 8) | (p + 1 < end ? value[p + 1] : 0)) + 1;
      p += 2;
    } else {
      let run = valLength(op);
      const r = valValue(op);
      if (run + index > HLL_REGISTERS) break;
      while (run-- > 0) {
        if (r > max[index]) max[index] = r;
        index++;
      }
      p++;
    }
  }
  return index === HLL_REGISTERS;
}

// ---- editing -----------------------------------------------------------------------------

/** A fresh sparse HLL: the header and XZERO opcodes covering every register (createHLLObject). */
export function emptyHll(): Buffer {
  const xzeros = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN);
  const value = Buffer.alloc(HLL_HEADER_BYTES + xzeros * 2);
  value.write('HYLL', 0, 'latin1');
  value[ENCODING_AT] = HLL_SPARSE;
  let left = HLL_REGISTERS;
  for (let p = HLL_HEADER_BYTES; left > 0; p += 2) {
    const run = Math.min(left, SPARSE_XZERO_MAX_LEN);
    value[p] = 0x40 | ((run - 1) >> 8);
    value[p + 1] = (run - 1) & 0xff;
    left -= run;
  }
  return value;
}

/**
 * An HLL being modified: its bytes live in a growable buffer (bytes[0, length)) and,
 * as in an sds string, bytes[length] is always 0, which corrupt sparse input may read.
 */
export class HllEditor {
  bytes = Buffer.alloc(HLL_DENSE_BYTES + 1);
  length = 0;
  /** hll-sparse-max-bytes for this edit. */
  private sparseMaxBytes = 0;
  private readonly dense = Buffer.alloc(HLL_DENSE_BYTES + 1);

  /** Starts editing a copy of value (a valid-header HLL). */
  load(value: Uint8Array, sparseMaxBytes: number): void {
    this.ensure(value.length + 4);
    this.bytes.set(value, 0);
    this.setLength(value.length);
    this.sparseMaxBytes = sparseMaxBytes;
  }

  /** The edited value (a view, valid until the next edit). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  get encoding(): number {
    return this.bytes[ENCODING_AT];
  }

  invalidateCache(): void {
    this.bytes[CARD_FLAG_AT] |= 0x80;
  }

  /** Redis hllAdd: 1 when a register grew, 0 when none did, -1 when the encoding is corrupt. */
  add(element: Uint8Array): number {
    hashPattern(element);
    const encoding = this.bytes[ENCODING_AT];
    if (encoding === HLL_DENSE) return this.setDense(patternIndex, patternCount);
    if (encoding === HLL_SPARSE) return this.setSparse(patternIndex, patternCount);
    return -1;
  }

  /** Raises register index to count if lower, in either encoding (1 when raised, -1 when corrupt). */
  setRegister(index: number, count: number): number {
    return this.bytes[ENCODING_AT] === HLL_DENSE ? this.setDense(index, count) : this.setSparse(index, count);
  }

  /** Redis hllSparseToDense; false (nothing changed) when the sparse encoding is corrupt. */
  toDense(): boolean {
    const src = this.bytes;
    if (src[ENCODING_AT] === HLL_DENSE) return true;
    const dense = this.dense;
    dense.fill(0);
    src.copy(dense, 0, 0, HLL_HEADER_BYTES);
    dense[ENCODING_AT] = HLL_DENSE;
    const end = this.length;
    let index = 0;
    for (let p = HLL_HEADER_BYTES; p < end;) {
      const op = src[p];
      if (isZero(op)) {
        index += (op & 0x3f) + 1;
        p++;
      } else if (isXZero(op)) {
        index += (((op & 0x3f) << 8) | src[p + 1]) + 1;
        p += 2;
      } else {
        let run = valLength(op);
        const r = valValue(op);
        if (run + index > HLL_REGISTERS) break;
        while (run-- > 0) denseSet(dense, HLL_HEADER_BYTES, index++, r);
        p++;
      }
    }
    if (index !== HLL_REGISTERS) return false;
    this.ensure(HLL_DENSE_BYTES + 1);
    dense.copy(this.bytes, 0, 0, HLL_DENSE_BYTES);
    this.setLength(HLL_DENSE_BYTES);
    return true;
  }

  private setDense(index: number, count: number): number {
    if (denseGet(this.bytes, HLL_HEADER_BYTES, index) >= count) return 0;
    denseSet(this.bytes, HLL_HEADER_BYTES, index, count);
    return 1;
  }

  /** Redis hllSparseSet, opcode for opcode, so the bytes match Redis's. */
  private setSparse(index: number, count: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    // Room for the worst split (XZERO -> XZERO VAL XZERO) plus the terminator.
    this.ensure(this.length + 4);
    const buf = this.bytes;
    let end = this.length;
    // Find the opcode covering `index`.
    let p = HLL_HEADER_BYTES;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = buf[p];
      let opLength = 1;
      if (isZero(op)) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = valLength(op);
      else {
        span = (((op & 0x3f) << 8) | buf[p + 1]) + 1;
        opLength = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += opLength;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = buf[p];
    let next = isXZero(op) ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const zero = isZero(op);
    const xzero = isXZero(op);
    const run = zero ? (op & 0x3f) + 1 : xzero ? (((op & 0x3f) << 8) | buf[p + 1]) + 1 : valLength(op);

    if (!zero && !xzero) {
      if (valValue(op) >= count) return 0;
      if (run === 1) {
        buf[p] = valOp(count, 1);
        return this.mergeAdjacent(prev, end);
      }
    }
    if (zero && run === 1) {
      buf[p] = valOp(count, 1);
      return this.mergeAdjacent(prev, end);
    }

    // Split the opcode into up to three: before, the new VAL, after.
    const seq = splitSequence;
    let n = 0;
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) n = writeZeros(seq, n, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) n = writeZeros(seq, n, last - index);
    } else {
      const current = valValue(op);
      if (index !== first) seq[n++] = valOp(current, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) seq[n++] = valOp(current, last - index);
    }
    const delta = n - (xzero ? 2 : 1);
    if (delta > 0 && this.length + delta > this.sparseMaxBytes) return this.promote(index, count);
    if (delta !== 0 && next >= 0) buf.copyWithin(next + delta, next, end);
    this.setLength(this.length + delta);
    for (let i = 0; i < n; i++) buf[p + i] = seq[i];
    end += delta;
    return this.mergeAdjacent(prev, end);
  }

  /** Step 4 of hllSparseSet: merge equal adjacent VAL opcodes near the change, then invalidate the cache. */
  private mergeAdjacent(prev: number, end: number): number {
    const buf = this.bytes;
    let p = prev >= 0 ? prev : HLL_HEADER_BYTES;
    let scans = 5;
    while (p < end && scans-- !== 0) {
      const op = buf[p];
      if (isXZero(op)) {
        p += 2;
        continue;
      }
      if (isZero(op)) {
        p++;
        continue;
      }
      if (p + 1 < end && buf[p + 1] & 0x80) {
        const value = valValue(op);
        const length = valLength(op) + valLength(buf[p + 1]);
        if (valValue(buf[p + 1]) === value && length <= SPARSE_VAL_MAX_LEN) {
          buf[p + 1] = valOp(value, length);
          buf.copyWithin(p, p + 1, end);
          this.setLength(this.length - 1);
          end--;
          continue;
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return this.setDense(index, count);
  }

  private setLength(length: number): void {
    this.length = length;
    this.bytes[length] = 0;
  }

  private ensure(capacity: number): void {
    if (this.bytes.length >= capacity) return;
    const grown = Buffer.alloc(Math.max(capacity, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length + 1);
    this.bytes = grown;
  }
}

/** Up to 5 opcode bytes replacing one split opcode. */
const splitSequence = new Uint8Array(5);

/** Writes a ZERO (up to 64) or XZERO run of `run` registers at seq[n]; returns the next position. */
function writeZeros(seq: Uint8Array, n: number, run: number): number {
  if (run > SPARSE_ZERO_MAX_LEN) {
    seq[n] = 0x40 | ((run - 1) >> 8);
    seq[n + 1] = (run - 1) & 0xff;
    return n + 2;
  }
  seq[n] = run - 1;
  return n + 1;
}

// ---- self test support ---------------------------------------------------------------

/** Hashes element and returns its register index; the run length is then in lastPatternCount(). */
export function patternOf(element: Uint8Array): number {
  hashPattern(element);
  return patternIndex;
}

export function lastPatternCount(): number {
  return patternCount;
}

export { denseGet as denseRegister, denseSet as setDenseRegister };
