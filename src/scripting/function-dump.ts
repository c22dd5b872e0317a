// FUNCTION DUMP / RESTORE payloads in Redis 7.0's format, so that payloads move between
// redis-server and us both ways: per library the opcode RDB_OPCODE_FUNCTION2 and the library
// code as an RDB string, then the RDB version (2 bytes LE) and a CRC64 of everything before it
// (8 bytes LE). Ours writes strings uncompressed; Redis compresses those over 20 bytes with LZF,
// which is read here, as are the integer encodings and the 7.0-rc opcode RDB_OPCODE_FUNCTION.

const RDB_VERSION = 10;
const OPCODE_FUNCTION2 = 245;
/** 7.0 rc1/rc2: library name, engine, optional description and code, each its own field. */
const OPCODE_FUNCTION_RC = 246;
const FOOTER_BYTES = 10;

/** Table-driven CRC-64/Jones (reflected, init 0, no final xor), as 32-bit halves. */
const CRC_LOW = new Uint32Array(256);
const CRC_HIGH = new Uint32Array(256);
{
  const reflectedPoly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 bit-reversed
  for (let i = 0; i < 256; i++) {
    let crc = BigInt(i);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ reflectedPoly : crc >> 1n;
    CRC_LOW[i] = Number(crc & 0xffffffffn);
    CRC_HIGH[i] = Number(crc >> 32n);
  }
}

/** CRC-64/Jones of bytes, as Redis's crc64(0, ...): 8 bytes little-endian. */
export function crc64(bytes: Uint8Array): Buffer {
  let low = 0;
  let high = 0;
  for (let i = 0; i < bytes.length; i++) {
    const index = (low ^ bytes[i]) & 0xff;
    low = (((low >>> 8) | (high << 24)) ^ CRC_LOW[index]) >>> 0;
    high = ((high >>> 8) ^ CRC_HIGH[index]) >>> 0;
  }
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32LE(low, 0);
  out.writeUInt32LE(high, 4);
  return out;
}

/** The FUNCTION DUMP payload of these library codes. */
export function dumpFunctions(codes: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const code of codes) parts.push(Buffer.from([OPCODE_FUNCTION2]), rdbLength(code.length), code);
  parts.push(Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8]));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, crc64(body)]);
}

/** The library codes of a FUNCTION RESTORE payload, or the error reply text. */
export function parseFunctionDump(payload: Buffer): Buffer[] | string {
  const end = payload.length - FOOTER_BYTES;
  if (end < 0 || payload.readUInt16LE(end) > RDB_VERSION || !crc64(payload.subarray(0, end + 2)).equals(payload.subarray(end + 2))) {
    return 'ERR DUMP payload version or checksum are wrong';
  }
  const reader = new RdbReader(payload);
  const codes: Buffer[] = [];
  while (reader.pos < end) {
    const type = payload[reader.pos++];
    if (type === OPCODE_FUNCTION2) {
      const code = reader.string();
      if (code === null) return 'ERR Failed loading library payload';
      codes.push(code);
    } else if (type === OPCODE_FUNCTION_RC) {
      const code = reader.rcLibrary();
      if (typeof code === 'string') return code;
      codes.push(code);
    } else {
      return 'ERR given type is not a function';
    }
  }
  return codes;
}

/** An RDB length: 6 bits, 14 bits, or a 32/64-bit big-endian number after a marker byte. */
function rdbLength(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n <= 0xffffffff) {
    const out = Buffer.from([0x80, 0, 0, 0, 0]);
    out.writeUInt32BE(n, 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0x81;
  out.writeBigUInt64BE(BigInt(n), 1);
  return out;
}

/** Reads RDB strings (raw, integer-encoded or LZF-compressed); null past the end or on bad data. */
class RdbReader {
  pos = 0;
  /** Whether the last length() was a special encoding (its value then names the encoding). */
  private encoded = false;

  constructor(private readonly bytes: Buffer) {}

  private length(): number | null {
    const b = this.bytes;
    if (this.pos >= b.length) return null;
    const first = b[this.pos++];
    this.encoded = first >> 6 === 3;
    switch (first >> 6) {
      case 0:
      case 3:
        return first & 0x3f;
      case 1:
        return this.pos < b.length ? ((first & 0x3f) << 8) | b[this.pos++] : null;
      default: {
        const size = first === 0x80 ? 4 : first === 0x81 ? 8 : 0;
        if (size === 0 || this.pos + size > b.length) return null;
        const n = size === 4 ? b.readUInt32BE(this.pos) : Number(b.readBigUInt64BE(this.pos));
        this.pos += size;
        return n;
      }
    }
  }

  string(): Buffer | null {
    const n = this.length();
    if (n === null) return null;
    if (!this.encoded) return this.take(n);
    const b = this.bytes;
    if (n <= 2) {
      const size = 1 << n;
      if (this.pos + size > b.length) return null;
      const value = n === 0 ? b.readInt8(this.pos) : n === 1 ? b.readInt16LE(this.pos) : b.readInt32LE(this.pos);
      this.pos += size;
      return Buffer.from(String(value));
    }
    if (n !== 3) return null;
    const compressedLength = this.length();
    const length = compressedLength === null ? null : this.length();
    const compressed = length === null ? null : this.take(compressedLength!);
    return compressed === null ? null : lzfDecompress(compressed, length!);
  }

  /** A library in the 7.0-rc layout, turned into a code with its metadata line, as Redis does. */
  rcLibrary(): Buffer | string {
    const name = this.string();
    if (name === null) return 'ERR Failed loading library name';
    const engine = this.string();
    if (engine === null) return 'ERR Failed loading engine name';
    const hasDescription = this.length();
    if (hasDescription === null) return 'ERR Failed loading library description indicator';
    if (hasDescription !== 0 && this.string() === null) return 'ERR Failed loading library description';
    const code = this.string();
    if (code === null) return 'ERR Failed loading library blob';
    return Buffer.concat([Buffer.from('#!'), engine, Buffer.from(' name='), name, Buffer.from('\n'), code]);
  }

  private take(n: number): Buffer | null {
    if (this.pos + n > this.bytes.length) return null;
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }
}

/**
 * LZF decompression: a control byte below 32 starts a run of that many + 1 literal bytes;
 * otherwise its top 3 bits are a match length - 2 (7: add the next byte) and its low 5 bits with
 * the next byte the distance - 1 back into the output. Null when the data doesn't fit `length`.
 */
function lzfDecompress(input: Buffer, length: number): Buffer | null {
  const out = Buffer.allocUnsafe(length);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > input.length || op + run > length) return null;
      input.copy(out, op, ip, ip + run);
      ip += run;
      op += run;
      continue;
    }
    let matchLength = ctrl >> 5;
    if (matchLength === 7) {
      if (ip >= input.length) return null;
      matchLength += input[ip++];
    }
    if (ip >= input.length) return null;
    let ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    matchLength += 2;
    if (ref < 0 || op + matchLength > length) return null;
    // Byte by byte: a match may overlap the bytes it produces.
    while (matchLength-- > 0) out[op++] = out[ref++];
  }
  return op === length ? out : null;
}
