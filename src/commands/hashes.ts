// Hash commands (Redis t_hash.c).
//
// A hash is a Listpack of field, value, field, value... ("listpack" encoding)
// while it has at most hash-max-listpack-entries fields and every field and
// value is at most hash-max-listpack-value bytes; past that it becomes a
// ByteMap ("hashtable"), and stays one, as in Redis. The listpack form is
// stored packed in the key's record (Keyspace.setPacked): ctx.db.objectValue()
// hands out a Listpack view of it, made afresh for each command.

import { command, type ExecContext } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { ByteMap } from '../store/bytemap';
import type { Keyspace } from '../store/keyspace';
import { Listpack } from '../store/listpack';
import { NO_EXPIRE, ValueType } from '../store/types';
import { config } from '../config';
import { parseInteger } from '../util/number';
import { LONG_DOUBLE_ZERO, addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../util/long-double';
import { parseRandomCount, pickDistinct, removeElements, replyScanPage } from './collection-common';
import { parseElementScanOptions, elementScan, scanMatches } from './element-scan';
import { INVALID_CURSOR, NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, OVERFLOW, SYNTAX, WRONG_ARITY } from './errors';
import { parseScanCursor } from './keys';
import { WRONG_TYPE, lookupTyped } from './lookup';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { isKeyword } from '../util/keyword';
import { registerValueType } from './value-types';

/** A hash value: field/value pairs in a Listpack, or a ByteMap. */
export type HashValue = Listpack | ByteMap;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const HALF_LONG = INT64_MAX / 2n;
const NO_ENTRIES = Buffer.alloc(0);

// ---- the hash type ---------------------------------------------------------------

export function hashLength(hash: HashValue): number {
  return hash instanceof Listpack ? hash.count >>> 1 : hash.size;
}

/** Listpack position of field's value, or -1. */
function listpackValueOf(lp: Listpack, field: Uint8Array): number {
  const p = lp.find(field, 0, 1);
  return p < 0 ? -1 : lp.next(p);
}

/** The value of field (a view valid until the next write), or null. */
export function hashGet(hash: HashValue, field: Uint8Array): Buffer | null {
  if (hash instanceof Listpack) {
    const p = listpackValueOf(hash, field);
    return p < 0 ? null : hash.get(p);
  }
  const slot = hash.find(field);
  return slot < 0 ? null : hash.valueAt(slot);
}

function fitsListpack(field: Uint8Array, value: Uint8Array): boolean {
  const max = config.numeric('hash-max-listpack-value');
  return field.length <= max && value.length <= max;
}

/**
 * Converts key's listpack hash `lp` (a view) to a ByteMap and stores it in its
 * place, keeping the TTL; the keyspace frees the listpack, so `lp` is dead afterwards.
 */
function convertToByteMap(db: Keyspace, key: Uint8Array, lp: Listpack, now: number): ByteMap {
  const map = new ByteMap(true, lp.count >>> 1);
  for (let p = lp.first(); p >= 0; ) {
    const v = lp.next(p);
    map.set(lp.get(p), lp.get(v));
    p = lp.next(v);
  }
  db.setObject(key, ValueType.Hash, map, db.expireAt(db.find(key, now)));
  return map;
}

/** Whether the last hashSet() created its field. */
const setResult = { created: false };

/**
 * Sets field to value in key's hash, converting it when it outgrows the
 * listpack form; returns the hash object now stored under key.
 */
function hashSet(ctx: ExecContext, key: Uint8Array, hash: HashValue, field: Uint8Array, value: Uint8Array): HashValue {
  if (hash instanceof Listpack && !fitsListpack(field, value)) hash = convertToByteMap(ctx.db, key, hash, ctx.now);
  if (hash instanceof ByteMap) {
    setResult.created = hash.set(field, value);
    return hash;
  }
  const p = listpackValueOf(hash, field);
  if (p >= 0) {
    hash.replace(p, value);
    setResult.created = false;
    return hash;
  }
  hash.append(field);
  hash.append(value);
  setResult.created = true;
  if (hash.count >>> 1 > config.numeric('hash-max-listpack-entries')) return convertToByteMap(ctx.db, key, hash, ctx.now);
  return hash;
}

/** Deletes field; true if it was there. */
function hashDelete(hash: HashValue, field: Uint8Array): boolean {
  if (hash instanceof ByteMap) return hash.delete(field);
  const p = hash.find(field, 0, 1);
  if (p < 0) return false;
  hash.delete(p, 2);
  return true;
}

/** The hash at key for writing, created empty when missing; null after replying WRONGTYPE. */
function hashForWrite(ctx: ExecContext, key: Uint8Array): HashValue | null {
  const h = lookupTyped(ctx, key, ValueType.Hash, true);
  if (h === WRONG_TYPE) return null;
  return ctx.db.objectValue<HashValue>(h >= 0 ? h : ctx.db.setPacked(key, ValueType.Hash, NO_ENTRIES, 0, NO_EXPIRE));
}

/** The hash at key for reading: the object, undefined when missing, null after replying WRONGTYPE. */
function hashForRead(ctx: ExecContext, key: Uint8Array): HashValue | undefined | null {
  const h = lookupTyped(ctx, key, ValueType.Hash);
  if (h === WRONG_TYPE) return null;
  return h < 0 ? undefined : ctx.db.objectValue<HashValue>(h);
}

const HASH_LISTPACK = 0;
const HASH_TABLE = 1;

registerValueType(ValueType.Hash, {
  encoding: (db, h) => (db.isPacked(h) ? 'listpack' : 'hashtable'),
  // [u8 form][u32 listpack entry count][entries] or [u8 form][ByteMap records].
  serialize: (db, h) => {
    const hash = db.objectValue<HashValue>(h);
    if (hash instanceof ByteMap) return Buffer.concat([Buffer.of(HASH_TABLE), hash.serialize()]);
    const header = Buffer.allocUnsafe(5);
    header[0] = HASH_LISTPACK;
    header.writeUInt32LE(hash.count, 1);
    return Buffer.concat([header, hash.serialize()]);
  },
  restore: (db, key, payload, expireAt) => {
    if (payload[0] === HASH_TABLE) db.setObject(key, ValueType.Hash, ByteMap.fromSerialized(payload.subarray(1), true), expireAt);
    else db.setPacked(key, ValueType.Hash, payload.subarray(5), payload.readUInt32LE(1), expireAt);
  },
});

// ---- commands -------------------------------------------------------------------

function hset(ctx: ExecContext, argv: Buffer[], name: 'hset' | 'hmset'): void {
  if (argv.length % 2 === 1) {
    ctx.reply.error(WRONG_ARITY(name));
    return;
  }
  const key = argv[1];
  let hash = hashForWrite(ctx, key);
  if (hash === null) return;
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    hash = hashSet(ctx, key, hash, argv[i], argv[i + 1]);
    if (setResult.created) created++;
  }
  notifyKeyspaceEvent(ctx, EventClass.Hash, 'hset', key);
  if (name === 'hset') ctx.reply.int(created);
  else ctx.reply.ok();
}

function hsetnx(ctx: ExecContext, argv: Buffer[]): void {
  const hash = hashForWrite(ctx, argv[1]);
  if (hash === null) return;
  if (hashGet(hash, argv[2]) !== null) {
    ctx.reply.int(0);
    return;
  }
  hashSet(ctx, argv[1], hash, argv[2], argv[3]);
  notifyKeyspaceEvent(ctx, EventClass.Hash, 'hset', argv[1]);
  ctx.reply.int(1);
}

function hget(ctx: ExecContext, argv: Buffer[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  const value = hash === undefined ? null : hashGet(hash, argv[2]);
  if (value === null) ctx.reply.nil();
  else ctx.reply.bulk(value);
}

function hmget(ctx: ExecContext, argv: Buffer[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const value = hash === undefined ? null : hashGet(hash, argv[i]);
    if (value === null) ctx.reply.nil();
    else ctx.reply.bulk(value);
  }
}

function hdel(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.Hash, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    ctx.reply.int(0);
    return;
  }
  removeElements(ctx, argv, ctx.db.objectValue<HashValue>(h), hashDelete, hashLength, EventClass.Hash, 'hdel');
}

function hlen(ctx: ExecContext, argv: Buffer[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash !== null) ctx.reply.int(hash === undefined ? 0 : hashLength(hash));
}

function hstrlen(ctx: ExecContext, argv: Buffer[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  if (hash === undefined) {
    ctx.reply.int(0);
  } else if (hash instanceof Listpack) {
    const p = listpackValueOf(hash, argv[2]);
    ctx.reply.int(p < 0 ? 0 : hash.valueLength(p));
  } else {
    const slot = hash.find(argv[2]);
    ctx.reply.int(slot < 0 ? 0 : hash.valueLength(slot));
  }
}

function hexists(ctx: ExecContext, argv: Buffer[]): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash !== null) ctx.reply.int(hash !== undefined && hashGet(hash, argv[2]) !== null ? 1 : 0);
}

const FIELDS = 1;
const VALUES = 2;

/** HGETALL / HKEYS / HVALS: `what` is FIELDS, VALUES or both. */
function hgetall(ctx: ExecContext, argv: Buffer[], what: number): void {
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  const reply = ctx.reply;
  const n = hash === undefined ? 0 : hashLength(hash);
  if (what === (FIELDS | VALUES)) reply.map(n);
  else reply.array(n);
  if (hash === undefined) return;
  if (hash instanceof Listpack) {
    for (let p = hash.first(); p >= 0; p = hash.next(p)) {
      if (what & FIELDS) replyListpackEntry(reply, hash, p);
      p = hash.next(p);
      if (what & VALUES) replyListpackEntry(reply, hash, p);
    }
  } else {
    for (let s = hash.nextSlot(0); s >= 0; s = hash.nextSlot(s + 1)) {
      if (what & FIELDS) reply.bulk(hash.keyAt(s));
      if (what & VALUES) reply.bulk(hash.valueAt(s));
    }
  }
}

/** A listpack entry as a bulk reply, copied straight from the listpack's block. */
function replyListpackEntry(reply: ReplyWriter, lp: Listpack, p: number): void {
  const at = lp.stringOffset(p);
  if (at < 0) reply.bulk(lp.get(p));
  else reply.bulkSlice(lp.bytes(), at, at + lp.valueLength(p));
}

function hincrby(ctx: ExecContext, argv: Buffer[]): void {
  const increment = parseInteger(argv[3]);
  if (increment === null) {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  const hash = hashForWrite(ctx, argv[1]);
  if (hash === null) return;
  const current = hashGet(hash, argv[2]);
  let value = 0n;
  if (current !== null) {
    const parsed = parseInteger(current);
    if (parsed === null) {
      ctx.reply.error('ERR hash value is not an integer');
      return;
    }
    value = parsed;
  }
  const sum = value + increment;
  if (sum < INT64_MIN || sum > INT64_MAX) {
    ctx.reply.error(OVERFLOW);
    return;
  }
  hashSet(ctx, argv[1], hash, argv[2], Buffer.from(sum.toString(), 'latin1'));
  notifyKeyspaceEvent(ctx, EventClass.Hash, 'hincrby', argv[1]);
  ctx.reply.int(sum);
}

function hincrbyfloat(ctx: ExecContext, argv: Buffer[]): void {
  const increment = parseLongDouble(argv[3]);
  if (increment === null) {
    ctx.reply.error(NOT_FLOAT);
    return;
  }
  if (typeof increment === 'number') {
    ctx.reply.error('ERR value is NaN or Infinity');
    return;
  }
  const hash = hashForWrite(ctx, argv[1]);
  if (hash === null) return;
  const current = hashGet(hash, argv[2]);
  const value = current === null ? LONG_DOUBLE_ZERO : parseLongDouble(current);
  if (value === null) {
    ctx.reply.error('ERR hash value is not a float');
    return;
  }
  const sum = addLongDouble(value, increment);
  if (sum === null) {
    ctx.reply.error(NAN_OR_INFINITY);
    return;
  }
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  hashSet(ctx, argv[1], hash, argv[2], text);
  notifyKeyspaceEvent(ctx, EventClass.Hash, 'hincrbyfloat', argv[1]);
  ctx.reply.bulk(text);
}

// ---- HRANDFIELD --------------------------------------------------------------------

/** Writes one field (and its value) of a random pick; nested [field, value] in RESP3. */
function replyPair(reply: ReplyWriter, field: Uint8Array, value: Uint8Array | null): void {
  if (value === null) {
    reply.bulk(field);
    return;
  }
  if (reply.proto === 3) reply.array(2);
  reply.bulk(field);
  reply.bulk(value);
}

/** Field and value of the i-th entry (listpack pair index, or ByteMap slot). */
function replyEntry(reply: ReplyWriter, hash: HashValue, entry: number, withValues: boolean): void {
  if (hash instanceof Listpack) {
    const p = hash.seek(entry * 2);
    replyPair(reply, hash.get(p), withValues ? hash.get(hash.next(p)) : null);
  } else {
    replyPair(reply, hash.keyAt(entry), withValues ? hash.valueAt(entry) : null);
  }
}

/** Entries of the hash: listpack pair indexes or ByteMap slots. */
function entriesOf(hash: HashValue): number[] {
  const entries: number[] = [];
  if (hash instanceof Listpack) {
    for (let i = 0; i < hash.count >>> 1; i++) entries.push(i);
  } else {
    for (let s = hash.nextSlot(0); s >= 0; s = hash.nextSlot(s + 1)) entries.push(s);
  }
  return entries;
}

function randomEntry(hash: HashValue): number {
  return hash instanceof Listpack ? Math.floor(Math.random() * (hash.count >>> 1)) : hash.randomSlot();
}

function hrandfield(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  if (argv.length === 2) {
    const hash = hashForRead(ctx, argv[1]);
    if (hash === null) return;
    if (hash === undefined) reply.nil();
    else replyEntry(reply, hash, randomEntry(hash), false);
    return;
  }
  const parsed = parseRandomCount(reply, argv[2]);
  if (parsed === null) return;
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], 'WITHVALUES'))) {
    reply.error(SYNTAX);
    return;
  }
  const withValues = argv.length === 4;
  if (withValues && (parsed < -HALF_LONG || parsed > HALF_LONG)) {
    reply.error('ERR value is out of range');
    return;
  }
  // Beyond 2^53 a count is as good as unlimited.
  const l = Number(parsed);
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  if (hash === undefined || l === 0) {
    reply.array(0);
    return;
  }
  const size = hashLength(hash);
  const pairs = withValues && reply.proto === 2 ? 2 : 1;
  if (l < 0 || l === 1) {
    const count = Math.abs(l);
    reply.array(count * pairs);
    for (let i = 0; i < count; i++) replyEntry(reply, hash, randomEntry(hash), withValues);
    return;
  }
  const count = Math.min(l, size);
  reply.array(count * pairs);
  const entries = entriesOf(hash);
  pickDistinct(entries, count);
  for (let i = 0; i < count; i++) replyEntry(reply, hash, entries[i], withValues);
}

// ---- HSCAN -------------------------------------------------------------------------

const scanSlots: number[] = [];

function hscan(ctx: ExecContext, argv: Buffer[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    ctx.reply.error(INVALID_CURSOR);
    return;
  }
  const reply = ctx.reply;
  const hash = hashForRead(ctx, argv[1]);
  if (hash === null) return;
  if (hash === undefined) {
    replyScanPage(reply, 0, []);
    return;
  }
  if (!parseElementScanOptions(argv, reply)) return;
  const found: Buffer[] = [];
  let next = 0;
  if (hash instanceof Listpack) {
    for (let p = hash.first(); p >= 0; p = hash.next(p)) {
      const field = hash.get(p);
      p = hash.next(p);
      if (scanMatches(field)) found.push(field, hash.get(p));
    }
  } else {
    scanSlots.length = 0;
    next = hash.scan(Number(cursor & 0xffffffffn), elementScan.count, scanSlots);
    for (const s of scanSlots) {
      const field = hash.keyAt(s);
      if (scanMatches(field)) found.push(field, hash.valueAt(s));
    }
  }
  replyScanPage(reply, next, found);
}

// ---- declarations -------------------------------------------------------------------

const WRITE_FAST = ['write', 'hash', 'fast'];
const READ_FAST = ['read', 'hash', 'fast'];
const READ_SLOW = ['read', 'hash', 'slow'];
const KEY1 = [1, 1, 1] as const;
const spec = (flags: Array<'RO' | 'RW' | 'access' | 'update' | 'insert' | 'delete'>) =>
  [{ flags, begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }];
const RO = spec(['RO']);
const RW_ACCESS_UPDATE = spec(['RW', 'access', 'update']);
const SCAN_COMPLEXITY = 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..';

export const hashCommands = [
  command({
    name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'hash', summary: 'Set the string value of a hash field', since: '2.0.0',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    handler: (ctx, argv) => hset(ctx, argv, 'hset'),
  }),
  command({
    name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'hash', summary: 'Set the value of a hash field, only if the field does not exist', since: '2.0.0', complexity: 'O(1)',
    keySpecs: spec(['RW', 'insert']), handler: hsetnx,
  }),
  command({ name: 'hget', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'hash', summary: 'Get the value of a hash field', since: '2.0.0', complexity: 'O(1)', handler: hget }),
  command({ name: 'hmget', arity: -3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'hash', summary: 'Get the values of all the given hash fields', since: '2.0.0', complexity: 'O(N) where N is the number of fields being requested.', handler: hmget }),
  command({
    name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'hash', summary: 'Set multiple hash fields to multiple values', since: '2.0.0', complexity: 'O(N) where N is the number of fields being set.',
    handler: (ctx, argv) => hset(ctx, argv, 'hmset'),
  }),
  command({
    name: 'hgetall', arity: 2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'hash', summary: 'Get all the fields and values in a hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.',
    tips: ['nondeterministic_output_order'], handler: (ctx, argv) => hgetall(ctx, argv, FIELDS | VALUES),
  }),
  command({ name: 'hdel', arity: -3, flags: ['write', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'hash', summary: 'Delete one or more hash fields', since: '2.0.0', complexity: 'O(N) where N is the number of fields to be removed.', keySpecs: spec(['RW', 'delete']), handler: hdel }),
  command({ name: 'hlen', arity: 2, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'hash', summary: 'Get the number of fields in a hash', since: '2.0.0', complexity: 'O(1)', keySpecs: RO, handler: hlen }),
  command({ name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'hash', summary: 'Get the length of the value of a hash field', since: '3.2.0', complexity: 'O(1)', keySpecs: RO, handler: hstrlen }),
  command({ name: 'hexists', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'hash', summary: 'Determine if a hash field exists', since: '2.0.0', complexity: 'O(1)', keySpecs: RO, handler: hexists }),
  command({
    name: 'hkeys', arity: 2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'hash', summary: 'Get all the fields in a hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.',
    tips: ['nondeterministic_output_order'], handler: (ctx, argv) => hgetall(ctx, argv, FIELDS),
  }),
  command({
    name: 'hvals', arity: 2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'hash', summary: 'Get all the values in a hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.',
    tips: ['nondeterministic_output_order'], handler: (ctx, argv) => hgetall(ctx, argv, VALUES),
  }),
  command({
    name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'hash', summary: 'Increment the integer value of a hash field by the given number', since: '2.0.0', complexity: 'O(1)',
    keySpecs: RW_ACCESS_UPDATE, handler: hincrby,
  }),
  command({
    name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'hash', summary: 'Increment the float value of a hash field by the given amount', since: '2.6.0', complexity: 'O(1)',
    keySpecs: RW_ACCESS_UPDATE, handler: hincrbyfloat,
  }),
  command({
    name: 'hrandfield', arity: -2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'hash', summary: 'Get one or multiple random fields from a hash', since: '6.2.0', complexity: 'O(N) where N is the number of fields returned',
    tips: ['nondeterministic_output'], handler: hrandfield,
  }),
  command({
    name: 'hscan', arity: -3, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'hash', summary: 'Incrementally iterate hash fields and associated values', since: '2.8.0', complexity: SCAN_COMPLEXITY,
    tips: ['nondeterministic_output'], handler: hscan,
  }),
];
