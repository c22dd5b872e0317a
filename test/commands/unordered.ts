// Helpers for differential tests of commands whose replies come in hash-table
// order (SMEMBERS, HGETALL, ...): the order differs between servers by design,
// so such replies are compared with their top-level elements sorted.

import { replyEnd } from '../helpers/resp';

/** The top-level elements of an aggregate reply, as raw RESP byte strings. */
function splitAggregate(reply: Buffer): { header: Buffer; elements: Buffer[]; arity: number } | null {
  const type = String.fromCharCode(reply[0]);
  if (type !== '*' && type !== '~' && type !== '%') return null;
  const headerEnd = reply.indexOf('\r\n') + 2;
  const count = Number(reply.latin1Slice(1, headerEnd - 2));
  if (count <= 0) return null;
  const arity = type === '%' ? 2 : 1;
  const elements: Buffer[] = [];
  let at = headerEnd;
  for (let i = 0; i < count * arity; i++) {
    const end = replyEnd(reply.subarray(at));
    elements.push(reply.subarray(at, at + end));
    at += end;
  }
  return { header: reply.subarray(0, headerEnd), elements, arity };
}

/**
 * The reply with its top-level elements sorted; `group` elements stay
 * together (2 for the flat field/value arrays of RESP2 HGETALL).
 */
export function sortedReply(reply: Buffer, group = 1): Buffer {
  const split = splitAggregate(reply);
  if (split === null) return reply;
  const size = Math.max(group, split.arity);
  const groups: Buffer[] = [];
  for (let i = 0; i < split.elements.length; i += size) groups.push(Buffer.concat(split.elements.slice(i, i + size)));
  groups.sort(Buffer.compare);
  return Buffer.concat([split.header, ...groups]);
}

// streams.test.ts still imports runKeys from here; the shard helpers live in ../helpers/shards.
export { runKeys } from '../helpers/shards';
