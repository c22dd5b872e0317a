// Which shard owns a key: a hash of the key, or of its {hash tag} as in Redis
// Cluster, so that keys sharing a tag always live on one shard.

/** FNV-1a over bytes [start, end). */
function fnv1a(key: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= key[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shardOfKey(key: Uint8Array, shardCount: number): number {
  if (shardCount === 1) return 0;
  let start = 0;
  let end = key.length;
  const open = key.indexOf(0x7b); // '{'
  if (open >= 0) {
    const close = key.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  return fnv1a(key, start, end) % shardCount;
}
