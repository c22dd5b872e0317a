// Arguments shared by the blocking commands (BLPOP, BZPOPMIN, BLMOVE, ...).

import type { ShardTx } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { parseFloat64 } from '../util/number';

const TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
const TIMEOUT_NEGATIVE = 'ERR timeout is negative';
/** Longest timer Node can arm; longer blocking timeouts wait this long. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Redis getTimeoutFromObjectOrReply in seconds: the timeout in ms (0 = forever), or -1
 * after replying the error.
 */
export function parseBlockTimeout(reply: ReplyWriter, arg: Buffer): number {
  const seconds = parseFloat64(arg);
  if (seconds === null) {
    reply.error(TIMEOUT_NOT_FLOAT);
    return -1;
  }
  const ms = Math.ceil(seconds * 1000);
  // Redis converts to long long: infinities and overflows become LLONG_MIN.
  if (!(ms >= 0) || ms >= 2 ** 63) {
    reply.error(TIMEOUT_NEGATIVE);
    return -1;
  }
  return Math.min(ms, MAX_TIMER_MS);
}

/**
 * A blocking command's multi-shard form found no data: block the client on its keys across
 * shards, or reply the timeout's null array at once where it can't block (inside EXEC).
 */
export async function blockAcross(tx: ShardTx, reply: ReplyWriter, keys: Buffer[], timeoutMs: number): Promise<void> {
  if (tx.canBlock) await tx.blockOn(keys, timeoutMs);
  else reply.nilArray();
}

/** Error of a blocking command whose keys span shards and that found no data (streams: not yet blocking). */
export function crossShardBlockError(cmd: string): string {
  return `ERR ${cmd} would block on keys of different shards, which is not supported yet (use {hash tags} with --threads > 1)`;
}
