// Shapes shared by the hash and set families: removing elements (HDEL, SREM),
// the count argument of HRANDFIELD/SRANDMEMBER, picking distinct random
// entries, and the [cursor, elements] reply of HSCAN/SSCAN.

import type { ExecContext } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { parseInteger } from '../util/number';
import { NOT_INTEGER } from './errors';

const INT64_MIN = -(1n << 63n);
const LONG_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

/**
 * HDEL/SREM: removes argv[2..] from `value`, the object at argv[1], deleting
 * the key once it is empty, and replies how many were removed. `remove` and
 * `size` are the family's element functions; `event` is notified when
 * anything was removed.
 */
export function removeElements<T>(
  ctx: ExecContext,
  argv: Buffer[],
  value: T,
  remove: (value: T, element: Buffer) => boolean,
  size: (value: T) => number,
  eventClass: EventClass,
  event: string,
): void {
  let removed = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (remove(value, argv[i])) {
      removed++;
      if (size(value) === 0) {
        ctx.db.delete(argv[1]);
        keyRemoved = true;
        break;
      }
    }
  }
  if (removed > 0) notifyKeyspaceEvent(ctx, eventClass, event, argv[1]);
  if (keyRemoved) notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[1]);
  ctx.reply.int(removed);
}

/** The count of HRANDFIELD/SRANDMEMBER, or null after replying the error (Redis refuses LLONG_MIN: it has no absolute value). */
export function parseRandomCount(reply: ReplyWriter, arg: Buffer): bigint | null {
  const parsed = parseInteger(arg);
  if (parsed === null) {
    reply.error(NOT_INTEGER);
    return null;
  }
  if (parsed === INT64_MIN) {
    reply.error(LONG_RANGE);
    return null;
  }
  return parsed;
}

/** Moves `count` distinct random entries to entries[0..count) by a partial Fisher-Yates shuffle. */
export function pickDistinct(entries: number[], count: number): void {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (entries.length - i));
    const picked = entries[j];
    entries[j] = entries[i];
    entries[i] = picked;
  }
}

/** A scan reply: the next cursor, then the elements found. */
export function replyScanPage(reply: ReplyWriter, next: number, found: readonly Buffer[]): void {
  reply.array(2);
  reply.bulkString(String(next));
  reply.array(found.length);
  for (const element of found) reply.bulk(element);
}
