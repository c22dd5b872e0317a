// Sorted-set commands (Redis t_zset.c).
//
// A zset value is a ZSet (src/store/zset): packed ("listpack") while small,
// a B+tree with a member index ("skiplist") past zset-max-listpack-entries /
// zset-max-listpack-value. Every range command turns its range (ranks, scores
// or a lex interval) into an interval of ranks, then walks it with the set's
// cursor. A packed zset is kept in its key's record: ctx.db.objectValue()
// hands out a view (ZSet.bound), made afresh for each command, and storing a
// packed ZSet (setObject) stores a copy of it.
//
// Multi-key commands whose keys live on several shards run as coordinators:
// each source is fetched as a serialized zset (_zset-source), the result is
// computed on the coordinator by the same function as on one shard, and a
// result to store is sent to the destination's shard (_zset-store).

import { command, type ExecContext, type KeySpec, type ShardTx } from '../dispatch/command';
import { arrayElements, bulkOf, isError } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import { NO_EXPIRE, ValueType } from '../store/types';
import { Bound, ZSet } from '../store/zset/zset';
import { formatDouble, parseFloat64, parseInteger, parseSafeInteger, parseSafeIntegerAt } from '../util/number';
import { blockAcross, parseBlockTimeout } from './blocking-args';
import { elementScan, parseElementScanOptions, scanMatches } from './element-scan';
import { INVALID_CURSOR, NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors';
import { parseScanCursor } from './keys';
import { WRONG_TYPE, lookupRead, lookupTyped } from './lookup';
import { isKeyword } from '../util/keyword';
import { registerValueType, valueTypeOps } from './value-types';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';

const NAN_RESULT = 'ERR resulting score is not a number (NaN)';
const MINMAX_NOT_FLOAT = 'ERR min or max is not a float';
const MINMAX_NOT_LEX = 'ERR min or max not valid string range item';
const NOT_POSITIVE = 'ERR value is out of range, must be positive';
const EMPTY: Buffer = Buffer.alloc(0);
const LONG_MIN = -(1n << 63n);
const HALF_LONG_MAX = ((1n << 63n) - 1n) / 2n;

// ---- lookups and parsing -------------------------------------------------------

/** The zset at key: the ZSet, null when missing, undefined after replying WRONGTYPE. */
function zsetAt(ctx: ExecContext, key: Buffer, forWrite: boolean): ZSet | null | undefined {
  const h = lookupTyped(ctx, key, ValueType.ZSet, forWrite);
  if (h === WRONG_TYPE) return undefined;
  return h < 0 ? null : ctx.db.objectValue<ZSet>(h);
}

/** A Redis long argument: its value (±Infinity when valid but beyond 2^53), NaN when invalid. */
function parseLong(arg: Buffer): number {
  return parseSafeIntegerAt(arg, 0, arg.length);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A score bound as zslParseRange reads it with strtod: leading spaces allowed, the
 * empty string is 0, overflow gives ±inf; NaN when invalid.
 */
function parseScoreBound(arg: Buffer, start: number): number {
  if (start === arg.length) return 0;
  let i = start;
  while (i < arg.length && (arg[i] === 0x20 || (arg[i] >= 0x09 && arg[i] <= 0x0d))) i++;
  const rest = arg.subarray(i);
  const v = parseFloat64(rest);
  if (v !== null) return v;
  const text = rest.latin1Slice(0, rest.length);
  return DECIMAL.test(text) ? Number(text) : NaN;
}

/** The score range of the current command: [min, max] with exclusive ends. */
const scoreRange = { min: 0, minEx: false, max: 0, maxEx: false };

function parseScoreRange(minArg: Buffer, maxArg: Buffer): boolean {
  scoreRange.minEx = minArg[0] === 0x28;
  scoreRange.maxEx = maxArg[0] === 0x28;
  scoreRange.min = parseScoreBound(minArg, scoreRange.minEx ? 1 : 0);
  scoreRange.max = parseScoreBound(maxArg, scoreRange.maxEx ? 1 : 0);
  return scoreRange.min === scoreRange.min && scoreRange.max === scoreRange.max;
}

const enum LexKind { Invalid, Lowest, Highest, Inclusive, Exclusive }

/** The lex range of the current command. */
const lexRange = { minKind: LexKind.Invalid, min: EMPTY as Buffer, maxKind: LexKind.Invalid, max: EMPTY as Buffer };

function lexKind(arg: Buffer): LexKind {
  switch (arg[0]) {
    case 0x2d: return arg.length === 1 ? LexKind.Lowest : LexKind.Invalid; // -
    case 0x2b: return arg.length === 1 ? LexKind.Highest : LexKind.Invalid; // +
    case 0x5b: return LexKind.Inclusive; // [
    case 0x28: return LexKind.Exclusive; // (
    default: return LexKind.Invalid;
  }
}

function parseLexRange(minArg: Buffer, maxArg: Buffer): boolean {
  lexRange.minKind = lexKind(minArg);
  lexRange.maxKind = lexKind(maxArg);
  lexRange.min = minArg.subarray(1);
  lexRange.max = maxArg.subarray(1);
  return lexRange.minKind !== LexKind.Invalid && lexRange.maxKind !== LexKind.Invalid;
}

/** Rank interval [lo, hi) of the parsed score range (hi may be below lo: empty). */
const ranks = { lo: 0, hi: 0 };

function scoreRanks(z: ZSet): void {
  ranks.lo = z.countBefore(scoreRange.minEx ? Bound.ScoreLE : Bound.ScoreLT, scoreRange.min, EMPTY);
  ranks.hi = z.countBefore(scoreRange.maxEx ? Bound.ScoreLT : Bound.ScoreLE, scoreRange.max, EMPTY);
}

function lexRanks(z: ZSet): void {
  const { minKind, maxKind } = lexRange;
  ranks.lo = minKind === LexKind.Lowest ? 0 : minKind === LexKind.Highest ? z.size
    : z.countBefore(minKind === LexKind.Inclusive ? Bound.LexLT : Bound.LexLE, 0, lexRange.min);
  ranks.hi = maxKind === LexKind.Highest ? z.size : maxKind === LexKind.Lowest ? 0
    : z.countBefore(maxKind === LexKind.Inclusive ? Bound.LexLE : Bound.LexLT, 0, lexRange.max);
}

/** Rank interval of start..end indexes (negative from the end), as Redis sanitizes them. */
function indexRanks(z: ZSet, start: number, end: number): void {
  const size = z.size;
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) {
    ranks.lo = ranks.hi = 0;
    return;
  }
  ranks.lo = start;
  ranks.hi = Math.min(end, size - 1) + 1;
}

/** Replies `count` elements from rank `first` (walking down when reverse), with scores if asked. */
function replyElements(reply: ReplyWriter, z: ZSet, first: number, count: number, reverse: boolean, withScores: boolean): void {
  const pairs = withScores && reply.proto === 3;
  reply.array(withScores && !pairs ? count * 2 : count);
  if (count === 0) return;
  z.seek(first);
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      if (reverse) z.prev();
      else z.next();
    }
    if (pairs) reply.array(2);
    reply.bulkSlice(z.buf, z.curStart, z.curEnd);
    if (withScores) reply.double(z.curScore);
  }
}

/** A new zset holding `count` elements of z from rank `first` (walking down when reverse). */
function copyElements(z: ZSet, first: number, count: number, reverse: boolean, sizeHint: number): ZSet {
  const out = new ZSet(sizeHint);
  if (count === 0) return out;
  z.seek(first);
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      if (reverse) z.prev();
      else z.next();
    }
    out.set(z.buf.subarray(z.curStart, z.curEnd), z.curScore);
  }
  return out;
}

/**
 * Stores a computed zset at key with keyspace event `event` (an empty one deletes key, with
 * a 'del' event when it existed) and replies its size.
 */
export function storeResult(ctx: ExecContext, key: Buffer, result: ZSet, event: string): void {
  if (result.size === 0) {
    if (ctx.db.delete(key)) notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', key);
    ctx.reply.int(0);
    return;
  }
  ctx.db.setObject(key, ValueType.ZSet, result, NO_EXPIRE);
  notifyKeyspaceEvent(ctx, EventClass.Zset, event, key);
  ctx.signalReady(key);
  ctx.reply.int(result.size);
}

/** Deletes key, with its 'del' event, when its zset became empty. */
function dropIfEmpty(ctx: ExecContext, key: Buffer, z: ZSet): void {
  if (z.size !== 0) return;
  ctx.db.delete(key);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', key);
}

// ---- ZADD ZINCRBY ZREM ------------------------------------------------------------

const enum AddFlag { NX = 1, XX = 2, GT = 4, LT = 8, CH = 16, INCR = 32 }

const ADD_OPTIONS: ReadonlyArray<[string, AddFlag]> = [['NX', AddFlag.NX], ['XX', AddFlag.XX], ['CH', AddFlag.CH], ['INCR', AddFlag.INCR], ['GT', AddFlag.GT], ['LT', AddFlag.LT]];
const addScores: number[] = [];

/** ZADD; flags are options implied by the command (ZINCRBY: INCR). GEOADD runs it on rewritten arguments. */
export function zadd(ctx: ExecContext, argv: Buffer[], flags: number): void {
  const reply = ctx.reply;
  const key = argv[1];
  let scoreAt = 2;
  for (; scoreAt < argv.length; scoreAt++) {
    const option = ADD_OPTIONS.find(([name]) => isKeyword(argv[scoreAt], name));
    if (option === undefined) break;
    flags |= option[1];
  }
  const pairs = argv.length - scoreAt;
  if (pairs === 0 || pairs % 2 !== 0) return reply.error(SYNTAX);
  const nx = (flags & AddFlag.NX) !== 0;
  const xx = (flags & AddFlag.XX) !== 0;
  const gt = (flags & AddFlag.GT) !== 0;
  const lt = (flags & AddFlag.LT) !== 0;
  const incr = (flags & AddFlag.INCR) !== 0;
  if (nx && xx) return reply.error('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) return reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && pairs > 2) return reply.error('ERR INCR option supports a single increment-element pair');
  addScores.length = 0;
  for (let i = scoreAt; i < argv.length; i += 2) {
    const score = parseFloat64(argv[i]);
    if (score === null) return reply.error(NOT_FLOAT);
    addScores.push(score);
  }
  let z = zsetAt(ctx, key, true);
  if (z === undefined) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  let nanResult = false;
  if (z === null && !xx) {
    // A packed set is stored as a copy: work on what was stored.
    ctx.db.setObject(key, ValueType.ZSet, new ZSet(0, argv[scoreAt + 1].length), NO_EXPIRE);
    z = ctx.db.objectValue<ZSet>(ctx.db.find(key, ctx.now));
  }
  for (let i = 0; z !== null && i < addScores.length; i++) {
    const member = argv[scoreAt + 1 + 2 * i];
    let score = addScores[i];
    const current = z.score(member);
    if (current === current) {
      if (nx) continue;
      if (incr) {
        score += current;
        if (score !== score) {
          nanResult = true;
          break;
        }
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      processed++;
      lastScore = score;
      if (score !== current) {
        z.set(member, score);
        updated++;
      }
    } else if (!xx) {
      z.set(member, score);
      added++;
      processed++;
      lastScore = score;
    }
  }
  if (added > 0) ctx.signalReady(key);
  if (added + updated > 0) notifyKeyspaceEvent(ctx, EventClass.Zset, incr ? 'zincr' : 'zadd', key);
  if (nanResult) return reply.error(NAN_RESULT);
  if (incr) {
    if (processed > 0) reply.double(lastScore);
    else reply.nil();
  } else {
    reply.int((flags & AddFlag.CH) !== 0 ? added + updated : added);
  }
}

function zrem(ctx: ExecContext, argv: Buffer[]): void {
  const z = zsetAt(ctx, argv[1], true);
  if (z === undefined) return;
  let deleted = 0;
  if (z !== null) {
    for (let i = 2; i < argv.length && z.size > 0; i++) if (z.delete(argv[i])) deleted++;
    if (deleted > 0) {
      notifyKeyspaceEvent(ctx, EventClass.Zset, 'zrem', argv[1]);
      dropIfEmpty(ctx, argv[1], z);
    }
  }
  ctx.reply.int(deleted);
}

// ---- ZCARD ZSCORE ZMSCORE ZRANK ZCOUNT ZLEXCOUNT --------------------------------

function zcard(ctx: ExecContext, argv: Buffer[]): void {
  const z = zsetAt(ctx, argv[1], false);
  if (z !== undefined) ctx.reply.int(z === null ? 0 : z.size);
}

function zscore(ctx: ExecContext, argv: Buffer[]): void {
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  const score = z === null ? NaN : z.score(argv[2]);
  if (score !== score) ctx.reply.nil();
  else ctx.reply.double(score);
}

function zmscore(ctx: ExecContext, argv: Buffer[]): void {
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z === null ? NaN : z.score(argv[i]);
    if (score !== score) ctx.reply.nil();
    else ctx.reply.double(score);
  }
}

function zrank(ctx: ExecContext, argv: Buffer[], reverse: boolean): void {
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  const rank = z === null ? -1 : z.rankOf(argv[2]);
  if (rank < 0) ctx.reply.nil();
  else ctx.reply.int(reverse ? z!.size - 1 - rank : rank);
}

function zcount(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseScoreRange(argv[2], argv[3])) return ctx.reply.error(MINMAX_NOT_FLOAT);
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  if (z === null) return ctx.reply.int(0);
  scoreRanks(z);
  ctx.reply.int(Math.max(ranks.hi - ranks.lo, 0));
}

function zlexcount(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseLexRange(argv[2], argv[3])) return ctx.reply.error(MINMAX_NOT_LEX);
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  if (z === null) return ctx.reply.int(0);
  lexRanks(z);
  ctx.reply.int(Math.max(ranks.hi - ranks.lo, 0));
}

// ---- ZRANGE and friends ----------------------------------------------------------

const enum RangeBy { Auto, Rank, Score, Lex }
const enum Direction { Auto, Forward, Reverse }
/** Where a range goes: to the client, into the destination key (ZRANGESTORE), or back as a serialized zset (_zset-rangestore). */
const enum RangeSink { Client, Store, Payload }

/**
 * Redis zrangeGenericCommand: argv[argStart] is the source key, followed by min, max
 * and the options.
 */
function zrangeGeneric(ctx: ExecContext, argv: Buffer[], argStart: number, sink: RangeSink, by: RangeBy, direction: Direction): void {
  const reply = ctx.reply;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    if (sink === RangeSink.Client && isKeyword(argv[j], 'WITHSCORES')) {
      withScores = true;
    } else if (isKeyword(argv[j], 'LIMIT') && left >= 2) {
      offset = parseLong(argv[j + 1]);
      limit = offset === offset ? parseLong(argv[j + 2]) : NaN;
      if (limit !== limit) return reply.error(NOT_INTEGER);
      j += 2;
    } else if (direction === Direction.Auto && isKeyword(argv[j], 'REV')) {
      direction = Direction.Reverse;
    } else if (by === RangeBy.Auto && isKeyword(argv[j], 'BYLEX')) {
      by = RangeBy.Lex;
    } else if (by === RangeBy.Auto && isKeyword(argv[j], 'BYSCORE')) {
      by = RangeBy.Score;
    } else {
      return reply.error(SYNTAX);
    }
  }
  const reverse = direction === Direction.Reverse;
  if (by === RangeBy.Auto) by = RangeBy.Rank;
  if (limit !== -1 && by === RangeBy.Rank) return reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && by === RangeBy.Lex) return reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // Reverse score and lex ranges are given as max, min.
  const swap = reverse && by !== RangeBy.Rank;
  const minArg = argv[argStart + (swap ? 2 : 1)];
  const maxArg = argv[argStart + (swap ? 1 : 2)];
  let start = 0;
  let end = 0;
  if (by === RangeBy.Rank) {
    start = parseLong(minArg);
    end = start === start ? parseLong(maxArg) : NaN;
    if (end !== end) return reply.error(NOT_INTEGER);
  } else if (by === RangeBy.Score) {
    if (!parseScoreRange(minArg, maxArg)) return reply.error(MINMAX_NOT_FLOAT);
  } else if (!parseLexRange(minArg, maxArg)) {
    return reply.error(MINMAX_NOT_LEX);
  }
  const h = lookupRead(ctx, argv[argStart]);
  if (h >= 0 && ctx.db.type(h) !== ValueType.ZSet) return reply.error(WRONGTYPE);
  if (h < 0) {
    if (sink === RangeSink.Client) reply.array(0);
    else finishRangeStore(ctx, argv[1], sink, new ZSet());
    return;
  }
  const z = ctx.db.objectValue<ZSet>(h);
  let count: number;
  let first: number;
  if (by === RangeBy.Rank) {
    indexRanks(z, start, end);
    count = ranks.hi - ranks.lo;
    first = reverse ? z.size - 1 - ranks.lo : ranks.lo;
  } else {
    if (by === RangeBy.Score) scoreRanks(z);
    else lexRanks(z);
    // A negative offset skips everything; a negative limit means no limit.
    count = offset < 0 ? 0 : Math.max(ranks.hi - ranks.lo - offset, 0);
    if (limit >= 0) count = Math.min(count, limit);
    first = reverse ? ranks.hi - 1 - offset : ranks.lo + offset;
  }
  if (sink === RangeSink.Client) {
    replyElements(reply, z, first, count, reverse, withScores);
  } else {
    // Redis sizes a ZRANGESTORE destination by the rank range's length (unknown for score and lex ranges).
    finishRangeStore(ctx, argv[1], sink, copyElements(z, first, count, reverse, by === RangeBy.Rank ? count : 0));
  }
}

function finishRangeStore(ctx: ExecContext, destination: Buffer, sink: RangeSink, result: ZSet): void {
  if (sink === RangeSink.Store) storeResult(ctx, destination, result, 'zrangestore');
  else ctx.reply.bulk(result.serialize());
}

// Internal steps of the multi-shard coordinators.
const ZSET_SOURCE = Buffer.from('_zset-source');
const ZSET_STORE = Buffer.from('_zset-store');
const ZSET_RANGESTORE = Buffer.from('_zset-rangestore');

/** ZRANGESTORE with source and destination on different shards. */
async function zrangestoreAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const sub = argv.slice();
  sub[0] = ZSET_RANGESTORE;
  const range = await tx.exec(tx.shardOf(argv[2]), sub);
  const payload = bulkOf(range);
  if (payload === null) return reply.raw(range);
  reply.raw(await tx.exec(tx.shardOf(argv[1]), [ZSET_STORE, argv[1], payload, ZRANGESTORE_EVENT]));
}

const ZRANGESTORE_EVENT = Buffer.from('zrangestore');

/** _zset-store key payload event: stores a serialized zset (deleting key when empty) as storeResult; replies its size. */
function storePayload(ctx: ExecContext, argv: Buffer[]): void {
  storeResult(ctx, argv[1], ZSet.deserialize(argv[2]), argv[3].latin1Slice(0, argv[3].length));
}

// ---- ZREMRANGEBY* ----------------------------------------------------------------------

/** The keyspace event of ZREMRANGEBY*, by RangeBy (Auto unused). */
const REMRANGE_EVENTS = ['', 'zremrangebyrank', 'zremrangebyscore', 'zremrangebylex'];

function zremrange(ctx: ExecContext, argv: Buffer[], by: RangeBy): void {
  const reply = ctx.reply;
  let start = 0;
  let end = 0;
  if (by === RangeBy.Rank) {
    start = parseLong(argv[2]);
    end = start === start ? parseLong(argv[3]) : NaN;
    if (end !== end) return reply.error(NOT_INTEGER);
  } else if (by === RangeBy.Score) {
    if (!parseScoreRange(argv[2], argv[3])) return reply.error(MINMAX_NOT_FLOAT);
  } else if (!parseLexRange(argv[2], argv[3])) {
    return reply.error(MINMAX_NOT_LEX);
  }
  const z = zsetAt(ctx, argv[1], true);
  if (z === undefined) return;
  if (z === null) return reply.int(0);
  if (by === RangeBy.Rank) indexRanks(z, start, end);
  else if (by === RangeBy.Score) scoreRanks(z);
  else lexRanks(z);
  const deleted = Math.max(ranks.hi - ranks.lo, 0);
  z.removeRanks(ranks.lo, ranks.lo + deleted);
  if (deleted > 0) {
    notifyKeyspaceEvent(ctx, EventClass.Zset, REMRANGE_EVENTS[by], argv[1]);
    dropIfEmpty(ctx, argv[1], z);
  }
  reply.int(deleted);
}

// ---- ZPOPMIN ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX BZMPOP --------------------------------

const enum PopShape { Flat, Nested, FlatWithKey, NestedWithKey }

/** Pops up to count elements (count -1: one) from the zset at key, replying in the given shape. */
function popFrom(ctx: ExecContext, key: Buffer, z: ZSet, max: boolean, count: number, shape: PopShape): void {
  const reply = ctx.reply;
  const n = Math.min(count < 0 ? 1 : count, z.size);
  if (shape === PopShape.Flat) {
    reply.array(n * 2);
  } else if (shape === PopShape.Nested) {
    reply.array(n);
  } else if (shape === PopShape.FlatWithKey) {
    reply.array(n * 2 + 1);
    reply.bulk(key);
  } else {
    reply.array(2);
    reply.bulk(key);
    reply.array(n);
  }
  const nested = shape === PopShape.Nested || shape === PopShape.NestedWithKey;
  for (let i = 0; i < n; i++) {
    z.seek(max ? z.size - 1 : 0);
    if (nested) reply.array(2);
    const member = z.curMember();
    reply.bulk(member);
    reply.double(z.curScore);
    z.delete(member);
  }
  notifyKeyspaceEvent(ctx, EventClass.Zset, max ? 'zpopmax' : 'zpopmin', key);
  dropIfEmpty(ctx, key, z);
}

/** Index in argv of the first existing zset among argv[first, first + n), -1 when none, WRONG_TYPE after the error. */
function firstZset(ctx: ExecContext, argv: Buffer[], first: number, n: number): number {
  for (let i = first; i < first + n; i++) {
    // A blocked client is not served by a key that now holds another type: it keeps waiting.
    if (ctx.rerun) {
      const found = ctx.db.find(argv[i], ctx.now);
      if (found >= 0 && ctx.db.type(found) !== ValueType.ZSet) continue;
    }
    const h = lookupTyped(ctx, argv[i], ValueType.ZSet, true);
    if (h === WRONG_TYPE) return WRONG_TYPE;
    if (h >= 0) return i;
  }
  return -1;
}

/** A COUNT-like argument that must be >= 0 (getPositiveLongFromObjectOrReply); -1 after replying `error`. */
function parseNonNegative(reply: ReplyWriter, arg: Buffer, error = NOT_POSITIVE): number {
  const n = parseLong(arg);
  if (!(n >= 0)) {
    reply.error(error);
    return -1;
  }
  return n;
}

/** A long in [1, LONG_MAX] (getRangeLongFromObjectOrReply with a message), or -1 after replying `error`. */
function parsePositive(reply: ReplyWriter, arg: Buffer, error: string): number {
  const n = parseLong(arg);
  if (!(n >= 1)) {
    reply.error(error);
    return -1;
  }
  return n;
}

function zpop(ctx: ExecContext, argv: Buffer[], max: boolean): void {
  if (argv.length > 3) return ctx.reply.error(SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    count = parseNonNegative(ctx.reply, argv[2]);
    if (count < 0) return;
  }
  const at = firstZset(ctx, argv, 1, 1);
  if (at === WRONG_TYPE) return;
  if (at < 0 || count === 0) return ctx.reply.array(0);
  const shape = ctx.reply.proto === 3 && count !== -1 ? PopShape.Nested : PopShape.Flat;
  popFrom(ctx, argv[1], ctx.db.objectValue<ZSet>(ctx.db.find(argv[1], ctx.now)), max, count, shape);
}

/** ZMPOP / BZMPOP arguments: key positions, side and count (parsed by parseMpop). */
const mpopArgs = { firstKey: 0, numKeys: 0, max: false, count: 1 };

/** Parses [B]ZMPOP's numkeys (at numKeysAt), keys, MIN|MAX and COUNT; false after the error. */
function parseMpop(reply: ReplyWriter, argv: Buffer[], numKeysAt: number): boolean {
  const numKeys = parsePositive(reply, argv[numKeysAt], 'ERR numkeys should be greater than 0');
  if (numKeys < 0) return false;
  const whereAt = numKeysAt + numKeys + 1;
  if (whereAt >= argv.length) {
    reply.error(SYNTAX);
    return false;
  }
  if (isKeyword(argv[whereAt], 'MIN')) mpopArgs.max = false;
  else if (isKeyword(argv[whereAt], 'MAX')) mpopArgs.max = true;
  else {
    reply.error(SYNTAX);
    return false;
  }
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(argv[j], 'COUNT') && j + 1 < argv.length) {
      count = parsePositive(reply, argv[++j], 'ERR count should be greater than 0');
      if (count < 0) return false;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  mpopArgs.firstKey = numKeysAt + 1;
  mpopArgs.numKeys = numKeys;
  mpopArgs.count = count === -1 ? 1 : count;
  return true;
}

function zmpop(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseMpop(ctx.reply, argv, 1)) return;
  const at = firstZset(ctx, argv, mpopArgs.firstKey, mpopArgs.numKeys);
  if (at === WRONG_TYPE) return;
  if (at < 0) return ctx.reply.nilArray();
  popFrom(ctx, argv[at], ctx.db.objectValue<ZSet>(ctx.db.find(argv[at], ctx.now)), mpopArgs.max, mpopArgs.count, PopShape.NestedWithKey);
}

/**
 * Blocking pops: pop from the first existing zset of argv[first, first + n), else block
 * (or reply the null array when the client may not block).
 */
function blockingPop(ctx: ExecContext, argv: Buffer[], first: number, n: number, timeoutArg: Buffer, max: boolean, count: number, shape: PopShape): void {
  const timeout = parseBlockTimeout(ctx.reply, timeoutArg);
  if (timeout < 0) return;
  const at = firstZset(ctx, argv, first, n);
  if (at === WRONG_TYPE) return;
  if (at >= 0) return popFrom(ctx, argv[at], ctx.db.objectValue<ZSet>(ctx.db.find(argv[at], ctx.now)), max, count, shape);
  if (!ctx.canBlock) return ctx.reply.nilArray();
  ctx.block(argv.slice(first, first + n), timeout, 'nilArray');
}

function bzpop(ctx: ExecContext, argv: Buffer[], max: boolean): void {
  blockingPop(ctx, argv, 1, argv.length - 2, argv[argv.length - 1], max, -1, PopShape.FlatWithKey);
}

function bzmpop(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseMpop(ctx.reply, argv, 2)) return;
  blockingPop(ctx, argv, mpopArgs.firstKey, mpopArgs.numKeys, argv[1], mpopArgs.max, mpopArgs.count, PopShape.NestedWithKey);
}

/** True when a shard's reply is RESP2 or RESP3 null. */
function isNull(reply: Buffer): boolean {
  return reply[0] === 0x5f || (reply[1] === 0x2d && (reply[0] === 0x2a || reply[0] === 0x24));
}

/** Runs `single(key)` on each key's shard in order until one replies non-null; that reply, or null. */
async function popFirstAcross(tx: ShardTx, keys: Buffer[], single: (key: Buffer) => Buffer[]): Promise<Buffer | null> {
  for (const key of keys) {
    const reply = await tx.exec(tx.shardOf(key), single(key));
    if (!isNull(reply)) return reply;
  }
  return null;
}

const ZMPOP = Buffer.from('zmpop');
const ONE = Buffer.from('1');
const MIN = Buffer.from('min');
const MAX = Buffer.from('max');
const COUNT = Buffer.from('count');
const ZPOPMIN = Buffer.from('zpopmin');
const ZPOPMAX = Buffer.from('zpopmax');

/** [B]ZMPOP over keys of several shards: ZMPOP of one key at a time, in key order. */
async function zmpopAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, blocking: boolean): Promise<void> {
  if (!parseMpop(reply, argv, blocking ? 2 : 1)) return;
  const timeout = blocking ? parseBlockTimeout(reply, argv[1]) : 0;
  if (timeout < 0) return;
  const side = mpopArgs.max ? MAX : MIN;
  const count = Buffer.from(String(mpopArgs.count));
  const keys = argv.slice(mpopArgs.firstKey, mpopArgs.firstKey + mpopArgs.numKeys);
  const found = await popFirstAcross(tx, keys, (key) => [ZMPOP, ONE, key, side, COUNT, count]);
  if (found !== null) reply.raw(found);
  else if (blocking) await blockAcross(tx, reply, keys, timeout);
  else reply.nilArray();
}

/** BZPOPMIN/BZPOPMAX over keys of several shards: ZPOPMIN/ZPOPMAX of one key at a time, in key order. */
async function bzpopAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, max: boolean): Promise<void> {
  const timeout = parseBlockTimeout(reply, argv[argv.length - 1]);
  if (timeout < 0) return;
  const pop = max ? ZPOPMAX : ZPOPMIN;
  for (let i = 1; i < argv.length - 1; i++) {
    const popped = await tx.exec(tx.shardOf(argv[i]), [pop, argv[i]]);
    if (isError(popped)) return reply.raw(popped);
    const elements = arrayElements(popped);
    if (elements.length === 0) continue;
    reply.array(3);
    reply.bulk(argv[i]);
    for (const element of elements) reply.raw(element);
    return;
  }
  await blockAcross(tx, reply, argv.slice(1, -1), timeout);
}

// ---- ZRANDMEMBER -------------------------------------------------------------------

/** Ranks picked by ZRANDMEMBER with a positive count (reused). */
let pickedRanks = new Int32Array(0);

function zrandmember(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  if (argv.length === 2) {
    const z = zsetAt(ctx, argv[1], false);
    if (z === undefined) return;
    if (z === null) return reply.nil();
    z.seek(Math.floor(Math.random() * z.size));
    return reply.bulkSlice(z.buf, z.curStart, z.curEnd);
  }
  const parsed = parseInteger(argv[2]);
  if (parsed === null) return reply.error(NOT_INTEGER);
  if (parsed === LONG_MIN) return reply.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  let count = Number(parsed);
  let withScores = false;
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], 'WITHSCORES'))) return reply.error(SYNTAX);
  if (argv.length === 4) {
    withScores = true;
    if (parsed < -HALF_LONG_MAX || parsed > HALF_LONG_MAX) return reply.error('ERR value is out of range');
  }
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  if (z === null || count === 0) return reply.array(0);
  const pairs = withScores && reply.proto === 3;
  const size = z.size;
  const unique = count > 0;
  if (!unique) count = -count;
  if (!unique || count === 1) {
    reply.array(withScores && !pairs ? count * 2 : count);
    for (let i = 0; i < count; i++) replyRandomPick(reply, z, Math.floor(Math.random() * size), withScores, pairs);
    return;
  }
  // The whole set, in the order Redis's zset iterator walks it: from the highest score down.
  if (count >= size) return replyElements(reply, z, size - 1, size, true, withScores);
  // A partial Fisher-Yates shuffle of the ranks picks `count` distinct ones in random order.
  if (pickedRanks.length < size) pickedRanks = new Int32Array(size);
  for (let i = 0; i < size; i++) pickedRanks[i] = i;
  reply.array(withScores && !pairs ? count * 2 : count);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const rank = pickedRanks[j];
    pickedRanks[j] = pickedRanks[i];
    replyRandomPick(reply, z, rank, withScores, pairs);
  }
}

function replyRandomPick(reply: ReplyWriter, z: ZSet, rank: number, withScores: boolean, pairs: boolean): void {
  z.seek(rank);
  if (pairs) reply.array(2);
  reply.bulkSlice(z.buf, z.curStart, z.curEnd);
  if (withScores) reply.double(z.curScore);
}

// ---- ZUNION ZINTER ZDIFF (+STORE) ZINTERCARD ---------------------------------------

const enum SetOp { Union, Inter, Diff }
const enum Aggregate { Sum, Min, Max }

/** Options of the current ZUNION/ZINTER/ZDIFF/ZINTERCARD call. */
const combineArgs = { weights: [] as number[], aggregate: Aggregate.Sum, withScores: false, limit: 0 };

/** numkeys of a ZUNION-like command (argv[numKeysAt]), or -1 after the error. */
function parseSetCount(reply: ReplyWriter, argv: Buffer[], numKeysAt: number, name: string): number {
  const n = parseLong(argv[numKeysAt]);
  if (n !== n) {
    reply.error(NOT_INTEGER);
    return -1;
  }
  if (n < 1) {
    reply.error(`ERR at least 1 input key is needed for '${name}' command`);
    return -1;
  }
  if (n > argv.length - (numKeysAt + 1)) {
    reply.error(SYNTAX);
    return -1;
  }
  return n;
}

/** Parses WEIGHTS / AGGREGATE / WITHSCORES / LIMIT from argv[at] into combineArgs; false after the error. */
function parseCombineOptions(reply: ReplyWriter, argv: Buffer[], at: number, setCount: number, op: SetOp, store: boolean, cardOnly: boolean): boolean {
  const { weights } = combineArgs;
  weights.length = setCount;
  weights.fill(1);
  combineArgs.aggregate = Aggregate.Sum;
  combineArgs.withScores = false;
  combineArgs.limit = 0;
  for (let j = at; j < argv.length;) {
    const remaining = argv.length - j;
    if (op !== SetOp.Diff && !cardOnly && remaining >= setCount + 1 && isKeyword(argv[j], 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setCount; i++, j++) {
        const w = parseFloat64(argv[j]);
        if (w === null) {
          reply.error('ERR weight value is not a float');
          return false;
        }
        weights[i] = w;
      }
    } else if (op !== SetOp.Diff && !cardOnly && remaining >= 2 && isKeyword(argv[j], 'AGGREGATE')) {
      const name = argv[j + 1];
      if (isKeyword(name, 'SUM')) combineArgs.aggregate = Aggregate.Sum;
      else if (isKeyword(name, 'MIN')) combineArgs.aggregate = Aggregate.Min;
      else if (isKeyword(name, 'MAX')) combineArgs.aggregate = Aggregate.Max;
      else {
        reply.error(SYNTAX);
        return false;
      }
      j += 2;
    } else if (!store && !cardOnly && isKeyword(argv[j], 'WITHSCORES')) {
      combineArgs.withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && isKeyword(argv[j], 'LIMIT')) {
      combineArgs.limit = parseNonNegative(reply, argv[j + 1], "ERR LIMIT can't be negative");
      if (combineArgs.limit < 0) return false;
      j += 2;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  return true;
}

function aggregate(target: number, value: number): number {
  switch (combineArgs.aggregate) {
    case Aggregate.Sum: {
      const sum = target + value;
      // inf + -inf: Redis keeps 0 rather than NaN.
      return sum === sum ? sum : 0;
    }
    case Aggregate.Min: return value < target ? value : target;
    default: return value > target ? value : target;
  }
}

/** The current cursor member of z (a view, valid until z changes). */
function cursorMember(z: ZSet): Buffer {
  return z.buf.subarray(z.curStart, z.curEnd);
}

/**
 * Redis zunionInterDiffGenericCommand's computation over the sources in key order
 * (null for a missing key), with combineArgs' weights and aggregate. Returns the result
 * zset (in the form to store it in when `forStore`), or with `cardOnly` the
 * intersection's size (up to combineArgs.limit when non-zero).
 */
function combine(sources: Array<ZSet | null>, op: SetOp, cardOnly: boolean, forStore: boolean): ZSet | number {
  const { weights } = combineArgs;
  const sizeOf = (i: number): number => (sources[i] === null ? 0 : sources[i]!.size);
  const order = sources.map((_, i) => i);
  if (op !== SetOp.Diff) order.sort((a, b) => sizeOf(a) - sizeOf(b));
  // Built in the tree form, as Redis builds a skiplist; a stored result may go back to the packed form.
  const result = new ZSet(Number.MAX_SAFE_INTEGER);
  let cardinality = 0;
  if (op === SetOp.Union) {
    for (const i of order) {
      const z = sources[i];
      if (z === null || z.size === 0) continue;
      z.seek(0);
      do {
        let score = weights[i] * z.curScore;
        if (score !== score) score = 0;
        const member = cursorMember(z);
        const current = result.score(member);
        if (current !== current) {
          result.set(member, score);
        } else {
          const combined = aggregate(current, score);
          if (!Object.is(combined, current)) result.set(member, combined);
        }
      } while (z.next());
    }
  } else if (op === SetOp.Inter) {
    const first = sources[order[0]];
    if (first !== null && first.size > 0) {
      first.seek(0);
      do {
        let score = weights[order[0]] * first.curScore;
        if (score !== score) score = 0;
        const member = cursorMember(first);
        let k = 1;
        for (; k < order.length; k++) {
          const value = sources[order[k]]!.score(member);
          if (value !== value) break;
          score = aggregate(score, value * weights[order[k]]);
        }
        if (k < order.length) continue;
        if (cardOnly) {
          cardinality++;
          if (combineArgs.limit > 0 && cardinality >= combineArgs.limit) break;
        } else {
          result.set(member, score);
        }
      } while (first.next());
    }
  } else {
    const first = sources[0];
    if (first !== null && first.size > 0) {
      first.seek(0);
      do {
        const member = cursorMember(first);
        let found = false;
        for (let k = 1; k < sources.length && !found; k++) {
          const other = sources[k];
          found = other !== null && other.score(member) === other.score(member);
        }
        if (!found) result.set(member, first.curScore);
      } while (first.next());
    }
  }
  if (cardOnly) return cardinality;
  if (forStore) result.convertToPackedIfFits();
  return result;
}

/** Replies a ZUNION/ZINTER/ZDIFF/ZINTERCARD result. */
function replyCombined(reply: ReplyWriter, result: ZSet | number): void {
  if (typeof result === 'number') reply.int(result);
  else replyElements(reply, result, 0, result.size, false, combineArgs.withScores);
}

/**
 * The members of the set at handle h as a zset with every score 1 (how ZUNION reads plain
 * sets), or undefined after an error when the set family provides no member walk.
 */
function setAsZSet(ctx: ExecContext, h: number): ZSet | undefined {
  const forEachMember = valueTypeOps(ValueType.Set).forEachMember;
  if (forEachMember === undefined) {
    ctx.reply.error('ERR plain sets as sources need the set type to register forEachMember');
    return undefined;
  }
  const z = new ZSet();
  forEachMember(ctx.db, h, (member) => z.set(member, 1));
  return z;
}

/** A ZUNION source key: its zset (a plain set read as one), null when missing, undefined after an error. */
function readSource(ctx: ExecContext, key: Buffer): ZSet | null | undefined {
  const h = lookupRead(ctx, key);
  if (h < 0) return null;
  const type = ctx.db.type(h);
  if (type === ValueType.ZSet) return ctx.db.objectValue<ZSet>(h);
  if (type === ValueType.Set) return setAsZSet(ctx, h);
  ctx.reply.error(WRONGTYPE);
  return undefined;
}

/** _zset-source key: the key's zset (or set, as a zset) serialized, nil when missing, or WRONGTYPE. */
function sourcePayload(ctx: ExecContext, argv: Buffer[]): void {
  const z = readSource(ctx, argv[1]);
  if (z === null) ctx.reply.nil();
  else if (z !== undefined) ctx.reply.bulk(z.serialize());
}

/** The keyspace event of each Z*STORE command, by SetOp; sent as an argument to _zset-store. */
const STORE_EVENTS = ['zunionstore', 'zinterstore', 'zdiffstore'];

function combineCommand(ctx: ExecContext, argv: Buffer[], op: SetOp, store: boolean, cardOnly: boolean): void {
  const numKeysAt = store ? 2 : 1;
  const setCount = parseSetCount(ctx.reply, argv, numKeysAt, argv[0].latin1Slice(0, argv[0].length).toLowerCase());
  if (setCount < 0) return;
  const sources: Array<ZSet | null> = [];
  for (let i = 0; i < setCount; i++) {
    const z = readSource(ctx, argv[numKeysAt + 1 + i]);
    if (z === undefined) return;
    sources.push(z);
  }
  if (!parseCombineOptions(ctx.reply, argv, numKeysAt + 1 + setCount, setCount, op, store, cardOnly)) return;
  const result = combine(sources, op, cardOnly, store);
  if (store) storeResult(ctx, argv[1], result as ZSet, STORE_EVENTS[op]);
  else replyCombined(ctx.reply, result);
}

async function combineAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, op: SetOp, store: boolean, cardOnly: boolean): Promise<void> {
  const numKeysAt = store ? 2 : 1;
  const setCount = parseSetCount(reply, argv, numKeysAt, argv[0].latin1Slice(0, argv[0].length).toLowerCase());
  if (setCount < 0) return;
  const sources: Array<ZSet | null> = [];
  for (let i = 0; i < setCount; i++) {
    const key = argv[numKeysAt + 1 + i];
    const fetched = await tx.exec(tx.shardOf(key), [ZSET_SOURCE, key]);
    if (isError(fetched)) return reply.raw(fetched);
    const payload = bulkOf(fetched);
    sources.push(payload === null ? null : ZSet.deserialize(payload));
  }
  if (!parseCombineOptions(reply, argv, numKeysAt + 1 + setCount, setCount, op, store, cardOnly)) return;
  const result = combine(sources, op, cardOnly, store);
  if (store) reply.raw(await tx.exec(tx.shardOf(argv[1]), [ZSET_STORE, argv[1], (result as ZSet).serialize(), Buffer.from(STORE_EVENTS[op])]));
  else replyCombined(reply, result);
}

// ---- ZSCAN -------------------------------------------------------------------------

const scanFound: Buffer[] = [];
const scanScores: number[] = [];

function zscan(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return reply.error(INVALID_CURSOR);
  const z = zsetAt(ctx, argv[1], false);
  if (z === undefined) return;
  if (z === null) {
    reply.array(2);
    reply.bulkString('0');
    return reply.array(0);
  }
  if (!parseElementScanOptions(argv, reply)) return;
  scanFound.length = 0;
  scanScores.length = 0;
  let next = 0;
  if (z.encoding === 'listpack') {
    // A packed set is returned whole, in one call.
    for (let pos = 0; pos < z.size; pos++) collectScanned(z, pos);
  } else {
    // Positions are element ids, stable for as long as a member stays in the set.
    const bound = z.scanBound;
    let pos = cursor < BigInt(bound) ? Number(cursor) : bound;
    for (let visited = 0; pos < bound && visited < elementScan.count; pos++) {
      if (collectScanned(z, pos)) visited++;
    }
    next = pos < bound ? pos : 0;
  }
  reply.array(2);
  reply.bulkString(String(next));
  reply.array(scanFound.length * 2);
  for (let i = 0; i < scanFound.length; i++) {
    reply.bulk(scanFound[i]);
    reply.bulkString(formatDouble(scanScores[i]));
  }
  scanFound.length = 0;
}

/** Collects the element at a scan position when there is one and it matches; true when there was one. */
function collectScanned(z: ZSet, pos: number): boolean {
  if (!z.loadScanPosition(pos)) return false;
  const member = cursorMember(z);
  if (scanMatches(member)) {
    scanFound.push(Buffer.from(member));
    scanScores.push(z.curScore);
  }
  return true;
}

// ---- value type --------------------------------------------------------------------

registerValueType(ValueType.ZSet, {
  encoding: (db, h) => db.objectValue<ZSet>(h).encoding,
  serialize: (db, h) => db.objectValue<ZSet>(h).serialize(),
  restore: (db, key, payload, expireAt) => db.setObject(key, ValueType.ZSet, ZSet.deserialize(payload), expireAt),
});

// ---- declarations ----------------------------------------------------------------------

/** Key positions of a numkeys-style call: [dest], then numkeys keys after argv[numKeysAt]. */
function numKeysPositions(argv: Buffer[], numKeysAt: number, destination: boolean): number[] {
  const positions: number[] = destination ? [1] : [];
  const n = numKeysAt < argv.length ? parseSafeInteger(argv[numKeysAt]) : null;
  if (typeof n === 'number' && n >= 1 && numKeysAt + n < argv.length) {
    for (let i = 1; i <= n; i++) positions.push(numKeysAt + i);
  }
  return positions;
}

function keyAt(index: number, flags: KeySpec['flags'], lastkey = 0): KeySpec {
  return { flags, begin: { index }, find: { lastkey, keystep: 1, limit: 0 } };
}

function numKeysSpec(index: number, flags: KeySpec['flags']): KeySpec {
  return { flags, begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } };
}

const KEY1: readonly [number, number, number] = [1, 1, 1];
const NO_KEYS: readonly [number, number, number] = [0, 0, 0];
const WRITE_FAST = ['write', 'sortedset', 'fast'];
const WRITE_SLOW = ['write', 'sortedset', 'slow'];
const READ_FAST = ['read', 'sortedset', 'fast'];
const READ_SLOW = ['read', 'sortedset', 'slow'];
const BLOCKING_FAST = ['write', 'sortedset', 'fast', 'blocking'];
const BLOCKING_SLOW = ['write', 'sortedset', 'slow', 'blocking'];
const G = 'sorted-set';
const DELETE_SPEC = [keyAt(1, ['RW', 'delete'])];
const POP_SPEC = [keyAt(1, ['RW', 'access', 'delete'])];
const STORE_SPECS = [keyAt(1, ['OW', 'update']), numKeysSpec(2, ['RO', 'access'])];
const READ_NUMKEYS_SPEC = [numKeysSpec(1, ['RO', 'access'])];
const RANGE_BY_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const REMRANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const POP_COMPLEXITY = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
const MPOP_COMPLEXITY = 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';
const UNION_COMPLEXITY = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER_COMPLEXITY = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF_COMPLEXITY = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
const RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';

export const zsetCommands = [
  command({ name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: G, summary: 'Add one or more members to a sorted set, or update its score if it already exists', since: '1.2.0', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', handler: (ctx, argv) => zadd(ctx, argv, 0) }),
  command({ name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: KEY1, acl: WRITE_FAST, group: G, summary: 'Increment the score of a member in a sorted set', since: '1.2.0', complexity: 'O(log(N)) where N is the number of elements in the sorted set.', keySpecs: [keyAt(1, ['RW', 'access', 'update'])], handler: (ctx, argv) => zadd(ctx, argv, AddFlag.INCR) }),
  command({ name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: KEY1, acl: WRITE_FAST, group: G, summary: 'Remove one or more members from a sorted set', since: '1.2.0', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', keySpecs: DELETE_SPEC, handler: zrem }),
  command({ name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Get the number of members in a sorted set', since: '1.2.0', complexity: 'O(1)', keySpecs: [keyAt(1, ['RO'])], handler: zcard }),
  command({ name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Count the members in a sorted set with scores within the given values', since: '2.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zcount }),
  command({ name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Count the number of members in a sorted set between a given lexicographical range', since: '2.8.9', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zlexcount }),
  command({ name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Get the score associated with the given member in a sorted set', since: '1.2.0', complexity: 'O(1)', handler: zscore }),
  command({ name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Get the score associated with the given members in a sorted set', since: '6.2.0', complexity: 'O(N) where N is the number of members being requested.', handler: zmscore }),
  command({ name: 'zrank', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Determine the index of a member in a sorted set', since: '2.0.0', complexity: 'O(log(N))', handler: (ctx, argv) => zrank(ctx, argv, false) }),
  command({ name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], keys: KEY1, acl: READ_FAST, group: G, summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', since: '2.0.0', complexity: 'O(log(N))', handler: (ctx, argv) => zrank(ctx, argv, true) }),
  command({ name: 'zrange', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Return a range of members in a sorted set', since: '1.2.0', complexity: RANGE_COMPLEXITY, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, RangeSink.Client, RangeBy.Auto, Direction.Auto) }),
  command({ name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl: WRITE_SLOW, group: G, summary: 'Store a range of members from sorted set into another key', since: '6.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.', keySpecs: [keyAt(1, ['OW', 'update']), keyAt(2, ['RO', 'access'])], coordinate: zrangestoreAcross, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 2, RangeSink.Store, RangeBy.Auto, Direction.Auto) }),
  command({ name: 'zrevrange', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', since: '1.2.0', complexity: RANGE_COMPLEXITY, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, RangeSink.Client, RangeBy.Rank, Direction.Reverse) }),
  command({ name: 'zrangebyscore', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Return a range of members in a sorted set, by score', since: '1.0.5', complexity: RANGE_BY_COMPLEXITY, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, RangeSink.Client, RangeBy.Score, Direction.Forward) }),
  command({ name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', since: '2.2.0', complexity: RANGE_BY_COMPLEXITY, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, RangeSink.Client, RangeBy.Score, Direction.Reverse) }),
  command({ name: 'zrangebylex', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Return a range of members in a sorted set, by lexicographical range', since: '2.8.9', complexity: RANGE_BY_COMPLEXITY, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, RangeSink.Client, RangeBy.Lex, Direction.Forward) }),
  command({ name: 'zrevrangebylex', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', since: '2.8.9', complexity: RANGE_BY_COMPLEXITY, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, RangeSink.Client, RangeBy.Lex, Direction.Reverse) }),
  command({ name: 'zremrangebyrank', arity: 4, flags: ['write'], keys: KEY1, acl: WRITE_SLOW, group: G, summary: 'Remove all members in a sorted set within the given indexes', since: '2.0.0', complexity: REMRANGE_COMPLEXITY, keySpecs: DELETE_SPEC, handler: (ctx, argv) => zremrange(ctx, argv, RangeBy.Rank) }),
  command({ name: 'zremrangebyscore', arity: 4, flags: ['write'], keys: KEY1, acl: WRITE_SLOW, group: G, summary: 'Remove all members in a sorted set within the given scores', since: '1.2.0', complexity: REMRANGE_COMPLEXITY, keySpecs: DELETE_SPEC, handler: (ctx, argv) => zremrange(ctx, argv, RangeBy.Score) }),
  command({ name: 'zremrangebylex', arity: 4, flags: ['write'], keys: KEY1, acl: WRITE_SLOW, group: G, summary: 'Remove all members in a sorted set between the given lexicographical range', since: '2.8.9', complexity: REMRANGE_COMPLEXITY, keySpecs: DELETE_SPEC, handler: (ctx, argv) => zremrange(ctx, argv, RangeBy.Lex) }),
  command({ name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keys: KEY1, acl: WRITE_FAST, group: G, summary: 'Remove and return members with the lowest scores in a sorted set', since: '5.0.0', complexity: POP_COMPLEXITY, keySpecs: POP_SPEC, handler: (ctx, argv) => zpop(ctx, argv, false) }),
  command({ name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keys: KEY1, acl: WRITE_FAST, group: G, summary: 'Remove and return members with the highest scores in a sorted set', since: '5.0.0', complexity: POP_COMPLEXITY, keySpecs: POP_SPEC, handler: (ctx, argv) => zpop(ctx, argv, true) }),
  command({ name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], keys: NO_KEYS, acl: WRITE_SLOW, group: G, summary: 'Remove and return members with scores in a sorted set', since: '7.0.0', complexity: MPOP_COMPLEXITY, keySpecs: [numKeysSpec(1, ['RW', 'access', 'delete'])], route: 'keys', keyFinder: (argv) => numKeysPositions(argv, 1, false), coordinate: (tx, argv, reply) => zmpopAcross(tx, argv, reply, false), handler: zmpop }),
  command({ name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: [1, -2, 1], acl: BLOCKING_FAST, group: G, summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', since: '5.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', keySpecs: [keyAt(1, ['RW', 'access', 'delete'], -2)], coordinate: (tx, argv, reply) => bzpopAcross(tx, argv, reply, false), handler: (ctx, argv) => bzpop(ctx, argv, false) }),
  command({ name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: [1, -2, 1], acl: BLOCKING_FAST, group: G, summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', since: '5.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', keySpecs: [keyAt(1, ['RW', 'access', 'delete'], -2)], coordinate: (tx, argv, reply) => bzpopAcross(tx, argv, reply, true), handler: (ctx, argv) => bzpop(ctx, argv, true) }),
  command({ name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], keys: NO_KEYS, acl: BLOCKING_SLOW, group: G, summary: 'Remove and return members with scores in a sorted set or block until one is available', since: '7.0.0', complexity: MPOP_COMPLEXITY, keySpecs: [numKeysSpec(2, ['RW', 'access', 'delete'])], route: 'keys', keyFinder: (argv) => numKeysPositions(argv, 2, false), coordinate: (tx, argv, reply) => zmpopAcross(tx, argv, reply, true), handler: bzmpop }),
  command({ name: 'zrandmember', arity: -2, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Get one or multiple random elements from a sorted set', since: '6.2.0', complexity: 'O(N) where N is the number of elements returned', tips: ['nondeterministic_output'], handler: zrandmember }),
  command({ name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], keys: NO_KEYS, acl: READ_SLOW, group: G, summary: 'Add multiple sorted sets', since: '6.2.0', complexity: UNION_COMPLEXITY, keySpecs: READ_NUMKEYS_SPEC, route: 'keys', keyFinder: (argv) => numKeysPositions(argv, 1, false), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Union, false, false), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Union, false, false) }),
  command({ name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], keys: NO_KEYS, acl: READ_SLOW, group: G, summary: 'Intersect multiple sorted sets', since: '6.2.0', complexity: INTER_COMPLEXITY, keySpecs: READ_NUMKEYS_SPEC, route: 'keys', keyFinder: (argv) => numKeysPositions(argv, 1, false), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Inter, false, false), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Inter, false, false) }),
  command({ name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], keys: NO_KEYS, acl: READ_SLOW, group: G, summary: 'Subtract multiple sorted sets', since: '6.2.0', complexity: DIFF_COMPLEXITY, keySpecs: READ_NUMKEYS_SPEC, route: 'keys', keyFinder: (argv) => numKeysPositions(argv, 1, false), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Diff, false, false), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Diff, false, false) }),
  command({ name: 'zunionstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keys: KEY1, acl: WRITE_SLOW, group: G, summary: 'Add multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.', keySpecs: STORE_SPECS, keyFinder: (argv) => numKeysPositions(argv, 2, true), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Union, true, false), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Union, true, false) }),
  command({ name: 'zinterstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keys: KEY1, acl: WRITE_SLOW, group: G, summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', complexity: INTER_COMPLEXITY, keySpecs: STORE_SPECS, keyFinder: (argv) => numKeysPositions(argv, 2, true), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Inter, true, false), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Inter, true, false) }),
  command({ name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keys: KEY1, acl: WRITE_SLOW, group: G, summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', since: '6.2.0', complexity: DIFF_COMPLEXITY, keySpecs: STORE_SPECS, keyFinder: (argv) => numKeysPositions(argv, 2, true), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Diff, true, false), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Diff, true, false) }),
  command({ name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], keys: NO_KEYS, acl: READ_SLOW, group: G, summary: 'Intersect multiple sorted sets and return the cardinality of the result', since: '7.0.0', complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.', keySpecs: READ_NUMKEYS_SPEC, route: 'keys', keyFinder: (argv) => numKeysPositions(argv, 1, false), coordinate: (tx, argv, reply) => combineAcross(tx, argv, reply, SetOp.Inter, false, true), handler: (ctx, argv) => combineCommand(ctx, argv, SetOp.Inter, false, true) }),
  command({ name: 'zscan', arity: -3, flags: ['readonly'], keys: KEY1, acl: READ_SLOW, group: G, summary: 'Incrementally iterate sorted sets elements and associated scores', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..', tips: ['nondeterministic_output'], handler: zscan }),
  // Shard-side steps of the multi-shard coordinators above.
  command({ name: '_zset-source', arity: 2, flags: ['readonly'], keys: KEY1, acl: [], group: G, summary: 'A zset (or set, as a zset) serialized', since: '7.0.0', internal: true, handler: sourcePayload }),
  command({ name: '_zset-store', arity: 4, flags: ['write', 'denyoom'], keys: KEY1, acl: [], group: G, summary: 'Store a serialized zset', since: '7.0.0', internal: true, handler: storePayload }),
  command({ name: '_zset-rangestore', arity: -5, flags: ['readonly'], keys: [2, 2, 1], acl: [], group: G, summary: 'ZRANGESTORE range of the source, serialized', since: '7.0.0', internal: true, handler: (ctx, argv) => zrangeGeneric(ctx, argv, 2, RangeSink.Payload, RangeBy.Auto, Direction.Auto) }),
];
