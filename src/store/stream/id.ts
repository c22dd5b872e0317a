// Stream entry IDs, <ms>-<seq>: two unsigned 64-bit integers, each kept as two
// uint32 halves so every one of the 2^64 values is exact without BigInt on the
// hot paths (BigInt only formats or parses values beyond 2^53).

const TWO_32 = 4294967296;
/** Largest high half whose value (hi * 2^32 + lo) is still an exact double. */
const SAFE_HI = 0x1fffff;

export class StreamId {
  msHi = 0;
  msLo = 0;
  seqHi = 0;
  seqLo = 0;

  static max(): StreamId {
    return new StreamId().setMax();
  }

  copy(): StreamId {
    return new StreamId().setFrom(this);
  }

  setFrom(o: StreamId): this {
    this.msHi = o.msHi;
    this.msLo = o.msLo;
    this.seqHi = o.seqHi;
    this.seqLo = o.seqLo;
    return this;
  }

  setZero(): this {
    this.msHi = this.msLo = this.seqHi = this.seqLo = 0;
    return this;
  }

  setMax(): this {
    this.msHi = this.msLo = this.seqHi = this.seqLo = 0xffffffff;
    return this;
  }

  /** Sets from small numbers (ms and seq below 2^53). */
  setNumbers(ms: number, seq: number): this {
    this.msHi = Math.floor(ms / TWO_32);
    this.msLo = ms - this.msHi * TWO_32;
    this.seqHi = Math.floor(seq / TWO_32);
    this.seqLo = seq - this.seqHi * TWO_32;
    return this;
  }

  isZero(): boolean {
    return (this.msHi | this.msLo | this.seqHi | this.seqLo) === 0;
  }

  isMax(): boolean {
    return this.msHi === 0xffffffff && this.msLo === 0xffffffff && this.seqHi === 0xffffffff && this.seqLo === 0xffffffff;
  }

  compare(o: StreamId): number {
    if (this.msHi !== o.msHi) return this.msHi < o.msHi ? -1 : 1;
    if (this.msLo !== o.msLo) return this.msLo < o.msLo ? -1 : 1;
    if (this.seqHi !== o.seqHi) return this.seqHi < o.seqHi ? -1 : 1;
    if (this.seqLo !== o.seqLo) return this.seqLo < o.seqLo ? -1 : 1;
    return 0;
  }

  /** The next ID (Redis streamIncrID); false when it wrapped from the last possible ID to 0-0. */
  incr(): boolean {
    if (this.seqLo !== 0xffffffff) this.seqLo++;
    else if (this.seqHi !== 0xffffffff) {
      this.seqLo = 0;
      this.seqHi++;
    } else {
      this.seqHi = this.seqLo = 0;
      if (this.msLo !== 0xffffffff) this.msLo++;
      else if (this.msHi !== 0xffffffff) {
        this.msLo = 0;
        this.msHi++;
      } else {
        this.msHi = this.msLo = 0;
        return false;
      }
    }
    return true;
  }

  /** The previous ID (Redis streamDecrID); false when it wrapped from 0-0 to the last possible ID. */
  decr(): boolean {
    if (this.seqLo !== 0) this.seqLo--;
    else if (this.seqHi !== 0) {
      this.seqLo = 0xffffffff;
      this.seqHi--;
    } else {
      this.seqHi = this.seqLo = 0xffffffff;
      if (this.msLo !== 0) this.msLo--;
      else if (this.msHi !== 0) {
        this.msLo = 0xffffffff;
        this.msHi--;
      } else {
        this.msHi = this.msLo = 0xffffffff;
        return false;
      }
    }
    return true;
  }

  toString(): string {
    return `${formatU64(this.msHi, this.msLo)}-${formatU64(this.seqHi, this.seqLo)}`;
  }
}

export function formatU64(hi: number, lo: number): string {
  if (hi <= SAFE_HI) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Halves of the last value parseU64 accepted. */
export const parsedU64 = { hi: 0, lo: 0 };

const U64_LIMIT = 1n << 64n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const CH_0 = 0x30;
const CH_9 = 0x39;

/**
 * Redis string2ull over bytes[start, end) into parsedU64: a canonical integer (string2ll),
 * which must not be negative, else whatever strtoull takes whole (leading spaces, a sign,
 * leading zeros; a negative value wraps modulo 2^64). False when invalid.
 */
export function parseU64(bytes: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  // Fast path: plain canonical digits that fit a double exactly.
  if (len > 0 && len <= 15 && (bytes[start] !== CH_0 || len === 1)) {
    let v = 0;
    let i = start;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c < CH_0 || c > CH_9) break;
      v = v * 10 + (c - CH_0);
    }
    if (i === end) {
      parsedU64.hi = Math.floor(v / TWO_32);
      parsedU64.lo = v - parsedU64.hi * TWO_32;
      return true;
    }
  }
  return parseU64Slow(bytes, start, end);
}

function parseU64Slow(bytes: Uint8Array, start: number, end: number): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).latin1Slice(0, end - start);
  if (/^-?[1-9][0-9]*$|^0$/.test(text) && text.length < 21) {
    const v = BigInt(text);
    if (v >= INT64_MIN && v <= INT64_MAX) return v >= 0n ? setParsed(v) : false;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return false;
  let v = BigInt(m[2]);
  if (v >= U64_LIMIT) return false;
  if (m[1] === '-') v = (U64_LIMIT - v) % U64_LIMIT;
  return setParsed(v);
}

function setParsed(v: bigint): boolean {
  parsedU64.hi = Number(v >> 32n);
  parsedU64.lo = Number(v & 0xffffffffn);
  return true;
}

const ID_MAX_LENGTH = 127;

/** What parseStreamId found besides the ID: false for the "<ms>-*" form. */
export const parsedIdInfo = { seqGiven: true };

/**
 * Redis streamGenericParseIDOrReply: "<ms>-<seq>", "<ms>" (seq = missingSeqMax ? max : 0),
 * "-" and "+" (unless strict) and, when allowAutoSeq, "<ms>-*". False when invalid.
 */
export function parseStreamId(arg: Uint8Array, out: StreamId, missingSeqMax: boolean, strict: boolean, allowAutoSeq = false): boolean {
  const len = arg.length;
  if (len > ID_MAX_LENGTH) return false;
  parsedIdInfo.seqGiven = true;
  if (len === 1 && (arg[0] === 0x2d || arg[0] === 0x2b)) {
    if (strict) return false;
    if (arg[0] === 0x2d) out.setZero();
    else out.setMax();
    return true;
  }
  const dash = arg.indexOf(0x2d);
  const msEnd = dash < 0 ? len : dash;
  if (!parseU64(arg, 0, msEnd)) return false;
  const msHi = parsedU64.hi;
  const msLo = parsedU64.lo;
  if (dash < 0) {
    out.seqHi = out.seqLo = missingSeqMax ? 0xffffffff : 0;
  } else if (allowAutoSeq && len - dash === 2 && arg[dash + 1] === 0x2a) {
    out.seqHi = out.seqLo = 0;
    parsedIdInfo.seqGiven = false;
  } else {
    if (!parseU64(arg, dash + 1, len)) return false;
    out.seqHi = parsedU64.hi;
    out.seqLo = parsedU64.lo;
  }
  out.msHi = msHi;
  out.msLo = msLo;
  return true;
}
