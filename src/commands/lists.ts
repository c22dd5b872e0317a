// List commands (Redis t_list.c), over store/quicklist.ts.
//
// On a multi-shard server, commands whose keys span shards run as
// coordinators made of this family's own single-key commands (TYPE, LPOP,
// RPUSH, LMPOP with one key...), so each algorithm lives in one handler.
// Blocking commands whose keys span shards only make their non-blocking
// attempt there: blocking across shards is not supported yet.

import { keyPositions } from '../dispatch/registry';
import { command, type CommandDecl, type ExecContext, type Handler, type KeySpec, type ShardTx } from '../dispatch/command';
import { bulkOf, isError } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import { config } from '../config';
import { ListCursor, ListEnd, Quicklist, type ElementView } from '../store/quicklist';
import { NO_EXPIRE, ValueType } from '../store/types';
import { parseInteger, parseSafeInteger } from '../util/number';
import { NOT_INTEGER, NO_SUCH_KEY, OUT_OF_RANGE, SYNTAX, WRONGTYPE } from './errors';
import { lookupTyped, lookupWrite, WRONG_TYPE } from './lookup';
import { blockAcross, parseBlockTimeout } from './blocking-args';
import { isKeyword } from '../util/keyword';
import { registerValueType } from './value-types';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';

const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const COUNT_NEGATIVE = "ERR COUNT can't be negative";
const MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
const NUMKEYS_NOT_POSITIVE = 'ERR numkeys should be greater than 0';
const COUNT_NOT_POSITIVE = 'ERR count should be greater than 0';

const LLONG_MIN = -(1n << 63n);

const LPOP = Buffer.from('lpop');
const RPOP = Buffer.from('rpop');
const LPUSH = Buffer.from('lpush');
const RPUSH = Buffer.from('rpush');
const LMPOP = Buffer.from('lmpop');
const TYPE = Buffer.from('type');
const ONE = Buffer.from('1');
const COUNT = Buffer.from('count');
const LEFT = Buffer.from('left');
const RERUN = Buffer.from('_lists-rerun');
const RIGHT = Buffer.from('right');

/**
 * True while a blocked call runs again (through _lists-rerun): as Redis serves blocked
 * clients only from keys that hold lists, a source key of another type then counts as missing.
 */
let servingBlocked = false;

/** Scratch views reused by every command (handlers run one at a time per thread). */
const element: ElementView = { buf: new Uint8Array(0), start: 0, end: 0 };
const cursor = new ListCursor();

function newList(ctx: ExecContext, key: Buffer): Quicklist {
  const list = new Quicklist(config.numeric('list-max-listpack-size'));
  ctx.db.setObject(key, ValueType.List, list, NO_EXPIRE);
  return list;
}

function listAt(ctx: ExecContext, h: number): Quicklist {
  return ctx.db.objectValue<Quicklist>(h);
}

function equalsCursor(value: Uint8Array): boolean {
  const length = cursor.end - cursor.start;
  if (length !== value.length) return false;
  const buf = cursor.buf;
  for (let i = 0; i < length; i++) if (buf[cursor.start + i] !== value[i]) return false;
  return true;
}

/** Redis getLongFromObjectOrReply, clamped to the safe-integer range (no list is that long). */
function parseIndex(arg: Buffer): number | null {
  const n = parseSafeInteger(arg);
  if (n === undefined) return arg[0] === 0x2d ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return n;
}

/** Redis getRangeLongFromObjectOrReply(min..LONG_MAX): the value, or null after replying `error`. */
function parseAtLeast(reply: ReplyWriter, arg: Buffer, min: number, error: string): number | null {
  const n = parseIndex(arg);
  if (n === null || n < min) {
    reply.error(error);
    return null;
  }
  return n;
}

/** LEFT/RIGHT argument, or -1 after replying a syntax error. */
function parseEnd(reply: ReplyWriter, arg: Buffer): ListEnd | -1 {
  if (isKeyword(arg, 'LEFT')) return ListEnd.Head;
  if (isKeyword(arg, 'RIGHT')) return ListEnd.Tail;
  reply.error(SYNTAX);
  return -1;
}

/** Deletes key when its list became empty, with its 'del' event. */
function dropIfEmpty(ctx: ExecContext, key: Buffer, list: Quicklist): void {
  if (list.length !== 0) return;
  ctx.db.delete(key);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', key);
}

/** Redis listElementsRemoved: the pop event, then the key's deletion when the list became empty. */
function elementsRemoved(ctx: ExecContext, key: Buffer, list: Quicklist, end: ListEnd): void {
  notifyKeyspaceEvent(ctx, EventClass.List, end === ListEnd.Head ? 'lpop' : 'rpop', key);
  dropIfEmpty(ctx, key, list);
}

function notifyPush(ctx: ExecContext, key: Buffer, end: ListEnd): void {
  notifyKeyspaceEvent(ctx, EventClass.List, end === ListEnd.Head ? 'lpush' : 'rpush', key);
}

// ---- push ----------------------------------------------------------------------

function push(ctx: ExecContext, argv: Buffer[], end: ListEnd, onlyExisting: boolean): void {
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.List, true);
  if (h === WRONG_TYPE) return;
  let list: Quicklist;
  if (h >= 0) {
    list = listAt(ctx, h);
  } else if (onlyExisting) {
    ctx.reply.int(0);
    return;
  } else {
    list = newList(ctx, key);
  }
  for (let j = 2; j < argv.length; j++) list.push(argv[j], end);
  ctx.reply.int(list.length);
  notifyPush(ctx, key, end);
  ctx.signalReady(key);
}

function linsert(ctx: ExecContext, argv: Buffer[]): void {
  let after: boolean;
  if (isKeyword(argv[2], 'AFTER')) after = true;
  else if (isKeyword(argv[2], 'BEFORE')) after = false;
  else return ctx.reply.error(SYNTAX);
  const h = lookupTyped(ctx, argv[1], ValueType.List, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.int(0);
  const list = listAt(ctx, h);
  const pivot = argv[3];
  if (list.seek(0, cursor)) {
    do {
      if (equalsCursor(pivot)) {
        list.insert(cursor, argv[4], after);
        notifyKeyspaceEvent(ctx, EventClass.List, 'linsert', argv[1]);
        return ctx.reply.int(list.length);
      }
    } while (cursor.next());
  }
  ctx.reply.int(-1);
}

// ---- read ----------------------------------------------------------------------

function llen(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.List);
  if (h === WRONG_TYPE) return;
  ctx.reply.int(h < 0 ? 0 : listAt(ctx, h).length);
}

function lindex(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.List);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.nil();
  const index = parseIndex(argv[2]);
  if (index === null) return ctx.reply.error(NOT_INTEGER);
  const list = listAt(ctx, h);
  if (list.seek(index < 0 ? list.length + index : index, cursor)) ctx.reply.bulkSlice(cursor.buf, cursor.start, cursor.end);
  else ctx.reply.nil();
}

/**
 * Replies elements [start, stop] (negative indexes count from the tail, as LRANGE), in
 * reverse when `reverse`; returns how many.
 */
function replyRange(reply: ReplyWriter, list: Quicklist, start: number, stop: number, reverse: boolean): number {
  const length = list.length;
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) {
    reply.array(0);
    return 0;
  }
  if (stop >= length) stop = length - 1;
  const count = stop - start + 1;
  reply.array(count);
  list.seek(reverse ? stop : start, cursor);
  for (let i = 0; ; ) {
    reply.bulkSlice(cursor.buf, cursor.start, cursor.end);
    if (++i === count) break;
    if (reverse) cursor.prev();
    else cursor.next();
  }
  return count;
}

function lrange(ctx: ExecContext, argv: Buffer[]): void {
  const start = parseIndex(argv[2]);
  const stop = parseIndex(argv[3]);
  if (start === null || stop === null) return ctx.reply.error(NOT_INTEGER);
  const h = lookupTyped(ctx, argv[1], ValueType.List);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.array(0);
  replyRange(ctx.reply, listAt(ctx, h), start, stop, false);
}

function lpos(ctx: ExecContext, argv: Buffer[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const hasValue = j < argv.length - 1;
    if (hasValue && isKeyword(argv[j], 'RANK')) {
      const parsed = parseRank(argv[++j]);
      if (parsed === null) return ctx.reply.error(NOT_INTEGER);
      if (parsed === 0) return ctx.reply.error(RANK_ZERO);
      rank = parsed;
    } else if (hasValue && isKeyword(argv[j], 'COUNT')) {
      const parsed = parseAtLeast(ctx.reply, argv[++j], 0, COUNT_NEGATIVE);
      if (parsed === null) return;
      count = parsed;
    } else if (hasValue && isKeyword(argv[j], 'MAXLEN')) {
      const parsed = parseAtLeast(ctx.reply, argv[++j], 0, MAXLEN_NEGATIVE);
      if (parsed === null) return;
      maxlen = parsed;
    } else {
      return ctx.reply.error(SYNTAX);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const h = lookupTyped(ctx, argv[1], ValueType.List);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    if (count !== -1) ctx.reply.array(0);
    else ctx.reply.nil();
    return;
  }
  const list = listAt(ctx, h);
  const value = argv[2];
  const length = list.length;
  const limit = maxlen === 0 ? length : Math.min(maxlen, length);
  // Matches are collected first: the array length must precede them.
  const found: number[] = [];
  let matches = 0;
  list.seek(fromTail ? length - 1 : 0, cursor);
  for (let scanned = 0; scanned < limit; scanned++) {
    if (equalsCursor(value) && ++matches >= rank) {
      found.push(fromTail ? length - 1 - scanned : scanned);
      if (count === -1 || (count !== 0 && found.length >= count)) break;
    }
    if (!(fromTail ? cursor.prev() : cursor.next())) break;
  }
  if (count === -1) {
    if (found.length > 0) ctx.reply.int(found[0]);
    else ctx.reply.nil();
    return;
  }
  ctx.reply.array(found.length);
  for (const index of found) ctx.reply.int(index);
}

/**
 * LPOS RANK value (non-zero long), or null when not an integer. Redis negates a negative rank
 * in a long, so LLONG_MIN stays negative: it searches from the tail and takes the first match, as -1.
 */
function parseRank(arg: Buffer): number | null {
  const n = parseSafeInteger(arg);
  if (n !== undefined) return n;
  if (parseInteger(arg) === LLONG_MIN) return -1;
  return arg[0] === 0x2d ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
}

// ---- write ---------------------------------------------------------------------

function lset(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.List, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.error(NO_SUCH_KEY);
  const index = parseIndex(argv[2]);
  if (index === null) return ctx.reply.error(NOT_INTEGER);
  const list = listAt(ctx, h);
  if (!list.seek(index < 0 ? list.length + index : index, cursor)) return ctx.reply.error(OUT_OF_RANGE);
  list.replace(cursor, argv[3]);
  ctx.reply.ok();
  notifyKeyspaceEvent(ctx, EventClass.List, 'lset', argv[1]);
}

function lrem(ctx: ExecContext, argv: Buffer[]): void {
  const toRemove = parseIndex(argv[2]);
  if (toRemove === null) return ctx.reply.error(NOT_INTEGER);
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.List, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.int(0);
  const list = listAt(ctx, h);
  const removed = list.removeEqual(argv[3], Math.abs(toRemove), toRemove < 0);
  if (removed > 0) notifyKeyspaceEvent(ctx, EventClass.List, 'lrem', key);
  dropIfEmpty(ctx, key, list);
  ctx.reply.int(removed);
}

function ltrim(ctx: ExecContext, argv: Buffer[]): void {
  let start = parseIndex(argv[2]);
  let stop = parseIndex(argv[3]);
  if (start === null || stop === null) return ctx.reply.error(NOT_INTEGER);
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.List, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.ok();
  const list = listAt(ctx, h);
  const length = list.length;
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) {
    list.deleteRange(0, length);
  } else {
    if (stop >= length) stop = length - 1;
    if (stop < length - 1) list.deleteRange(stop + 1, length - 1 - stop);
    if (start > 0) list.deleteRange(0, start);
  }
  notifyKeyspaceEvent(ctx, EventClass.List, 'ltrim', key);
  dropIfEmpty(ctx, key, list);
  ctx.reply.ok();
}

// ---- pop -----------------------------------------------------------------------

/** Replies and removes one element from an end of a non-empty list. */
function popOne(reply: ReplyWriter, list: Quicklist, end: ListEnd): void {
  list.peek(end, element);
  reply.bulkSlice(element.buf, element.start, element.end);
  list.pop(end);
}

/** Replies (as an array, in pop order) and removes up to `count` elements from an end. */
function popMany(reply: ReplyWriter, list: Quicklist, end: ListEnd, count: number): void {
  const n = Math.min(count, list.length);
  if (end === ListEnd.Head) {
    replyRange(reply, list, 0, n - 1, false);
    list.deleteRange(0, n);
  } else {
    replyRange(reply, list, -n, -1, true);
    list.deleteRange(list.length - n, n);
  }
}

function pop(ctx: ExecContext, argv: Buffer[], end: ListEnd): void {
  if (argv.length > 3) return ctx.reply.error(`ERR wrong number of arguments for '${end === ListEnd.Head ? 'lpop' : 'rpop'}' command`);
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const parsed = parseAtLeast(ctx.reply, argv[2], 0, MUST_BE_POSITIVE);
    if (parsed === null) return;
    count = parsed;
  }
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.List, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    if (hasCount) ctx.reply.nilArray();
    else ctx.reply.nil();
    return;
  }
  if (hasCount && count === 0) return ctx.reply.array(0);
  const list = listAt(ctx, h);
  if (hasCount) popMany(ctx.reply, list, end, count);
  else popOne(ctx.reply, list, end);
  elementsRemoved(ctx, key, list, end);
}

/** What LMPOP/BLMPOP arguments say. */
const mpopArgs = { firstKey: 0, numKeys: 0, end: ListEnd.Head, count: 1 };

/** Parses [B]LMPOP from its numkeys argument on, as Redis lmpopGenericCommand; false after replying an error. */
function parseMpop(reply: ReplyWriter, argv: Buffer[], numKeysAt: number): boolean {
  const numKeys = parseAtLeast(reply, argv[numKeysAt], 1, NUMKEYS_NOT_POSITIVE);
  if (numKeys === null) return false;
  const endAt = numKeysAt + numKeys + 1;
  if (endAt >= argv.length) {
    reply.error(SYNTAX);
    return false;
  }
  const end = parseEnd(reply, argv[endAt]);
  if (end === -1) return false;
  let count = -1;
  for (let j = endAt + 1; j < argv.length; j++) {
    if (count === -1 && j < argv.length - 1 && isKeyword(argv[j], 'COUNT')) {
      const parsed = parseAtLeast(reply, argv[++j], 1, COUNT_NOT_POSITIVE);
      if (parsed === null) return false;
      count = parsed;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  mpopArgs.firstKey = numKeysAt + 1;
  mpopArgs.numKeys = numKeys;
  mpopArgs.end = end;
  mpopArgs.count = count === -1 ? 1 : count;
  return true;
}

/** Key positions of [B]LMPOP (numkeys at argv[numKeysAt]); none when numkeys is invalid. */
function mpopKeys(argv: Buffer[], numKeysAt: number): number[] {
  const numKeys = numKeysAt < argv.length ? parseSafeInteger(argv[numKeysAt]) : null;
  const keys: number[] = [];
  if (typeof numKeys !== 'number' || numKeys < 1 || numKeysAt + numKeys >= argv.length) return keys;
  for (let i = 1; i <= numKeys; i++) keys.push(numKeysAt + i);
  return keys;
}

/**
 * Pops from the first non-empty list among `numKeys` keys from argv[firstKey]: with count < 0
 * replies [key, element] (BLPOP), else [key, [elements]] (LMPOP). Returns false when every
 * key was missing (nothing replied); true when it replied (elements or WRONGTYPE).
 */
function popFirstNonEmpty(ctx: ExecContext, argv: Buffer[], firstKey: number, numKeys: number, end: ListEnd, count: number): boolean {
  for (let i = firstKey; i < firstKey + numKeys; i++) {
    const key = argv[i];
    const h = sourceLookup(ctx, key);
    if (h === WRONG_TYPE) return true;
    if (h < 0) continue;
    const list = listAt(ctx, h);
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    if (count < 0) popOne(ctx.reply, list, end);
    else popMany(ctx.reply, list, end, count);
    elementsRemoved(ctx, key, list, end);
    return true;
  }
  return false;
}

function lmpop(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseMpop(ctx.reply, argv, 1)) return;
  const { firstKey, numKeys, end, count } = mpopArgs;
  if (!popFirstNonEmpty(ctx, argv, firstKey, numKeys, end, count)) ctx.reply.nilArray();
}

function blockingPop(ctx: ExecContext, argv: Buffer[], end: ListEnd): void {
  const timeout = parseBlockTimeout(ctx.reply, argv[argv.length - 1]);
  if (timeout < 0) return;
  if (popFirstNonEmpty(ctx, argv, 1, argv.length - 2, end, -1)) return;
  if (!ctx.canBlock) return ctx.reply.nilArray();
  blockOn(ctx, argv, argv.slice(1, -1), timeout);
}

function blpop(ctx: ExecContext, argv: Buffer[]): void {
  blockingPop(ctx, argv, ListEnd.Head);
}

function brpop(ctx: ExecContext, argv: Buffer[]): void {
  blockingPop(ctx, argv, ListEnd.Tail);
}

/** Lookup of a key popped from: as lookupTyped for writing, but see servingBlocked. */
function sourceLookup(ctx: ExecContext, key: Buffer): number {
  if (!servingBlocked) return lookupTyped(ctx, key, ValueType.List, true);
  const h = lookupWrite(ctx, key);
  return h >= 0 && ctx.db.type(h) !== ValueType.List ? -1 : h;
}

/** Blocks the command on keys; it runs again through _lists-rerun. Every list command times out with a null array. */
function blockOn(ctx: ExecContext, argv: Buffer[], keys: Buffer[], timeout: number): void {
  ctx.block(keys, timeout, 'nilArray', { rerunArgv: [RERUN, ...argv] });
}

/** _lists-rerun <blocking command and its arguments>: runs it again for a key that got data. */
function rerunBlocked(ctx: ExecContext, argv: Buffer[]): void {
  const original = argv.slice(1);
  const handler = blockingHandlers.get(original[0].latin1Slice(0, original[0].length).toLowerCase())!;
  servingBlocked = true;
  try {
    handler(ctx, original);
  } finally {
    servingBlocked = false;
  }
}

function blmpop(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseMpop(ctx.reply, argv, 2)) return;
  const { firstKey, numKeys, end, count } = mpopArgs;
  const timeout = parseBlockTimeout(ctx.reply, argv[1]);
  if (timeout < 0) return;
  if (popFirstNonEmpty(ctx, argv, firstKey, numKeys, end, count)) return;
  if (!ctx.canBlock) return ctx.reply.nilArray();
  blockOn(ctx, argv, argv.slice(firstKey, firstKey + numKeys), timeout);
}

// ---- move ----------------------------------------------------------------------

/**
 * Redis lmoveGenericCommand: pops from source's `from` end and pushes onto destination's
 * `to` end, replying the element. Returns false when source is missing (nothing replied).
 */
function move(ctx: ExecContext, source: Buffer, destination: Buffer, from: ListEnd, to: ListEnd): boolean {
  const h = sourceLookup(ctx, source);
  if (h === WRONG_TYPE) return true;
  if (h < 0) return false;
  const sourceList = listAt(ctx, h);
  const dh = lookupWrite(ctx, destination);
  if (dh >= 0 && ctx.db.type(dh) !== ValueType.List) {
    ctx.reply.error(WRONGTYPE);
    return true;
  }
  sourceList.peek(from, element);
  ctx.reply.bulkSlice(element.buf, element.start, element.end);
  if (dh >= 0 && listAt(ctx, dh) === sourceList) {
    // Pushing onto the same list may move the bytes the view points at.
    const value = Buffer.from(element.buf.subarray(element.start, element.end));
    sourceList.pop(from);
    sourceList.push(value, to);
    notifyPush(ctx, destination, to);
  } else {
    const destinationList = dh >= 0 ? listAt(ctx, dh) : newList(ctx, destination);
    destinationList.push(element.buf.subarray(element.start, element.end), to);
    sourceList.pop(from);
    notifyPush(ctx, destination, to);
  }
  // As Redis lmoveGenericCommand: the push event first, then the pop (and the source's deletion).
  elementsRemoved(ctx, source, sourceList, from);
  ctx.signalReady(destination);
  return true;
}

function lmove(ctx: ExecContext, argv: Buffer[]): void {
  const from = parseEnd(ctx.reply, argv[3]);
  if (from === -1) return;
  const to = parseEnd(ctx.reply, argv[4]);
  if (to === -1) return;
  if (!move(ctx, argv[1], argv[2], from, to)) ctx.reply.nil();
}

function rpoplpush(ctx: ExecContext, argv: Buffer[]): void {
  if (!move(ctx, argv[1], argv[2], ListEnd.Tail, ListEnd.Head)) ctx.reply.nil();
}

function blockingMove(ctx: ExecContext, argv: Buffer[], from: ListEnd, to: ListEnd, timeoutArg: Buffer): void {
  const timeout = parseBlockTimeout(ctx.reply, timeoutArg);
  if (timeout < 0) return;
  if (move(ctx, argv[1], argv[2], from, to)) return;
  if (!ctx.canBlock) return ctx.reply.nil();
  blockOn(ctx, argv, [argv[1]], timeout);
}

function brpoplpush(ctx: ExecContext, argv: Buffer[]): void {
  blockingMove(ctx, argv, ListEnd.Tail, ListEnd.Head, argv[3]);
}

function blmove(ctx: ExecContext, argv: Buffer[]): void {
  const from = parseEnd(ctx.reply, argv[3]);
  if (from === -1) return;
  const to = parseEnd(ctx.reply, argv[4]);
  if (to === -1) return;
  blockingMove(ctx, argv, from, to, argv[5]);
}

// ---- across shards ---------------------------------------------------------------

function endName(end: ListEnd): Buffer {
  return end === ListEnd.Head ? LEFT : RIGHT;
}

/**
 * LMOVE between shards, as move() does it: TYPE checks of both keys (source first), then a
 * pop on the source's shard and a push on the destination's. False when source is missing.
 */
async function moveAcross(tx: ShardTx, reply: ReplyWriter, source: Buffer, destination: Buffer, from: ListEnd, to: ListEnd): Promise<boolean> {
  const sourceType = typeName(await tx.exec(tx.shardOf(source), [TYPE, source]));
  if (sourceType === 'none') return false;
  const destinationType = typeName(await tx.exec(tx.shardOf(destination), [TYPE, destination]));
  if (sourceType !== 'list' || (destinationType !== 'none' && destinationType !== 'list')) {
    reply.error(WRONGTYPE);
    return true;
  }
  const value = bulkOf(await tx.exec(tx.shardOf(source), [from === ListEnd.Head ? LPOP : RPOP, source]))!;
  await tx.exec(tx.shardOf(destination), [to === ListEnd.Head ? LPUSH : RPUSH, destination, value]);
  reply.bulk(value);
  return true;
}

function typeName(reply: Buffer): string {
  return reply.latin1Slice(1, reply.length - 2);
}

async function lmoveAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const from = parseEnd(reply, argv[3]);
  if (from === -1) return;
  const to = parseEnd(reply, argv[4]);
  if (to === -1) return;
  if (!(await moveAcross(tx, reply, argv[1], argv[2], from, to))) reply.nil();
}

async function rpoplpushAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  if (!(await moveAcross(tx, reply, argv[1], argv[2], ListEnd.Tail, ListEnd.Head))) reply.nil();
}

async function blmoveAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const from = parseEnd(reply, argv[3]);
  if (from === -1) return;
  const to = parseEnd(reply, argv[4]);
  if (to === -1) return;
  const timeout = parseBlockTimeout(reply, argv[5]);
  if (timeout < 0) return;
  if (!(await moveAcross(tx, reply, argv[1], argv[2], from, to))) await blockAcross(tx, reply, [argv[1]], timeout);
}

async function brpoplpushAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const timeout = parseBlockTimeout(reply, argv[3]);
  if (timeout < 0) return;
  if (!(await moveAcross(tx, reply, argv[1], argv[2], ListEnd.Tail, ListEnd.Head))) await blockAcross(tx, reply, [argv[1]], timeout);
}

/** True when a shard's reply is RESP2 or RESP3 null. */
function isNull(reply: Buffer): boolean {
  return reply[0] === 0x5f || (reply[1] === 0x2d && (reply[0] === 0x2a || reply[0] === 0x24));
}

/**
 * Runs the one-key form of a multi-key pop (`single(key)`) on each key's shard in key order
 * until one replies something other than null; that key and reply, or null.
 */
async function popFirstAcross(tx: ShardTx, keys: Buffer[], single: (key: Buffer) => Buffer[]): Promise<{ key: Buffer; reply: Buffer } | null> {
  for (const key of keys) {
    const reply = await tx.exec(tx.shardOf(key), single(key));
    if (!isNull(reply)) return { key, reply };
  }
  return null;
}

async function lmpopAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  if (!parseMpop(reply, argv, 1)) return;
  const found = await popFirstAcross(tx, mpopKeysOf(argv), mpopSingle());
  if (found === null) reply.nilArray();
  else reply.raw(found.reply);
}

async function blmpopAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  if (!parseMpop(reply, argv, 2)) return;
  const timeout = parseBlockTimeout(reply, argv[1]);
  if (timeout < 0) return;
  const keys = mpopKeysOf(argv);
  const found = await popFirstAcross(tx, keys, mpopSingle());
  if (found === null) await blockAcross(tx, reply, keys, timeout);
  else reply.raw(found.reply);
}

function mpopKeysOf(argv: Buffer[]): Buffer[] {
  return argv.slice(mpopArgs.firstKey, mpopArgs.firstKey + mpopArgs.numKeys);
}

/** LMPOP 1 key <end> COUNT n with the parsed arguments (read before the first await). */
function mpopSingle(): (key: Buffer) => Buffer[] {
  const end = endName(mpopArgs.end);
  const count = Buffer.from(String(mpopArgs.count));
  return (key) => [LMPOP, ONE, key, end, COUNT, count];
}

async function blockingPopAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, end: ListEnd): Promise<void> {
  const timeout = parseBlockTimeout(reply, argv[argv.length - 1]);
  if (timeout < 0) return;
  const popCommand = end === ListEnd.Head ? LPOP : RPOP;
  const found = await popFirstAcross(tx, argv.slice(1, -1), (key) => [popCommand, key]);
  if (found === null) return blockAcross(tx, reply, argv.slice(1, -1), timeout);
  if (isError(found.reply)) return reply.raw(found.reply);
  reply.array(2);
  reply.bulk(found.key);
  reply.raw(found.reply);
}

// ---- value type ----------------------------------------------------------------

registerValueType(ValueType.List, {
  encoding: () => 'quicklist',
  serialize: (db, h) => db.objectValue<Quicklist>(h).serialize(),
  restore: (db, key, payload, expireAt) =>
    db.setObject(key, ValueType.List, Quicklist.restore(payload, config.numeric('list-max-listpack-size')), expireAt),
});

// ---- declarations ----------------------------------------------------------------

function keyAt(index: number, flags: KeySpec['flags'], lastkey = 0): KeySpec {
  return { flags, begin: { index }, find: { lastkey, keystep: 1, limit: 0 } };
}

const INSERT_SPEC = [keyAt(1, ['RW', 'insert'])];
const POP_SPEC = [keyAt(1, ['RW', 'access', 'delete'])];
const DELETE_SPEC = [keyAt(1, ['RW', 'delete'])];
const MOVE_SPECS = [keyAt(1, ['RW', 'access', 'delete']), keyAt(2, ['RW', 'insert'])];
const mpopSpec = (index: number): KeySpec[] => [{ flags: ['RW', 'access', 'delete'], begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }];

const WRITE_FAST = ['write', 'list', 'fast'];
const WRITE_SLOW = ['write', 'list', 'slow'];
const READ_SLOW = ['read', 'list', 'slow'];
const BLOCKING = ['write', 'list', 'slow', 'blocking'];
const PUSH_COMPLEXITY = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
const POP_COMPLEXITY = 'O(N) where N is the number of elements returned';
const MPOP_COMPLEXITY = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';

export const listCommands: CommandDecl[] = [
  command({ name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'list', summary: 'Prepend one or multiple elements to a list', since: '1.0.0', complexity: PUSH_COMPLEXITY, keySpecs: INSERT_SPEC, handler: (ctx, argv) => push(ctx, argv, ListEnd.Head, false) }),
  command({ name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'list', summary: 'Append one or multiple elements to a list', since: '1.0.0', complexity: PUSH_COMPLEXITY, keySpecs: INSERT_SPEC, handler: (ctx, argv) => push(ctx, argv, ListEnd.Tail, false) }),
  command({ name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'list', summary: 'Prepend an element to a list, only if the list exists', since: '2.2.0', complexity: PUSH_COMPLEXITY, keySpecs: INSERT_SPEC, handler: (ctx, argv) => push(ctx, argv, ListEnd.Head, true) }),
  command({ name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'list', summary: 'Append an element to a list, only if the list exists', since: '2.2.0', complexity: PUSH_COMPLEXITY, keySpecs: INSERT_SPEC, handler: (ctx, argv) => push(ctx, argv, ListEnd.Tail, true) }),
  command({ name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'list', summary: 'Remove and get the first elements in a list', since: '1.0.0', complexity: POP_COMPLEXITY, keySpecs: POP_SPEC, handler: (ctx, argv) => pop(ctx, argv, ListEnd.Head) }),
  command({ name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'list', summary: 'Remove and get the last elements in a list', since: '1.0.0', complexity: POP_COMPLEXITY, keySpecs: POP_SPEC, handler: (ctx, argv) => pop(ctx, argv, ListEnd.Tail) }),
  command({ name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'list', 'fast'], group: 'list', summary: 'Get the length of a list', since: '1.0.0', complexity: 'O(1)', keySpecs: [keyAt(1, ['RO'])], handler: llen }),
  command({ name: 'lrange', arity: 4, flags: ['readonly'], keys: [1, 1, 1], acl: READ_SLOW, group: 'list', summary: 'Get a range of elements from a list', since: '1.0.0', complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.', handler: lrange }),
  command({ name: 'lindex', arity: 3, flags: ['readonly'], keys: [1, 1, 1], acl: READ_SLOW, group: 'list', summary: 'Get an element from a list by its index', since: '1.0.0', complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).', handler: lindex }),
  command({ name: 'lset', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: WRITE_SLOW, group: 'list', summary: 'Set the value of an element in a list by its index', since: '1.0.0', complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).', handler: lset }),
  command({ name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: WRITE_SLOW, group: 'list', summary: 'Insert an element before or after another element in a list', since: '2.2.0', complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).', keySpecs: INSERT_SPEC, handler: linsert }),
  command({ name: 'lrem', arity: 4, flags: ['write'], keys: [1, 1, 1], acl: WRITE_SLOW, group: 'list', summary: 'Remove elements from a list', since: '1.0.0', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.', keySpecs: DELETE_SPEC, handler: lrem }),
  command({ name: 'ltrim', arity: 4, flags: ['write'], keys: [1, 1, 1], acl: WRITE_SLOW, group: 'list', summary: 'Trim a list to the specified range', since: '1.0.0', complexity: 'O(N) where N is the number of elements to be removed by the operation.', keySpecs: DELETE_SPEC, handler: ltrim }),
  command({ name: 'lpos', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: READ_SLOW, group: 'list', summary: 'Return the index of matching elements on a list', since: '6.0.6', complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.', handler: lpos }),
  command({ name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl: WRITE_SLOW, group: 'list', summary: 'Pop an element from a list, push it to another list and return it', since: '6.2.0', complexity: 'O(1)', keySpecs: MOVE_SPECS, coordinate: lmoveAcross, handler: lmove }),
  command({ name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl: WRITE_SLOW, group: 'list', summary: 'Remove the last element in a list, prepend it to another list and return it', since: '1.2.0', complexity: 'O(1)', keySpecs: MOVE_SPECS, coordinate: rpoplpushAcross, handler: rpoplpush }),
  command({ name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], keys: [0, 0, 0], acl: WRITE_SLOW, group: 'list', summary: 'Pop elements from a list', since: '7.0.0', complexity: MPOP_COMPLEXITY, keySpecs: mpopSpec(1), keyFinder: (argv) => mpopKeys(argv, 1), coordinate: lmpopAcross, handler: lmpop }),
  command({ name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: [1, -2, 1], acl: BLOCKING, group: 'list', summary: 'Remove and get the first element in a list, or block until one is available', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.', keySpecs: [keyAt(1, ['RW', 'access', 'delete'], -2)], coordinate: (tx, argv, reply) => blockingPopAcross(tx, argv, reply, ListEnd.Head), handler: blpop }),
  command({ name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: [1, -2, 1], acl: BLOCKING, group: 'list', summary: 'Remove and get the last element in a list, or block until one is available', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.', keySpecs: [keyAt(1, ['RW', 'access', 'delete'], -2)], coordinate: (tx, argv, reply) => blockingPopAcross(tx, argv, reply, ListEnd.Tail), handler: brpop }),
  command({ name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: [1, 2, 1], acl: BLOCKING, group: 'list', summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', since: '6.2.0', complexity: 'O(1)', keySpecs: MOVE_SPECS, coordinate: blmoveAcross, handler: blmove }),
  command({ name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: [1, 2, 1], acl: BLOCKING, group: 'list', summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', since: '2.2.0', complexity: 'O(1)', keySpecs: MOVE_SPECS, coordinate: brpoplpushAcross, handler: brpoplpush }),
  command({ name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keys: [0, 0, 0], acl: BLOCKING, group: 'list', summary: 'Pop elements from a list, or block until one is available', since: '7.0.0', complexity: MPOP_COMPLEXITY, keySpecs: mpopSpec(2), keyFinder: (argv) => mpopKeys(argv, 2), coordinate: blmpopAcross, handler: blmpop }),
  command({
    name: '_lists-rerun', arity: -3, flags: ['write'], keys: [0, 0, 0], acl: [], group: 'list', summary: 'Runs a blocked list command again when one of its keys got data', since: '7.0.0', internal: true,
    // The keys of the wrapped command, so WATCH sees what a served blocked command changes.
    keyFinder: (argv) => keyPositions(blockingCommands.get(argv[1].toString('latin1').toLowerCase())!, argv.slice(1)).map((i) => i + 1),
    handler: rerunBlocked,
  }),
];

const blockingCommands = new Map<string, CommandDecl>(listCommands.filter((c) => c.flags.includes('blocking')).map((c) => [c.name, c]));
const blockingHandlers = new Map<string, Handler>([...blockingCommands].map(([name, c]) => [name, c.handler!]));
