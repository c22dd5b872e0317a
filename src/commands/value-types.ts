// What the generic key commands (TYPE, SCAN TYPE, OBJECT ENCODING, COPY and
// cross-shard RENAME/COPY) need to know about each value type.
//
// Extension point: every type family registers its ValueTypeOps once, at
// module load (e.g. `registerValueType(ValueType.List, listOps)` in lists.ts).
// Only String is registered here; the generic commands never look at a
// value's representation themselves.

import type { Keyspace } from '../store/keyspace';
import { ValueType } from '../store/types';
import { parseSafeIntegerAt } from '../util/number';

export interface ValueTypeOps {
  /** OBJECT ENCODING name of the value at handle h ('listpack', 'hashtable', ...). */
  encoding(db: Keyspace, h: number): string;
  /**
   * The value at handle h as self-contained bytes (never a view of the store),
   * to copy it (COPY) or carry it to another shard (RENAME/COPY across shards).
   */
  serialize(db: Keyspace, h: number): Buffer;
  /**
   * Stores a serialize() payload as key's value, replacing whatever key held, with expireAt (or NO_EXPIRE).
   * The payload may be a view of a transient buffer: copy what is kept.
   */
  restore(db: Keyspace, key: Uint8Array, payload: Buffer, expireAt: number): void;
  /**
   * Sets only: calls visit(member) for each member (views valid during the call), for
   * commands of other families that read sets, as ZUNIONSTORE reads them as zsets.
   */
  forEachMember?(db: Keyspace, h: number, visit: (member: Uint8Array) => void): void;
}

/** TYPE reply per ValueType (also what SCAN TYPE compares with). */
export const TYPE_NAMES: readonly string[] = ['string', 'list', 'set', 'zset', 'hash', 'stream'];

const registered: Array<ValueTypeOps | undefined> = [];

export function registerValueType(type: ValueType, ops: ValueTypeOps): void {
  if (registered[type] !== undefined) throw new Error(`value type ${TYPE_NAMES[type]} registered twice`);
  registered[type] = ops;
}

export function valueTypeOps(type: ValueType): ValueTypeOps {
  const ops = registered[type];
  if (ops === undefined) throw new Error(`value type ${TYPE_NAMES[type]} has no ValueTypeOps registered`);
  return ops;
}

/** Redis OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_SIZE_LIMIT = 44;
/** Longest string Redis tries to encode as an integer. */
const INT_ENCODING_MAX_LENGTH = 20;

/**
 * Strings are stored as plain bytes; their encoding is the one Redis's
 * tryObjectEncoding picks for a value written by SET: "int" for a canonical
 * integer in long range, "embstr" up to 44 bytes, "raw" beyond.
 */
function stringEncoding(value: Uint8Array): string {
  if (value.length <= INT_ENCODING_MAX_LENGTH && !Number.isNaN(parseSafeIntegerAt(value, 0, value.length))) return 'int';
  return value.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
}

registerValueType(ValueType.String, {
  encoding: (db, h) => stringEncoding(db.stringValue(h)),
  serialize: (db, h) => Buffer.from(db.stringValue(h)),
  restore: (db, key, payload, expireAt) => db.setString(key, payload, expireAt),
});

/** True when a string value is one of Redis's shared integers (0..9999), which OBJECT REFCOUNT reports as INT_MAX. */
export function isSharedInteger(value: Uint8Array): boolean {
  if (value.length > 4) return false;
  const n = parseSafeIntegerAt(value, 0, value.length);
  return n >= 0 && n < 10000;
}

// A transfer record carries one key's value between shards: [u8 type][f64 expireAt][payload].
const TRANSFER_HEADER = 9;

/** The value and TTL of entry h as one self-contained record. */
export function packEntry(db: Keyspace, h: number): Buffer {
  const type = db.type(h);
  const payload = valueTypeOps(type).serialize(db, h);
  const record = Buffer.allocUnsafe(TRANSFER_HEADER + payload.length);
  record[0] = type;
  record.writeDoubleLE(db.expireAt(h), 1);
  payload.copy(record, TRANSFER_HEADER);
  return record;
}

/** Stores a packEntry() record under key (replacing what key held), with the record's TTL. */
export function unpackEntry(db: Keyspace, key: Uint8Array, record: Buffer): void {
  const type = record[0] as ValueType;
  valueTypeOps(type).restore(db, key, record.subarray(TRANSFER_HEADER), record.readDoubleLE(1));
}
