// Key names placed on chosen shards of a 2-thread server, so that tests can
// exercise commands whose keys live on one shard or on several.

import { shardOfKey } from '../../src/dispatch/routing';

/** The shard count of the multi-shard servers the tests start. */
const SHARDS = 2;

/** The shard `key` lives on in a 2-thread server. */
export function shardOf(key: string): number {
  return shardOfKey(Buffer.from(key), SHARDS);
}

/** The first key `prefix<n>` living on shard `shard` of a 2-thread server. */
export function keyOnShard(prefix: string, shard: number): string {
  for (let i = 0; ; i++) if (shardOf(`${prefix}${i}`) === shard) return `${prefix}${i}`;
}

/** Keys a..d for one run: a and c on shard 0, b and d on shard 1 of a 2-thread server. */
export function runKeys(prefix: string): { a: string; b: string; c: string; d: string } {
  return { a: keyOnShard(`${prefix}a`, 0), b: keyOnShard(`${prefix}b`, 1), c: keyOnShard(`${prefix}c`, 0), d: keyOnShard(`${prefix}d`, 1) };
}

/** `count` key names starting with `prefix`, each on a different shard of a 2-thread server than the one before. */
export function keysOnAlternateShards(prefix: string, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const name = `${prefix}${i}`;
    if (out.length === 0 || shardOf(name) !== shardOf(out[out.length - 1])) out.push(name);
  }
  return out;
}
