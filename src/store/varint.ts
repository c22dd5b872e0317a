// LEB128-style unsigned varints (7 bits per byte, low groups first) for
// lengths below 2^32 inside byte stores.

/** Bytes of the varint encoding of n. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes n at `at`; returns the offset after it. */
export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/** The varint that starts at `at`. */
export function readVarint(buf: Uint8Array, at: number): number {
  let byte = buf[at];
  if (byte < 0x80) return byte;
  let n = byte & 0x7f;
  let scale = 128;
  do {
    byte = buf[++at];
    n += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80);
  return n;
}
