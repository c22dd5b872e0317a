// Set commands (Redis t_set.c).
//
// As in Redis 7.0, a set is an IntSet ("intset") while every member is a
// canonical integer and it has at most set-max-intset-entries members, and
// a keys-only ByteMap ("hashtable") otherwise; SPOP may rebuild a set, which
// can make it an intset again.
//
// Multi-key commands whose keys live on several shards run as coordinators:
// they fetch each source set with _sets-fetch (its serialized form), compute
// with the same functions the single-shard handlers use, and store results
// with _sets-store, all while every shard is frozen.

import { command, type ExecContext, type KeySpec, type ShardTx } from '../dispatch/command';
import { bulkOf, integerOf, isError } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import { ByteMap } from '../store/bytemap';
import { IntSet, memberInteger } from '../store/intset';
import type { Keyspace } from '../store/keyspace';
import { NO_EXPIRE, ValueType } from '../store/types';
import { config } from '../config';
import { parseInteger } from '../util/number';
import { parseRandomCount, pickDistinct, removeElements, replyScanPage } from './collection-common';
import { elementScan, parseElementScanOptions, scanMatches } from './element-scan';
import { INVALID_CURSOR, SYNTAX, WRONGTYPE } from './errors';
import { parseScanCursor } from './keys';
import { WRONG_TYPE, lookupRead, lookupTyped, lookupWrite } from './lookup';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { isKeyword } from '../util/keyword';
import { registerValueType } from './value-types';

export type SetValue = IntSet | ByteMap;

const NOT_POSITIVE = 'ERR value is out of range, must be positive';
/** Redis caps set-max-intset-entries at 2^30. */
const INTSET_HARD_LIMIT = 2 ** 30;
/** SPOP rebuilds the set when it keeps less than 1/5 of what it pops (Redis SPOP_MOVE_STRATEGY_MUL). */
const SPOP_MOVE_STRATEGY_MUL = 5;

// ---- the set type -----------------------------------------------------------------

export function setSize(set: SetValue): number {
  return set instanceof IntSet ? set.count : set.size;
}

export function setHas(set: SetValue, member: Uint8Array): boolean {
  if (set instanceof ByteMap) return set.has(member);
  const v = memberInteger(member);
  return v !== null && set.has(v);
}

/** An empty set of the encoding Redis creates for a first member (setTypeCreate). */
function createSetFor(member: Uint8Array): SetValue {
  return memberInteger(member) !== null ? new IntSet() : new ByteMap(false);
}

function toByteMap(set: IntSet): ByteMap {
  const map = new ByteMap(false, set.count + 1);
  for (let i = 0; i < set.count; i++) map.add(Buffer.from(String(set.get(i)), 'latin1'));
  return map;
}

/** Whether the last addMember() added its member. */
const addResult = { added: false };

/** Adds member, converting the set when needed; returns the set object to keep using. */
function addMember(set: SetValue, member: Uint8Array): SetValue {
  if (set instanceof ByteMap) {
    addResult.added = set.add(member);
    return set;
  }
  const v = memberInteger(member);
  if (v === null) {
    const map = toByteMap(set);
    addResult.added = map.add(member);
    return map;
  }
  addResult.added = set.add(v);
  if (addResult.added && set.count > Math.min(config.numeric('set-max-intset-entries'), INTSET_HARD_LIMIT)) return toByteMap(set);
  return set;
}

function removeMember(set: SetValue, member: Uint8Array): boolean {
  if (set instanceof ByteMap) return set.delete(member);
  const v = memberInteger(member);
  return v !== null && set.remove(v);
}

/** Every member as bytes (copies). */
function membersOf(set: SetValue): Buffer[] {
  const members: Buffer[] = [];
  if (set instanceof IntSet) {
    for (let i = 0; i < set.count; i++) members.push(Buffer.from(String(set.get(i)), 'latin1'));
  } else {
    for (let s = set.nextSlot(0); s >= 0; s = set.nextSlot(s + 1)) members.push(Buffer.from(set.keyAt(s)));
  }
  return members;
}

/** Member at an entry: an IntSet index or a ByteMap slot. */
function memberAt(set: SetValue, entry: number): Buffer {
  return set instanceof IntSet ? Buffer.from(String(set.get(entry)), 'latin1') : set.keyAt(entry);
}

function randomEntry(set: SetValue): number {
  return set instanceof IntSet ? set.randomIndex() : set.randomSlot();
}

function removeEntry(set: SetValue, entry: number): void {
  if (set instanceof IntSet) set.removeAt(entry);
  else set.deleteAt(entry);
}

function entriesOf(set: SetValue): number[] {
  const entries: number[] = [];
  if (set instanceof IntSet) for (let i = 0; i < set.count; i++) entries.push(i);
  else for (let s = set.nextSlot(0); s >= 0; s = set.nextSlot(s + 1)) entries.push(s);
  return entries;
}

function replyMembers(reply: ReplyWriter, set: SetValue): void {
  reply.set(setSize(set));
  if (set instanceof IntSet) {
    for (let i = 0; i < set.count; i++) reply.bulkString(String(set.get(i)));
  } else {
    for (let s = set.nextSlot(0); s >= 0; s = set.nextSlot(s + 1)) reply.bulk(set.keyAt(s));
  }
}

const SET_INTSET = 0;
const SET_TABLE = 1;

function serializeSet(set: SetValue): Buffer {
  const body = set.serialize();
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = set instanceof IntSet ? SET_INTSET : SET_TABLE;
  body.copy(out, 1);
  return out;
}

function deserializeSet(payload: Buffer): SetValue {
  return payload[0] === SET_INTSET ? IntSet.fromSerialized(payload.subarray(1)) : ByteMap.fromSerialized(payload.subarray(1), false);
}

registerValueType(ValueType.Set, {
  encoding: (db, h) => (db.objectValue<SetValue>(h) instanceof IntSet ? 'intset' : 'hashtable'),
  serialize: (db, h) => serializeSet(db.objectValue<SetValue>(h)),
  restore: (db, key, payload, expireAt) => db.setObject(key, ValueType.Set, deserializeSet(payload), expireAt),
  forEachMember: (db, h, visit) => {
    const set = db.objectValue<SetValue>(h);
    for (const entry of entriesOf(set)) visit(memberAt(set, entry));
  },
});

/** Stores a set object under key, keeping the key's TTL (after a conversion or rebuild). */
function replaceSet(db: Keyspace, key: Uint8Array, set: SetValue, now: number): void {
  db.setObject(key, ValueType.Set, set, db.expireAt(db.find(key, now)));
}

/** The set at key: the object, undefined when missing, null after replying WRONGTYPE. */
function setForRead(ctx: ExecContext, key: Uint8Array): SetValue | undefined | null {
  const h = lookupTyped(ctx, key, ValueType.Set);
  if (h === WRONG_TYPE) return null;
  return h < 0 ? undefined : ctx.db.objectValue<SetValue>(h);
}

function setForWrite(ctx: ExecContext, key: Uint8Array): SetValue | undefined | null {
  const h = lookupTyped(ctx, key, ValueType.Set, true);
  if (h === WRONG_TYPE) return null;
  return h < 0 ? undefined : ctx.db.objectValue<SetValue>(h);
}

/** Adds members to key's set, creating it; returns how many were new. */
function addToKey(ctx: ExecContext, key: Uint8Array, set: SetValue | undefined, members: Buffer[], from: number): number {
  const db = ctx.db;
  let target = set;
  if (target === undefined) {
    target = createSetFor(members[from]);
    db.setObject(key, ValueType.Set, target, NO_EXPIRE);
  }
  const start = target;
  let added = 0;
  for (let i = from; i < members.length; i++) {
    target = addMember(target, members[i]);
    if (addResult.added) added++;
  }
  if (target !== start) replaceSet(db, key, target, ctx.now);
  return added;
}

// ---- single-key commands ------------------------------------------------------------

function sadd(ctx: ExecContext, argv: Buffer[]): void {
  const set = setForWrite(ctx, argv[1]);
  if (set === null) return;
  const added = addToKey(ctx, argv[1], set, argv, 2);
  if (added > 0) notifyKeyspaceEvent(ctx, EventClass.Set, 'sadd', argv[1]);
  ctx.reply.int(added);
}

function srem(ctx: ExecContext, argv: Buffer[]): void {
  const set = setForWrite(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.int(0);
    return;
  }
  removeElements(ctx, argv, set, removeMember, setSize, EventClass.Set, 'srem');
}

function sismember(ctx: ExecContext, argv: Buffer[]): void {
  const set = setForRead(ctx, argv[1]);
  if (set !== null) ctx.reply.int(set !== undefined && setHas(set, argv[2]) ? 1 : 0);
}

function smismember(ctx: ExecContext, argv: Buffer[]): void {
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.int(set !== undefined && setHas(set, argv[i]) ? 1 : 0);
}

function scard(ctx: ExecContext, argv: Buffer[]): void {
  const set = setForRead(ctx, argv[1]);
  if (set !== null) ctx.reply.int(set === undefined ? 0 : setSize(set));
}

function spop(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  if (argv.length > 3) {
    reply.error(SYNTAX);
    return;
  }
  if (argv.length === 3) {
    spopCount(ctx, argv);
    return;
  }
  const set = setForWrite(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) {
    reply.nil();
    return;
  }
  const entry = randomEntry(set);
  reply.bulk(memberAt(set, entry));
  removeEntry(set, entry);
  notifyKeyspaceEvent(ctx, EventClass.Set, 'spop', argv[1]);
  if (setSize(set) === 0) {
    ctx.db.delete(argv[1]);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[1]);
  }
}

function spopCount(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  const parsed = parseInteger(argv[2]);
  if (parsed === null || parsed < 0n) {
    reply.error(NOT_POSITIVE);
    return;
  }
  const set = setForWrite(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined || parsed === 0n) {
    reply.set(0);
    return;
  }
  const size = setSize(set);
  const count = Number(parsed);
  notifyKeyspaceEvent(ctx, EventClass.Set, 'spop', argv[1]);
  if (count >= size) {
    replyMembers(reply, set);
    ctx.db.delete(argv[1]);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[1]);
    return;
  }
  reply.set(count);
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const entry = randomEntry(set);
      reply.bulk(memberAt(set, entry));
      removeEntry(set, entry);
    }
    return;
  }
  // Few members stay: move those to a new set and reply what is left in the old one.
  let kept: SetValue | null = null;
  for (let i = 0; i < remaining; i++) {
    const entry = randomEntry(set);
    const member = Buffer.from(memberAt(set, entry));
    removeEntry(set, entry);
    kept = addMember(kept ?? createSetFor(member), member);
  }
  for (const member of membersOf(set)) reply.bulk(member);
  replaceSet(ctx.db, argv[1], kept!, ctx.now);
}

function srandmember(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  if (argv.length > 3) {
    reply.error(SYNTAX);
    return;
  }
  if (argv.length === 2) {
    const set = setForRead(ctx, argv[1]);
    if (set === null) return;
    if (set === undefined) reply.nil();
    else reply.bulk(memberAt(set, randomEntry(set)));
    return;
  }
  const parsed = parseRandomCount(reply, argv[2]);
  if (parsed === null) return;
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined || parsed === 0n) {
    reply.array(0);
    return;
  }
  const l = Number(parsed);
  if (l < 0 || l === 1) {
    const count = Math.abs(l);
    reply.array(count);
    for (let i = 0; i < count; i++) reply.bulk(memberAt(set, randomEntry(set)));
    return;
  }
  const size = setSize(set);
  if (l >= size) {
    reply.array(size);
    const entries = entriesOf(set);
    for (const entry of entries) reply.bulk(memberAt(set, entry));
    return;
  }
  reply.array(l);
  const entries = entriesOf(set);
  pickDistinct(entries, l);
  for (let i = 0; i < l; i++) reply.bulk(memberAt(set, entries[i]));
}

const scanSlots: number[] = [];

function sscan(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    reply.error(INVALID_CURSOR);
    return;
  }
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) {
    replyScanPage(reply, 0, []);
    return;
  }
  if (!parseElementScanOptions(argv, reply)) return;
  const found: Buffer[] = [];
  let next = 0;
  if (set instanceof IntSet) {
    for (let i = 0; i < set.count; i++) {
      const member = Buffer.from(String(set.get(i)), 'latin1');
      if (scanMatches(member)) found.push(member);
    }
  } else {
    scanSlots.length = 0;
    next = set.scan(Number(cursor & 0xffffffffn), elementScan.count, scanSlots);
    for (const s of scanSlots) {
      const member = set.keyAt(s);
      if (scanMatches(member)) found.push(member);
    }
  }
  replyScanPage(reply, next, found);
}

// ---- SMOVE ----------------------------------------------------------------------------

function smove(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  const [, source, destination, member] = argv;
  const db = ctx.db;
  const sh = lookupWrite(ctx, source);
  const dh = lookupWrite(ctx, destination);
  if (sh < 0) {
    reply.int(0);
    return;
  }
  if (db.type(sh) !== ValueType.Set || (dh >= 0 && db.type(dh) !== ValueType.Set)) {
    reply.error(WRONGTYPE);
    return;
  }
  if (source.equals(destination)) {
    reply.int(setHas(db.objectValue<SetValue>(sh), member) ? 1 : 0);
    return;
  }
  const dst = dh < 0 ? undefined : db.objectValue<SetValue>(dh);
  const src = db.objectValue<SetValue>(sh);
  if (!removeMember(src, member)) {
    reply.int(0);
    return;
  }
  notifyKeyspaceEvent(ctx, EventClass.Set, 'srem', source);
  if (setSize(src) === 0) {
    db.delete(source);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', source);
  }
  if (addToKey(ctx, destination, dst, argv, 3) > 0) notifyKeyspaceEvent(ctx, EventClass.Set, 'sadd', destination);
  reply.int(1);
}

const TYPE = Buffer.from('type');
const SREM = Buffer.from('srem');
const SADD = Buffer.from('sadd');
const SET_TYPE_REPLY = Buffer.from('+set\r\n');
const NONE_TYPE_REPLY = Buffer.from('+none\r\n');

async function smoveAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const [, source, destination, member] = argv;
  const sourceType = await tx.exec(tx.shardOf(source), [TYPE, source]);
  if (sourceType.equals(NONE_TYPE_REPLY)) {
    reply.int(0);
    return;
  }
  const destinationType = await tx.exec(tx.shardOf(destination), [TYPE, destination]);
  if (!sourceType.equals(SET_TYPE_REPLY) || !(destinationType.equals(SET_TYPE_REPLY) || destinationType.equals(NONE_TYPE_REPLY))) {
    reply.error(WRONGTYPE);
    return;
  }
  if (integerOf(await tx.exec(tx.shardOf(source), [SREM, source, member])) === 0) {
    reply.int(0);
    return;
  }
  await tx.exec(tx.shardOf(destination), [SADD, destination, member]);
  reply.int(1);
}

// ---- SINTER SUNION SDIFF and their STORE / CARD forms ---------------------------------

/** Intersection of sets (null = missing key = empty), members in the smallest set's order; stops at `limit` (0 = none). */
function intersect(sets: Array<SetValue | null>, limit: number): Buffer[] {
  const result: Buffer[] = [];
  if (sets.length === 0 || sets.some((s) => s === null)) return result;
  const ordered = (sets as SetValue[]).slice().sort((a, b) => setSize(a) - setSize(b));
  const smallest = ordered[0];
  for (const member of membersOf(smallest)) {
    let inAll = true;
    for (let j = 1; j < ordered.length && inAll; j++) if (ordered[j] !== smallest && !setHas(ordered[j], member)) inAll = false;
    if (!inAll) continue;
    result.push(member);
    if (limit > 0 && result.length >= limit) break;
  }
  return result;
}

/** A new set object holding `members` (as Redis builds a result set, starting from an intset). */
function setOf(members: Buffer[]): SetValue {
  let set: SetValue = new IntSet();
  for (const member of members) set = addMember(set, member);
  return set;
}

function union(sets: Array<SetValue | null>): SetValue {
  let result: SetValue = new IntSet();
  for (const set of sets) if (set !== null) for (const member of membersOf(set)) result = addMember(result, member);
  return result;
}

function difference(sets: Array<SetValue | null>): SetValue {
  let result: SetValue = new IntSet();
  const first = sets[0];
  if (first === null || sets.slice(1).includes(first)) return result;
  for (const member of membersOf(first)) {
    let elsewhere = false;
    for (let j = 1; j < sets.length && !elsewhere; j++) elsewhere = sets[j] !== null && setHas(sets[j]!, member);
    if (!elsewhere) result = addMember(result, member);
  }
  return result;
}

const enum SetOp { Inter, Union, Diff }

/** The result of op over sets, as a set object. */
function combine(op: SetOp, sets: Array<SetValue | null>): SetValue {
  if (op === SetOp.Inter) return setOf(intersect(sets, 0));
  return op === SetOp.Union ? union(sets) : difference(sets);
}

/** Replies the result of op over sets (SINTER/SUNION/SDIFF). */
function replyCombined(reply: ReplyWriter, op: SetOp, sets: Array<SetValue | null>): void {
  if (op !== SetOp.Inter) {
    replyMembers(reply, combine(op, sets));
    return;
  }
  const members = intersect(sets, 0);
  reply.set(members.length);
  for (const member of members) reply.bulk(member);
}

/** Looks up the source sets of a multi-key command; null after replying WRONGTYPE. */
function sourceSets(ctx: ExecContext, argv: Buffer[], from: number, to: number): Array<SetValue | null> | null {
  const sets: Array<SetValue | null> = [];
  for (let i = from; i < to; i++) {
    const h = lookupRead(ctx, argv[i]);
    if (h < 0) {
      sets.push(null);
    } else if (ctx.db.type(h) !== ValueType.Set) {
      ctx.reply.error(WRONGTYPE);
      return null;
    } else {
      sets.push(ctx.db.objectValue<SetValue>(h));
    }
  }
  return sets;
}

function setOperation(ctx: ExecContext, argv: Buffer[], op: SetOp): void {
  const sets = sourceSets(ctx, argv, 1, argv.length);
  if (sets !== null) replyCombined(ctx.reply, op, sets);
}

/** The keyspace event of each *STORE command, by SetOp; sent as an argument to _sets-store. */
const STORE_EVENTS = ['sinterstore', 'sunionstore', 'sdiffstore'].map((name) => Buffer.from(name));

/** Stores a result under destination (deleting it when empty) and replies its size. */
function storeResult(ctx: ExecContext, destination: Buffer, result: SetValue, event: Buffer): void {
  const size = setSize(result);
  if (size > 0) {
    ctx.db.setObject(destination, ValueType.Set, result, NO_EXPIRE);
    notifyKeyspaceEvent(ctx, EventClass.Set, event.latin1Slice(0, event.length), destination);
  } else if (ctx.db.delete(destination)) {
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', destination);
  }
  ctx.reply.int(size);
}

function setOperationStore(ctx: ExecContext, argv: Buffer[], op: SetOp): void {
  const sets = sourceSets(ctx, argv, 2, argv.length);
  if (sets === null) return;
  // Members are copied into the result before the destination (maybe a source) is replaced.
  storeResult(ctx, argv[1], combine(op, sets), STORE_EVENTS[op]);
}

/** SINTERCARD's numkeys and LIMIT, or null after replying the error. */
function parseIntercard(argv: Buffer[], reply: ReplyWriter): { numKeys: number; limit: number } | null {
  const numKeys = parseInteger(argv[1]);
  if (numKeys === null || numKeys < 1n) {
    reply.error('ERR numkeys should be greater than 0');
    return null;
  }
  if (numKeys > BigInt(argv.length - 2)) {
    reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  let limit = 0;
  for (let j = 2 + Number(numKeys); j < argv.length; j++) {
    if (isKeyword(argv[j], 'LIMIT') && j + 1 < argv.length) {
      const parsed = parseInteger(argv[++j]);
      if (parsed === null || parsed < 0n) {
        reply.error("ERR LIMIT can't be negative");
        return null;
      }
      limit = Number(parsed);
    } else {
      reply.error(SYNTAX);
      return null;
    }
  }
  return { numKeys: Number(numKeys), limit };
}

function sintercard(ctx: ExecContext, argv: Buffer[]): void {
  const args = parseIntercard(argv, ctx.reply);
  if (args === null) return;
  const sets = sourceSets(ctx, argv, 2, 2 + args.numKeys);
  if (sets !== null) ctx.reply.int(intersect(sets, args.limit).length);
}

function intercardKeys(argv: Buffer[]): number[] {
  const numKeys = argv.length > 1 ? parseInteger(argv[1]) : null;
  const keys: number[] = [];
  if (numKeys === null || numKeys < 1n || numKeys > BigInt(argv.length - 2)) return keys;
  for (let i = 0; i < Number(numKeys); i++) keys.push(2 + i);
  return keys;
}

// Cross-shard forms.
const FETCH = Buffer.from('_sets-fetch');
const STORE = Buffer.from('_sets-store');

/** _sets-fetch key: the set serialized, nil when missing, WRONGTYPE for another type. */
function fetchSet(ctx: ExecContext, argv: Buffer[]): void {
  const set = setForRead(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) ctx.reply.nil();
  else ctx.reply.bulk(serializeSet(set));
}

/** _sets-store key payload event: stores a serialized set (an empty payload deletes the key); replies its size. */
function storeSet(ctx: ExecContext, argv: Buffer[]): void {
  storeResult(ctx, argv[1], argv[2].length === 0 ? new IntSet() : deserializeSet(argv[2]), argv[3]);
}

/** Fetches the sets at keys from their shards, in order; null after replying the first error. */
async function fetchSets(tx: ShardTx, keys: Buffer[], reply: ReplyWriter): Promise<Array<SetValue | null> | null> {
  const replies = await Promise.all(keys.map((key) => tx.exec(tx.shardOf(key), [FETCH, key])));
  const sets: Array<SetValue | null> = [];
  for (const shardReply of replies) {
    if (isError(shardReply)) {
      reply.raw(shardReply);
      return null;
    }
    const payload = bulkOf(shardReply);
    sets.push(payload === null ? null : deserializeSet(payload));
  }
  return sets;
}

async function setOperationAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, op: SetOp): Promise<void> {
  const sets = await fetchSets(tx, argv.slice(1), reply);
  if (sets !== null) replyCombined(reply, op, sets);
}

async function setOperationStoreAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, op: SetOp): Promise<void> {
  const sets = await fetchSets(tx, argv.slice(2), reply);
  if (sets === null) return;
  const result = combine(op, sets);
  const payload = setSize(result) === 0 ? Buffer.alloc(0) : serializeSet(result);
  reply.raw(await tx.exec(tx.shardOf(argv[1]), [STORE, argv[1], payload, STORE_EVENTS[op]]));
}

async function sintercardAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const args = parseIntercard(argv, reply);
  if (args === null) return;
  const sets = await fetchSets(tx, argv.slice(2, 2 + args.numKeys), reply);
  if (sets !== null) reply.int(intersect(sets, args.limit).length);
}

// ---- declarations -------------------------------------------------------------------

const WRITE_FAST = ['write', 'set', 'fast'];
const WRITE_SLOW = ['write', 'set', 'slow'];
const READ_FAST = ['read', 'set', 'fast'];
const READ_SLOW = ['read', 'set', 'slow'];
const KEY1 = [1, 1, 1] as const;
type SpecFlags = KeySpec['flags'];
const keyAt = (index: number, flags: SpecFlags, lastkey = 0): KeySpec => ({ flags, begin: { index }, find: { lastkey, keystep: 1, limit: 0 } });
const RO = [keyAt(1, ['RO'])];
const STORE_SPECS = (destination: SpecFlags): KeySpec[] => [keyAt(1, destination), keyAt(2, ['RO', 'access'], -1)];
const SCAN_COMPLEXITY = 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..';
const INTER_COMPLEXITY = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const UNION_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.';

export const setCommands = [
  command({
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'set', summary: 'Add one or more members to a set', since: '1.0.0',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', keySpecs: [keyAt(1, ['RW', 'insert'])], handler: sadd,
  }),
  command({ name: 'srem', arity: -3, flags: ['write', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'set', summary: 'Remove one or more members from a set', since: '1.0.0', complexity: 'O(N) where N is the number of members to be removed.', keySpecs: [keyAt(1, ['RW', 'delete'])], handler: srem }),
  command({
    name: 'smembers', arity: 2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'set', summary: 'Get all the members in a set', since: '1.0.0', complexity: 'O(N) where N is the set cardinality.',
    tips: ['nondeterministic_output_order'], handler: (ctx, argv) => setOperation(ctx, argv, SetOp.Inter),
  }),
  command({ name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'set', summary: 'Determine if a given value is a member of a set', since: '1.0.0', complexity: 'O(1)', keySpecs: RO, handler: sismember }),
  command({ name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'set', summary: 'Returns the membership associated with the given elements for a set', since: '6.2.0', complexity: 'O(N) where N is the number of elements being checked for membership', handler: smismember }),
  command({ name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: 'set', summary: 'Get the number of members in a set', since: '1.0.0', complexity: 'O(1)', keySpecs: RO, handler: scard }),
  command({
    name: 'spop', arity: -2, flags: ['write', 'fast'], keys: KEY1, acl: WRITE_FAST, group: 'set', summary: 'Remove and return one or multiple random members from a set', since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', tips: ['nondeterministic_output'], keySpecs: [keyAt(1, ['RW', 'access', 'delete'])], handler: spop,
  }),
  command({
    name: 'srandmember', arity: -2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'set', summary: 'Get one or multiple random members from a set', since: '1.0.0',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', tips: ['nondeterministic_output'], handler: srandmember,
  }),
  command({
    name: 'smove', arity: 4, flags: ['write', 'fast'], keys: [1, 2, 1], acl: WRITE_FAST, group: 'set', summary: 'Move a member from one set to another', since: '1.0.0', complexity: 'O(1)',
    keySpecs: [keyAt(1, ['RW', 'access', 'delete']), keyAt(2, ['RW', 'insert'])], coordinate: smoveAcross, handler: smove,
  }),
  command({
    name: 'sinter', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: READ_SLOW, group: 'set', summary: 'Intersect multiple sets', since: '1.0.0', complexity: INTER_COMPLEXITY,
    tips: ['nondeterministic_output_order'], keySpecs: [keyAt(1, ['RO', 'access'], -1)],
    coordinate: (tx, argv, reply) => setOperationAcross(tx, argv, reply, SetOp.Inter), handler: (ctx, argv) => setOperation(ctx, argv, SetOp.Inter),
  }),
  command({
    name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], keys: [0, 0, 0], acl: READ_SLOW, group: 'set', summary: 'Intersect multiple sets and return the cardinality of the result', since: '7.0.0', complexity: INTER_COMPLEXITY,
    keySpecs: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }], route: 'keys', keyFinder: intercardKeys, coordinate: sintercardAcross, handler: sintercard,
  }),
  command({
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: WRITE_SLOW, group: 'set', summary: 'Intersect multiple sets and store the resulting set in a key', since: '1.0.0', complexity: INTER_COMPLEXITY,
    keySpecs: STORE_SPECS(['RW', 'update']), coordinate: (tx, argv, reply) => setOperationStoreAcross(tx, argv, reply, SetOp.Inter), handler: (ctx, argv) => setOperationStore(ctx, argv, SetOp.Inter),
  }),
  command({
    name: 'sunion', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: READ_SLOW, group: 'set', summary: 'Add multiple sets', since: '1.0.0', complexity: UNION_COMPLEXITY,
    tips: ['nondeterministic_output_order'], keySpecs: [keyAt(1, ['RO', 'access'], -1)],
    coordinate: (tx, argv, reply) => setOperationAcross(tx, argv, reply, SetOp.Union), handler: (ctx, argv) => setOperation(ctx, argv, SetOp.Union),
  }),
  command({
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: WRITE_SLOW, group: 'set', summary: 'Add multiple sets and store the resulting set in a key', since: '1.0.0', complexity: UNION_COMPLEXITY,
    keySpecs: STORE_SPECS(['OW', 'update']), coordinate: (tx, argv, reply) => setOperationStoreAcross(tx, argv, reply, SetOp.Union), handler: (ctx, argv) => setOperationStore(ctx, argv, SetOp.Union),
  }),
  command({
    name: 'sdiff', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: READ_SLOW, group: 'set', summary: 'Subtract multiple sets', since: '1.0.0', complexity: UNION_COMPLEXITY,
    tips: ['nondeterministic_output_order'], keySpecs: [keyAt(1, ['RO', 'access'], -1)],
    coordinate: (tx, argv, reply) => setOperationAcross(tx, argv, reply, SetOp.Diff), handler: (ctx, argv) => setOperation(ctx, argv, SetOp.Diff),
  }),
  command({
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: WRITE_SLOW, group: 'set', summary: 'Subtract multiple sets and store the resulting set in a key', since: '1.0.0', complexity: UNION_COMPLEXITY,
    keySpecs: STORE_SPECS(['OW', 'update']), coordinate: (tx, argv, reply) => setOperationStoreAcross(tx, argv, reply, SetOp.Diff), handler: (ctx, argv) => setOperationStore(ctx, argv, SetOp.Diff),
  }),
  command({
    name: 'sscan', arity: -3, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: 'set', summary: 'Incrementally iterate Set elements', since: '2.8.0', complexity: SCAN_COMPLEXITY,
    tips: ['nondeterministic_output'], handler: sscan,
  }),
  // Shard-side steps of the multi-shard coordinators above.
  command({ name: '_sets-fetch', arity: 2, flags: ['readonly'], keys: KEY1, acl: [], group: 'set', summary: 'A set, serialized', since: '7.0.0', internal: true, handler: fetchSet }),
  command({ name: '_sets-store', arity: 4, flags: ['write', 'denyoom'], keys: KEY1, acl: [], group: 'set', summary: 'Store a serialized set', since: '7.0.0', internal: true, handler: storeSet }),
];
