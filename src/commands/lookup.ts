// Key lookups shared by every family, as Redis's lookupKeyRead/lookupKeyWrite:
// lazy expiry happens inside Keyspace.find, hit/miss counters here.

import type { ExecContext } from '../dispatch/command';
import { ValueType } from '../store/types';
import { WRONGTYPE } from './errors';

/** Entry handle of a live key for a read command (counts keyspace hits/misses), or -1. */
export function lookupRead(ctx: ExecContext, key: Uint8Array): number {
  const h = ctx.db.find(key, ctx.now);
  if (h < 0) {
    ctx.shard.stats.keyspaceMisses++;
  } else {
    ctx.shard.stats.keyspaceHits++;
    ctx.db.touch(h, ctx.now);
  }
  return h;
}

/** As lookupRead, without updating the key's access time (Redis LOOKUP_NOTOUCH: EXISTS, TYPE, TTL, OBJECT). */
export function lookupReadNoTouch(ctx: ExecContext, key: Uint8Array): number {
  const h = ctx.db.find(key, ctx.now);
  if (h < 0) ctx.shard.stats.keyspaceMisses++;
  else ctx.shard.stats.keyspaceHits++;
  return h;
}

/** Entry handle of a live key for a write command, or -1. */
export function lookupWrite(ctx: ExecContext, key: Uint8Array): number {
  const h = ctx.db.find(key, ctx.now);
  if (h >= 0) ctx.db.touch(h, ctx.now);
  return h;
}

/** Result of a typed lookup when the key holds another type; the WRONGTYPE error has been replied. */
export const WRONG_TYPE = -2;

/**
 * Looks a key up for a command that needs a given type: the handle, -1 when missing,
 * or WRONG_TYPE after replying the WRONGTYPE error.
 */
export function lookupTyped(ctx: ExecContext, key: Uint8Array, type: ValueType, forWrite = false): number {
  const h = forWrite ? lookupWrite(ctx, key) : lookupRead(ctx, key);
  if (h >= 0 && ctx.db.type(h) !== type) {
    ctx.reply.error(WRONGTYPE);
    return WRONG_TYPE;
  }
  return h;
}
