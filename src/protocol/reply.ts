// RESP reply encoder. One ReplyWriter per connection (or per hop batch) appends
// encoded replies into a growable byte buffer; the connection flushes it once
// per read batch. All RESP2/RESP3 formatting decisions live here, so command
// handlers never build protocol bytes themselves.

import { formatDouble } from '../util/number';

const INITIAL_CAPACITY = 16 * 1024;

/** Protocol version negotiated by HELLO (2 by default). */
export type Protocol = 2 | 3;

const smallIntBulks: Buffer[] = [];
for (let i = 0; i < 1000; i++) smallIntBulks.push(Buffer.from(`:${i}\r\n`, 'latin1'));

/** Values up to this many bytes are copied by a loop rather than through a view. */
const SHORT_COPY = 64;

export class ReplyWriter {
  buf: Buffer;
  len = 0;
  proto: Protocol = 2;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written so far (a view; valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Hands out the written bytes as an independent Buffer and resets. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    this.len = 0;
    return out;
  }

  reset(): void {
    this.len = 0;
  }

  /** Starts over in a new buffer: the current one was handed to a write still in progress. */
  detach(): void {
    this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
    this.len = 0;
  }

  /** Drops everything written after `mark` (used to undo a partial reply). */
  truncate(mark: number): void {
    this.len = mark;
  }

  ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Shrinks a buffer that grew for one huge reply, so idle connections stay small. */
  compact(): void {
    if (this.len === 0 && this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  private ascii(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.latin1Write(s, this.len);
  }

  private crlf(): void {
    this.buf[this.len] = 0x0d;
    this.buf[this.len + 1] = 0x0a;
    this.len += 2;
  }

  /**
   * A one-character type prefix, a decimal integer and CRLF: the head of every bulk and
   * aggregate. Lengths are written digit by digit: a latin1Write call per header cost
   * more than the rest of a small HGETALL reply.
   */
  private header(prefix: string, n: number): void {
    this.ensure(26);
    const buf = this.buf;
    let at = this.len;
    buf[at++] = prefix.charCodeAt(0);
    if (typeof n === 'number' && (n | 0) === n && n >= 0) {
      let digits = 1;
      for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
      for (let i = at + digits - 1, rest = n; i >= at; i--, rest = (rest / 10) | 0) buf[i] = 0x30 + (rest % 10);
      at += digits;
    } else {
      at += buf.latin1Write(String(n), at); // negative, beyond int32, and bigint values
    }
    this.len = at;
    this.crlf();
  }

  /** Raw, already-encoded RESP bytes (for replies computed on another shard). */
  raw(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(bytes.subarray(start, end), this.len);
    this.len += n;
  }

  /** +OK style status, written as latin1. `s` must not contain CR or LF. */
  simple(s: string): void {
    this.ensure(s.length + 3);
    this.buf[this.len++] = 0x2b;
    this.len += this.buf.latin1Write(s, this.len);
    this.crlf();
  }

  ok(): void {
    this.raw(OK);
  }

  /**
   * -ERR style error. The text must already start with its code (ERR, WRONGTYPE, ...).
   * Written as latin1, so arguments decoded with latin1 into the text go back out as the client's bytes.
   */
  error(s: string): void {
    const clean = s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 ? s.replace(/[\r\n]/g, ' ') : s;
    this.ensure(clean.length + 3);
    this.buf[this.len++] = 0x2d;
    this.len += this.buf.latin1Write(clean, this.len);
    this.crlf();
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < 1000 && Number.isInteger(n)) {
      this.raw(smallIntBulks[n]);
      return;
    }
    this.header(':', n as number);
  }

  bulk(bytes: Uint8Array): void {
    this.header('$', bytes.length);
    this.ensure(bytes.length + 2);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    this.crlf();
  }

  /** Bulk string from a slice of a larger buffer (e.g. a slab), without an intermediate copy. */
  bulkSlice(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.header('$', n);
    this.ensure(n + 2);
    const buf = this.buf;
    // Short values byte by byte: cheaper than the view set() needs.
    if (n <= SHORT_COPY) for (let i = 0, at = this.len; i < n; i++) buf[at + i] = src[start + i];
    else buf.set(src.subarray(start, end), this.len);
    this.len += n;
    this.crlf();
  }

  /** Bulk string from JS text, encoded as UTF-8. */
  bulkString(s: string): void {
    const n = Buffer.byteLength(s);
    this.header('$', n);
    this.ensure(n + 2);
    this.len += this.buf.write(s, this.len, 'utf8');
    this.crlf();
  }

  /** Null bulk ($-1) in RESP2, null (_) in RESP3. */
  nil(): void {
    this.raw(this.proto === 3 ? NULL3 : NIL_BULK);
  }

  /** Null array (*-1) in RESP2, null (_) in RESP3. */
  nilArray(): void {
    this.raw(this.proto === 3 ? NULL3 : NIL_ARRAY);
  }

  array(n: number): void {
    this.header('*', n);
  }

  /** A map of n pairs: %n in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (this.proto === 3) this.header('%', n);
    else this.header('*', n * 2);
  }

  /** A set: ~n in RESP3, an array in RESP2. */
  set(n: number): void {
    this.header(this.proto === 3 ? '~' : '*', n);
  }

  /** Out-of-band push (>n) in RESP3, an array in RESP2. */
  push(n: number): void {
    this.header(this.proto === 3 ? '>' : '*', n);
  }

  /** A double: ,x in RESP3, a bulk string in RESP2 (formatted as Redis 7.0 does). */
  double(d: number): void {
    this.doubleText(formatDouble(d));
  }

  /** A double already formatted (e.g. GEOPOS's "%.17Lf" coordinates): ,s in RESP3, a bulk string in RESP2. */
  doubleText(s: string): void {
    if (this.proto === 3) {
      this.ensure(s.length + 3);
      this.buf[this.len++] = 0x2c;
      this.len += this.buf.latin1Write(s, this.len);
      this.crlf();
    } else {
      this.header('$', s.length);
      this.ascii(s);
      this.crlf();
    }
  }

  /** A boolean: #t/#f in RESP3, :1/:0 in RESP2. */
  bool(b: boolean): void {
    if (this.proto === 3) this.raw(b ? TRUE3 : FALSE3);
    else this.raw(b ? smallIntBulks[1] : smallIntBulks[0]);
  }

  /** Verbatim string (=n txt:...) in RESP3, a bulk string in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.proto !== 3) {
      this.bulkString(text);
      return;
    }
    const n = Buffer.byteLength(text) + format.length + 1;
    this.header('=', n);
    this.ensure(n + 2);
    this.len += this.buf.latin1Write(format + ':', this.len);
    this.len += this.buf.write(text, this.len, 'utf8');
    this.crlf();
  }

  /** An array of bulk strings (or nils for null entries). */
  bulkArray(items: ReadonlyArray<Uint8Array | null>): void {
    this.array(items.length);
    for (const it of items) {
      if (it === null) this.nil();
      else this.bulk(it);
    }
  }

  /** An array of strings as bulk strings. */
  stringArray(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulkString(s);
  }
}

const OK = Buffer.from('+OK\r\n');
const NIL_BULK = Buffer.from('$-1\r\n');
const NIL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const TRUE3 = Buffer.from('#t\r\n');
const FALSE3 = Buffer.from('#f\r\n');
