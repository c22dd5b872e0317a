// 32-bit MurmurHash3-style hash over a byte range. The seed is random per
// process so that clients cannot precompute colliding keys.

import { randomBytes } from 'node:crypto';

const SEED = randomBytes(4).readUInt32LE(0);

function mixChunk(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** Hash of bytes[start, end) as an unsigned 32-bit integer. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = SEED ^ (end - start);
  const wholeEnd = start + ((end - start) & ~3);
  let i = start;
  for (; i < wholeEnd; i += 4) {
    h ^= mixChunk(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = end - i;
  if (rest > 0) {
    let k = bytes[i];
    if (rest > 1) k |= bytes[i + 1] << 8;
    if (rest > 2) k |= bytes[i + 2] << 16;
    h ^= mixChunk(k);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
