// Redis's SCAN cursor over a power-of-two hash table: the bits under the mask
// are incremented in reversed order, so a scan visits every home bucket once
// and an entry present throughout is returned at least once even when the
// table grows or shrinks between calls.

/** The cursor after `cursor` for a table of mask + 1 buckets; 0 when the scan is complete. */
export function nextCursor(cursor: number, mask: number): number {
  let v = cursor | ~mask;
  v = reverseBits(v);
  v = (v + 1) | 0;
  return reverseBits(v) >>> 0;
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16);
}
