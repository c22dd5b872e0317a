// Request parser: RESP multibulk and inline commands, with Redis 7.0 networking.c
// semantics and error texts. Arguments are views into the received chunks.
//
// Buffer ownership: a Buffer handed out as an argument is never written to
// afterwards. Fed chunks are used in place and never written; buffers this
// parser allocates are only ever appended to past `end`, where no view points.

import { parseSafeIntegerAt } from '../util/number';

/** Error text as Redis sends it after "-ERR ". The connection must be closed after replying. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface ParserLimits {
  /** proto-max-bulk-len: largest accepted bulk, default 512 MB. */
  maxBulkLen: number;
  /** PROTO_INLINE_MAX_SIZE: longest inline line / RESP header line without its terminator, 64 KB. */
  maxInlineLen: number;
  /** Largest accepted multibulk count; Redis 7.0 allows up to INT_MAX. */
  maxMultibulkLen: number;
}

const DEFAULT_LIMITS: ParserLimits = {
  maxBulkLen: 512 * 1024 * 1024,
  maxInlineLen: 64 * 1024,
  maxMultibulkLen: 2147483647,
};

/** Unauthenticated clients may send at most this many arguments / bytes per bulk (Redis 7.0). */
const UNAUTH_MAX_MULTIBULK = 10;
const UNAUTH_MAX_BULK = 16384;

/** Smallest buffer allocated when data must be carried over between chunks. */
const MIN_CARRY_CAPACITY = 16 * 1024;

/** Largest argument array allocated before its arguments arrive (Redis also starts argv at 1024). */
const MAX_PRESIZED_ARGS = 1024;

const CH_NUL = 0x00;
const CH_TAB = 0x09;
const CH_LF = 0x0a;
const CH_CR = 0x0d;
const CH_SPACE = 0x20;
const CH_DQUOTE = 0x22;
const CH_DOLLAR = 0x24;
const CH_SQUOTE = 0x27;
const CH_STAR = 0x2a;
const CH_0 = 0x30;
const CH_9 = 0x39;
const CH_BACKSLASH = 0x5c;
const CH_x = 0x78;

const EMPTY = Buffer.alloc(0);

/** C isspace() in the "C" locale. */
function isSpace(c: number): boolean {
  return c === CH_SPACE || (c >= CH_TAB && c <= CH_CR);
}

function hexValue(c: number): number {
  if (c >= CH_0 && c <= CH_9) return c - CH_0;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

export class RequestParser {
  limits: ParserLimits;
  /** When true, Redis' limits for clients that still have to AUTH apply. */
  unauthenticated = false;

  private buf: Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  /** Whether buf was allocated here, so bytes past `end` may be written. */
  private owned = false;

  // State of a multibulk command in progress.
  private argsLeft = 0;
  private args: Buffer[] = [];
  private argCount = 0;
  /** Length of the bulk whose data is awaited, -1 when its header is not read yet. */
  private bulkLen = -1;

  /** Bytes after pos already searched for a line terminator without success (Infinity once a NUL blocks it). */
  private searched = 0;
  /** Index just past the header line read by readHeaderValue. */
  private headerEnd = 0;

  constructor(limits?: Partial<ParserLimits>) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes buffered but not yet consumed (query-buffer limit, CLIENT LIST qbuf). */
  get pending(): number {
    return this.end - this.pos;
  }

  /** Append newly read bytes. The chunk is kept by reference and must not be modified afterwards. */
  feed(chunk: Buffer): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.pos === this.end) {
      this.buf = chunk;
      this.advance(0);
      this.end = n;
      this.owned = false;
      return;
    }
    if (this.owned && this.end + n <= this.buf.length) {
      chunk.copy(this.buf, this.end);
      this.end += n;
      return;
    }
    const carried = this.end - this.pos;
    const needed = carried + n;
    // Geometric growth keeps slow drips linear; memory stays proportional to
    // bytes received, and a known bulk size caps it (no huge preallocation).
    let capacity = Math.max(needed * 2, MIN_CARRY_CAPACITY);
    if (this.bulkLen >= 0) capacity = Math.max(needed, Math.min(capacity, this.bulkLen + 2));
    const next = Buffer.allocUnsafeSlow(capacity);
    this.buf.copy(next, 0, this.pos, this.end);
    chunk.copy(next, carried);
    this.buf = next;
    this.pos = 0; // `searched` is relative to pos, so it stays valid
    this.end = needed;
    this.owned = true;
  }

  /**
   * Next complete command as Buffer views, or null if more bytes are needed.
   * Empty inline lines and `*0`/`*-1` are skipped. Throws ProtocolError on bad
   * input; the caller then replies "-ERR <message>" and closes the connection.
   */
  next(): Buffer[] | null {
    for (;;) {
      if (this.argsLeft === 0) {
        if (this.pos >= this.end) return this.drained();
        if (this.buf[this.pos] !== CH_STAR) {
          const inline = this.readInline();
          if (inline === null) return null;
          if (inline.length === 0) continue;
          return inline;
        }
        const count = this.readMultibulkCount();
        if (count === null) return null;
        if (count <= 0) continue;
        this.argsLeft = count;
        // Presized like Redis' argv (capped, so a huge declared count allocates nothing up front).
        this.args = new Array(Math.min(count, MAX_PRESIZED_ARGS));
        this.argCount = 0;
      }
      if (!this.readBulks()) return null;
      return this.args;
    }
  }

  /** Drop the reference to a fully consumed buffer so it can be collected once its views are. */
  private drained(): null {
    this.buf = EMPTY;
    this.advance(0);
    this.end = 0;
    this.owned = false;
    return null;
  }

  /**
   * Index of the first `byte` at or after pos, or -1. Like strchr on Redis'
   * NUL-terminated query buffer, a NUL byte ends the search for good. Resumes
   * where the last failed search stopped, so a line dripping in stays linear.
   */
  private findTerminator(byte: number): number {
    const buf = this.buf;
    const end = this.end;
    for (let i = this.pos + this.searched; i < end; i++) {
      const c = buf[i];
      if (c === byte) return i;
      if (c === CH_NUL) {
        this.searched = Infinity;
        return -1;
      }
    }
    if (this.searched !== Infinity) this.searched = end - this.pos;
    return -1;
  }

  /** Consume up to `to`; a new line starts there. */
  private advance(to: number): void {
    this.pos = to;
    this.searched = 0;
  }

  /**
   * Integer of the "<prefix><digits>\r?" header line at pos, for lines the fast
   * path did not take. Returns the value (NaN if not a valid string2ll integer)
   * and sets headerEnd to the index after the line, or null if it is incomplete.
   */
  private readHeaderValue(tooBigMessage: string): number | null {
    const cr = this.findTerminator(CH_CR);
    if (cr < 0) {
      if (this.end - this.pos > this.limits.maxInlineLen) throw new ProtocolError(tooBigMessage);
      return null;
    }
    // Redis only checks that a byte follows '\r'; it does not check that it is '\n'.
    if (cr + 1 >= this.end) return null;
    this.headerEnd = cr + 2;
    return parseSafeIntegerAt(this.buf, this.pos + 1, cr);
  }

  private readMultibulkCount(): number | null {
    let count = shortHeaderValue(this.buf, this.pos, this.end);
    if (count >= 0) {
      this.headerEnd = shortHeaderEnd;
    } else {
      const value = this.readHeaderValue('Protocol error: too big mbulk count string');
      if (value === null) return null;
      count = value;
    }
    if (count !== count || count > this.limits.maxMultibulkLen) {
      throw new ProtocolError('Protocol error: invalid multibulk length');
    }
    if (count > UNAUTH_MAX_MULTIBULK && this.unauthenticated) {
      throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    }
    this.advance(this.headerEnd);
    return count;
  }

  /** Bulk length from the "$<len>\r?" header at pos (slow path), or null if incomplete. */
  private readBulkLength(): number | null {
    const len = this.readHeaderValue('Protocol error: too big bulk count string');
    if (len === null) return null;
    const first = this.buf[this.pos];
    if (first !== CH_DOLLAR) {
      // Redis replaces \r and \n in error text with spaces; other bytes go out raw (latin1).
      const shown = first === CH_CR || first === CH_LF ? ' ' : String.fromCharCode(first);
      throw new ProtocolError(`Protocol error: expected '$', got '${shown}'`);
    }
    this.checkBulkLength(len);
    this.advance(this.headerEnd);
    return len;
  }

  private checkBulkLength(len: number): void {
    if (len !== len || len < 0 || len > this.limits.maxBulkLen) {
      throw new ProtocolError('Protocol error: invalid bulk length');
    }
    if (len > UNAUTH_MAX_BULK && this.unauthenticated) {
      throw new ProtocolError('Protocol error: unauthenticated bulk length');
    }
  }

  /** Read the remaining bulks of the current multibulk command; false if more bytes are needed. */
  private readBulks(): boolean {
    const buf = this.buf;
    const end = this.end;
    const args = this.args;
    let pos = this.pos;
    let len = this.bulkLen;
    let left = this.argsLeft;
    let index = this.argCount;
    while (left > 0) {
      if (len < 0) {
        len = buf[pos] === CH_DOLLAR ? shortHeaderValue(buf, pos, end) : -1;
        if (len >= 0) {
          this.checkBulkLength(len);
          pos = shortHeaderEnd;
        } else {
          if (pos !== this.pos) this.advance(pos);
          this.argsLeft = left;
          this.argCount = index;
          this.bulkLen = -1;
          const slow = this.readBulkLength();
          if (slow === null) return false;
          len = slow;
          pos = this.pos;
        }
      }
      // The two bytes after the data are skipped unchecked, as Redis does.
      if (end - pos < len + 2) {
        if (pos !== this.pos) this.advance(pos);
        this.bulkLen = len;
        this.argsLeft = left;
        this.argCount = index;
        return false;
      }
      args[index++] = buf.subarray(pos, pos + len);
      pos += len + 2;
      len = -1;
      left--;
    }
    this.advance(pos);
    this.bulkLen = -1;
    this.argsLeft = 0;
    return true;
  }

  /** One inline line split with sdssplitargs rules; [] for a blank line, null if incomplete. */
  private readInline(): Buffer[] | null {
    const start = this.pos;
    const newline = this.findTerminator(CH_LF);
    if (newline < 0) {
      if (this.end - start > this.limits.maxInlineLen) {
        throw new ProtocolError('Protocol error: too big inline request');
      }
      return null;
    }
    let lineEnd = newline;
    if (lineEnd > start && this.buf[lineEnd - 1] === CH_CR) lineEnd--;
    const args = splitInlineArgs(this.buf, start, lineEnd);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    this.advance(newline + 1);
    return args;
  }
}

/** Index after the line matched by the last successful shortHeaderValue call. */
let shortHeaderEnd = 0;

/**
 * Fast path for a complete header line "<prefix><digits>\r?" at pos holding a
 * canonical non-negative integer of at most 15 digits: returns its value and
 * sets shortHeaderEnd, or returns -1 when the line needs the general
 * (validating, waiting) path.
 */
function shortHeaderValue(buf: Buffer, pos: number, end: number): number {
  let i = pos + 1;
  if (i >= end) return -1;
  let c = buf[i];
  if (c === CH_0) {
    if (i + 2 >= end || buf[i + 1] !== CH_CR) return -1;
    shortHeaderEnd = i + 3;
    return 0;
  }
  if (c < CH_0 || c > CH_9) return -1;
  let v = c - CH_0;
  const limit = Math.min(end, pos + 16);
  for (i++; i < limit; i++) {
    c = buf[i];
    if (c < CH_0 || c > CH_9) {
      if (c !== CH_CR || i + 1 >= end) return -1;
      shortHeaderEnd = i + 2;
      return v;
    }
    v = v * 10 + (c - CH_0);
  }
  return -1;
}

/**
 * sdssplitargs over line[start, end): blanks separate arguments; "..." supports
 * \n \r \t \b \a \xHH and \<any>; '...' supports \'; a closing quote must be
 * followed by a blank or the end. Unquoted arguments are views into `line`;
 * quoted ones are decoded into one fresh buffer. Returns null on bad quoting.
 */
function splitInlineArgs(line: Buffer, start: number, end: number): Buffer[] | null {
  const args: Buffer[] = [];
  let decoded: Buffer | null = null;
  let decodedLen = 0;
  let i = start;
  for (;;) {
    while (i < end && isSpace(line[i])) i++;
    if (i >= end) return args;
    const tokenStart = i;
    // Unquoted run: zero-copy unless a quote opens inside the argument.
    while (i < end) {
      const c = line[i];
      if (c === CH_SPACE || c === CH_LF || c === CH_CR || c === CH_TAB || c === CH_DQUOTE || c === CH_SQUOTE) break;
      i++;
    }
    if (i >= end || (line[i] !== CH_DQUOTE && line[i] !== CH_SQUOTE)) {
      args.push(line.subarray(tokenStart, i));
      continue;
    }
    // Quoted argument: decode prefix + quoted part into a region of `decoded`.
    if (decoded === null) decoded = Buffer.allocUnsafe(end - start);
    const argStart = decodedLen;
    for (let j = tokenStart; j < i; j++) decoded[decodedLen++] = line[j];
    const quote = line[i++];
    for (;;) {
      if (i >= end) return null; // unterminated quotes
      const c = line[i];
      if (c === quote) {
        if (i + 1 < end && !isSpace(line[i + 1])) return null;
        i++;
        break;
      }
      if (c === CH_BACKSLASH && i + 1 < end) {
        const e = line[i + 1];
        if (quote === CH_SQUOTE) {
          if (e === CH_SQUOTE) {
            decoded[decodedLen++] = CH_SQUOTE;
            i += 2;
            continue;
          }
        } else {
          const hi = e === CH_x && i + 3 < end ? hexValue(line[i + 2]) : -1;
          const lo = hi >= 0 ? hexValue(line[i + 3]) : -1;
          if (lo >= 0) {
            decoded[decodedLen++] = hi * 16 + lo;
            i += 4;
            continue;
          }
          decoded[decodedLen++] = unescape(e);
          i += 2;
          continue;
        }
      }
      decoded[decodedLen++] = c;
      i++;
    }
    args.push(decoded.subarray(argStart, decodedLen));
  }
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e: return CH_LF; // \n
    case 0x72: return CH_CR; // \r
    case 0x74: return CH_TAB; // \t
    case 0x62: return 0x08; // \b
    case 0x61: return 0x07; // \a
    default: return c;
  }
}
