// Reading encoded RESP replies back, for merging the replies of several shards.

/** Offset just past the CRLF-terminated line starting at `off`. */
function lineEnd(buf: Buffer, off: number): number {
  const cr = buf.indexOf(13, off);
  return cr + 2;
}

function lineInt(buf: Buffer, off: number): number {
  return Number(buf.latin1Slice(off + 1, buf.indexOf(13, off)));
}

/** Offset just past the one complete RESP2/RESP3 element that starts at `off`. */
export function elementEnd(buf: Buffer, off: number): number {
  const type = buf[off];
  switch (type) {
    case 0x24: // $ bulk
    case 0x3d: // = verbatim
    case 0x21: { // ! blob error
      const n = lineInt(buf, off);
      const body = lineEnd(buf, off);
      return n < 0 ? body : body + n + 2;
    }
    case 0x2a: // * array
    case 0x7e: // ~ set
    case 0x3e: { // > push
      const n = lineInt(buf, off);
      let p = lineEnd(buf, off);
      for (let i = 0; i < n; i++) p = elementEnd(buf, p);
      return p;
    }
    case 0x25: // % map
    case 0x7c: { // | attribute (followed by the element it annotates)
      const n = lineInt(buf, off) * 2;
      let p = lineEnd(buf, off);
      for (let i = 0; i < n; i++) p = elementEnd(buf, p);
      return type === 0x7c ? elementEnd(buf, p) : p;
    }
    default: // + - : , # _ ( simple one-line types
      return lineEnd(buf, off);
  }
}

export function isError(reply: Buffer): boolean {
  return reply[0] === 0x2d || reply[0] === 0x21;
}

export function isArray(reply: Buffer): boolean {
  return reply[0] === 0x2a || reply[0] === 0x7e;
}

/** The integer of a `:n` reply. */
export function integerOf(reply: Buffer): number {
  return lineInt(reply, 0);
}

/** Length and element start of an array reply. */
export function arrayHeader(reply: Buffer): { length: number; start: number } {
  return { length: lineInt(reply, 0), start: lineEnd(reply, 0) };
}

/** The raw encodings of an array reply's elements. */
export function arrayElements(reply: Buffer): Buffer[] {
  const { length, start } = arrayHeader(reply);
  const out: Buffer[] = [];
  let p = start;
  for (let i = 0; i < length; i++) {
    const end = elementEnd(reply, p);
    out.push(reply.subarray(p, end));
    p = end;
  }
  return out;
}

/** The payload of a bulk string reply, or null for a null reply. */
export function bulkOf(reply: Buffer): Buffer | null {
  if (reply[0] !== 0x24) return null;
  const n = lineInt(reply, 0);
  if (n < 0) return null;
  const start = lineEnd(reply, 0);
  return reply.subarray(start, start + n);
}
