// Stream commands (Redis t_stream.c), over store/stream/.
//
// Blocking XREAD/XREADGROUP: a call that finds nothing blocks with a re-run
// argv of its own, `_xread-resume <original argv>` with every `$` replaced by
// the stream's last ID at the time it blocked (a re-run must not resolve `$`
// again). The resume form serves one stream, as Redis serves the key that got
// data; XREADGROUP also blocks with wakeOnWrite, so when its stream is deleted
// or overwritten it fails (-UNBLOCKED / -NOGROUP) instead of waiting forever.
//
// With --threads > 1, XREAD/XREADGROUP over keys of different shards run as a
// coordinator of single-key reads; they never block across shards (a BLOCK
// call that finds nothing gets an error instead).

import { command, type CommandDecl, type ExecContext, type KeySpec, type ShardTx } from '../dispatch/command';
import { arrayElements, bulkOf, isError } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import { config } from '../config';
import { INVALID_ENTRIES_READ, Nack, pelFind, pelInsert, pelLowerBound, pelRemove, type Consumer, type ConsumerGroup } from '../store/stream/groups';
import { StreamId, parseStreamId, parsedIdInfo } from '../store/stream/id';
import { Stream, StreamIterator, type TrimArgs } from '../store/stream/stream';
import { NO_EXPIRE, ValueType } from '../store/types';
import { isKeyword } from '../util/keyword';
import { parseInteger, parseSafeInteger } from '../util/number';
import { crossShardBlockError } from './blocking-args';
import { NOT_INTEGER, NO_SUCH_KEY, SYNTAX, WRONGTYPE, WRONG_ARITY } from './errors';
import { lookupRead, lookupTyped, WRONG_TYPE } from './lookup';
import { replyHelp, subcommandSyntaxError } from './server/help';
import { registerValueType } from './value-types';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';

const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const ID_TOO_SMALL = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
const ID_ZERO = 'ERR The ID specified in XADD must be greater than 0-0';
const ID_EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';
const TOO_LARGE = 'ERR Elements are too large to be stored';
const MAXLEN_NEGATIVE = 'ERR The MAXLEN argument must be >= 0.';
const LIMIT_NEGATIVE = 'ERR The LIMIT argument must be >= 0.';
const MAXLEN_AND_MINID = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';
const LIMIT_WITHOUT_STRATEGY = 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy';
const XTRIM_WITHOUT_STRATEGY = 'ERR syntax error, XTRIM must be called with a trimming strategy';
const LIMIT_WITHOUT_APPROX = 'ERR syntax error, LIMIT cannot be used without the special ~ option';
const INVALID_START = 'ERR invalid start ID for the interval';
const INVALID_END = 'ERR invalid end ID for the interval';
const TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';
const TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
const GROUP_ONLY_XREADGROUP = 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.';
const NOACK_ONLY_XREADGROUP = 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.';
const MISSING_GROUP = 'ERR Missing GROUP option for XREADGROUP';
const DOLLAR_IN_GROUP =
  'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.';
const GT_WITHOUT_GROUP = 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.';
const KEY_GONE = 'UNBLOCKED the stream key no longer exists';
const GROUP_GONE = 'NOGROUP the consumer group this client was blocked on no longer exists';
const XGROUP_NEEDS_KEY =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';
const ENTRIESREAD_RANGE = 'ERR value for ENTRIESREAD must be positive or -1';
const BUSYGROUP = 'BUSYGROUP Consumer Group name already exists';
const ENTRIES_ADDED_NEGATIVE = 'ERR entries_added must be positive';
const SETID_BELOW_MAX_DELETED = 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id';
const SETID_BELOW_TOP = 'ERR The ID specified in XSETID is smaller than the target stream top item';
const SETID_BELOW_LENGTH = 'ERR The entries_added specified in XSETID is smaller than the target stream length';
const COUNT_NOT_POSITIVE = 'ERR COUNT must be > 0';
const AUTOCLAIM_TOO_MANY = 'ERR Insufficient memory, failed allocating transient memory, COUNT too high.';

/** Without COUNT, a re-run blocked XREAD serves at most this many entries (Redis XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/** Longest timer Node can arm; longer blocking timeouts wait this long. */
const MAX_TIMER_MS = 0x7fffffff;
/** XAUTOCLAIM COUNT's upper bound: LONG_MAX / sizeof(streamID), as Redis. */
const AUTOCLAIM_MAX_COUNT = 576460752303423487n;
/** Past this COUNT, Redis's transient allocation of the deleted-IDs array fails. */
const AUTOCLAIM_ALLOC_LIMIT = 2 ** 32;

const RESUME = Buffer.from('_xread-resume');
const XREAD = Buffer.from('xread');
const XREADGROUP = Buffer.from('xreadgroup');
const XREAD_CHECK = Buffer.from('_xread-check');
const COUNT = Buffer.from('COUNT');
const STREAMS = Buffer.from('STREAMS');
const GROUP = Buffer.from('GROUP');
const NOACK = Buffer.from('NOACK');
const EMPTY = Buffer.alloc(0);

/** Scratch iterators and IDs (handlers run one at a time per thread). */
const rangeIterator = new StreamIterator();
const entryIterator = new StreamIterator();
const idA = new StreamId();
const idB = new StreamId();
const idC = new StreamId();

// ---- small helpers -------------------------------------------------------------------

function streamAt(ctx: ExecContext, h: number): Stream {
  return ctx.db.objectValue<Stream>(h);
}

function newStream(ctx: ExecContext, key: Buffer): Stream {
  const s = new Stream();
  ctx.db.setObject(key, ValueType.Stream, s, NO_EXPIRE);
  return s;
}

function keyText(key: Uint8Array): string {
  const nul = key.indexOf(0);
  const n = nul < 0 ? key.length : nul;
  return Buffer.from(key.buffer, key.byteOffset, n).latin1Slice(0, n);
}

/** Redis getLongLongFromObject: a safe integer, +/-MAX_SAFE for valid int64 beyond it, or null. */
function parseLongLong(arg: Buffer): number | null {
  const n = parseSafeInteger(arg);
  if (n === undefined) return arg[0] === 0x2d ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return n;
}

/** Strict ID argument (no "-"/"+"), or false after replying the error. */
function parseStrictId(reply: ReplyWriter, arg: Buffer, out: StreamId): boolean {
  if (parseStreamId(arg, out, false, true)) return true;
  reply.error(INVALID_ID);
  return false;
}

/** Redis streamParseIntervalIDOrReply: "(" makes it exclusive; false after replying an error. */
function parseRangeBound(reply: ReplyWriter, arg: Buffer, out: StreamId, isEnd: boolean): boolean {
  const exclusive = arg.length > 1 && arg[0] === 0x28;
  const ok = exclusive ? parseStreamId(arg.subarray(1), out, isEnd, true) : parseStreamId(arg, out, isEnd, false);
  if (!ok) {
    reply.error(INVALID_ID);
    return false;
  }
  if (exclusive && !(isEnd ? out.decr() : out.incr())) {
    reply.error(isEnd ? INVALID_END : INVALID_START);
    return false;
  }
  return true;
}

function replyId(reply: ReplyWriter, id: StreamId): void {
  reply.bulkString(id.toString());
}

/** Inserts protocol text at `mark`, before the reply bytes written since (a deferred length). */
function insertAt(reply: ReplyWriter, mark: number, text: string): void {
  reply.ensure(text.length);
  reply.buf.copyWithin(mark + text.length, mark, reply.len);
  reply.buf.latin1Write(text, mark);
  reply.len += text.length;
}

/** Writes an array (or RESP3 map) header of n before the reply bytes written since `mark`. */
function insertHeader(reply: ReplyWriter, mark: number, n: number, map = false): void {
  insertAt(reply, mark, `${map && reply.proto === 3 ? '%' : '*'}${n}\r\n`);
}

/** Replies the iterator's current entry: [id, [field, value, ...]]. */
function replyEntry(reply: ReplyWriter, it: StreamIterator): void {
  reply.array(2);
  replyId(reply, it.id);
  reply.array(it.numFields * 2);
  for (let i = 0; i < it.numFields; i++) {
    it.nextField();
    reply.bulkSlice(it.buf, it.fieldStart, it.fieldEnd);
    reply.bulkSlice(it.buf, it.valueStart, it.valueEnd);
  }
}

/** Replies the live entry with this ID; false (nothing replied) when there is none. */
function replyEntryById(reply: ReplyWriter, s: Stream, id: StreamId): boolean {
  if (!entryIterator.seek(s, id, id, false).next()) return false;
  replyEntry(reply, entryIterator);
  return true;
}

// ---- entries-read bookkeeping (Redis 7.0 consumer group lag) ----------------------------

/** Redis streamRangeHasTombstones: may a deleted entry lie in [start, end]? */
function rangeHasTombstones(s: Stream, start: StreamId | null, end: StreamId | null): boolean {
  const maxDeleted = s.maxDeletedId;
  if (s.length === 0 || maxDeleted.isZero()) return false;
  if (s.firstId.compare(maxDeleted) > 0) return false;
  if (start !== null && start.compare(maxDeleted) > 0) return false;
  if (end !== null && maxDeleted.compare(end) > 0) return false;
  return true;
}

/** Redis streamEstimateDistanceFromFirstEverEntry: the logical read counter of id, or INVALID_ENTRIES_READ. */
function entriesReadAt(s: Stream, id: StreamId): number {
  if (s.entriesAdded === 0) return 0;
  const cmpLast = id.compare(s.lastId);
  if (s.length === 0 && cmpLast < 1) return s.entriesAdded;
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return INVALID_ENTRIES_READ;
  const cmpFirst = id.compare(s.firstId);
  if (s.maxDeletedId.isZero() || s.maxDeletedId.compare(s.firstId) < 0) {
    if (cmpFirst < 0) return s.entriesAdded - s.length;
    if (cmpFirst === 0) return s.entriesAdded - s.length + 1;
  }
  return INVALID_ENTRIES_READ;
}

/** Redis streamReplyWithCGLag. */
function replyLag(reply: ReplyWriter, s: Stream, g: ConsumerGroup): void {
  if (s.entriesAdded === 0) return reply.int(0);
  if (g.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(s, g.lastId, null)) return reply.int(s.entriesAdded - g.entriesRead);
  const read = entriesReadAt(s, g.lastId);
  if (read !== INVALID_ENTRIES_READ) reply.int(s.entriesAdded - read);
  else reply.nil();
}

function replyEntriesRead(reply: ReplyWriter, g: ConsumerGroup): void {
  if (g.entriesRead !== INVALID_ENTRIES_READ) reply.int(g.entriesRead);
  else reply.nil();
}

// ---- ranges -------------------------------------------------------------------------

/**
 * Redis streamReplyWithRange: replies up to count (0 = all) entries in [start, end] as an
 * array. With a group, delivers them to it: advances its last ID and read counter and,
 * unless noack, records them as pending for consumer.
 */
function replyRange(
  reply: ReplyWriter, s: Stream, start: StreamId | null, end: StreamId | null, count: number, rev: boolean,
  group: ConsumerGroup | null, consumer: Consumer | null, noack: boolean, now: number,
): number {
  const mark = reply.len;
  let n = 0;
  const it = rangeIterator.seek(s, start, end, rev);
  while (it.next()) {
    if (group !== null && it.id.compare(group.lastId) > 0) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !rangeHasTombstones(s, it.id, null)) group.entriesRead++;
      else if (s.entriesAdded !== 0) group.entriesRead = entriesReadAt(s, it.id);
      group.lastId.setFrom(it.id);
    }
    if (group !== null && !noack) deliver(group, consumer!, it.id, now);
    replyEntry(reply, it);
    n++;
    if (count !== 0 && n === count) break;
  }
  insertHeader(reply, mark, n);
  return n;
}

/** Records id as delivered to consumer now (reassigning it if another consumer had it). */
function deliver(group: ConsumerGroup, consumer: Consumer, id: StreamId, now: number): void {
  const nack = pelFind(group.pel, id);
  if (nack === null) {
    const created = new Nack(id.copy(), consumer, now, 1);
    pelInsert(group.pel, created);
    pelInsert(consumer.pel, created);
    return;
  }
  if (nack.consumer !== consumer) {
    pelRemove(nack.consumer!.pel, id);
    pelInsert(consumer.pel, nack);
    nack.consumer = consumer;
  }
  nack.deliveryTime = now;
  nack.deliveryCount = 1;
}

/** Redis streamReplyWithRangeFromConsumerPEL: the consumer's pending entries from start. */
function replyHistory(reply: ReplyWriter, s: Stream, start: StreamId, count: number, consumer: Consumer, now: number): void {
  const mark = reply.len;
  let n = 0;
  const pel = consumer.pel;
  for (let i = pelLowerBound(pel, start); i < pel.length && (count === 0 || n < count); i++) {
    const nack = pel[i];
    if (replyEntryById(reply, s, nack.id)) {
      nack.deliveryTime = now;
      nack.deliveryCount++;
    } else {
      reply.array(2);
      replyId(reply, nack.id);
      reply.nilArray();
    }
    n++;
  }
  insertHeader(reply, mark, n);
}

function xrange(ctx: ExecContext, argv: Buffer[], rev: boolean): void {
  const start = idA;
  const end = idB;
  if (!parseRangeBound(ctx.reply, rev ? argv[3] : argv[2], start, false)) return;
  if (!parseRangeBound(ctx.reply, rev ? argv[2] : argv[3], end, true)) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isKeyword(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = parseLongLong(argv[++j]);
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      count = n < 0 ? 0 : n;
    } else {
      return ctx.reply.error(SYNTAX);
    }
  }
  const h = lookupTyped(ctx, argv[1], ValueType.Stream);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.array(0);
  if (count === 0) return ctx.reply.nilArray();
  replyRange(ctx.reply, streamAt(ctx, h), start, end, count < 0 ? 0 : count, rev, null, null, false, ctx.now);
}

function xlen(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.Stream);
  if (h === WRONG_TYPE) return;
  ctx.reply.int(h < 0 ? 0 : streamAt(ctx, h).length);
}

// ---- XADD / XTRIM ------------------------------------------------------------------

/** What XADD/XTRIM options say (Redis streamAddTrimArgs). */
const addArgs = {
  id: new StreamId(),
  idGiven: false,
  seqGiven: true,
  noMkStream: false,
  hasStrategy: false,
  limitGiven: false,
  trim: { byLength: true, maxLength: 0, minId: new StreamId(), approx: false, limit: 0 } as TrimArgs,
};

/** Redis streamParseAddOrTrimArgsOrReply: the position of XADD's ID argument, or -1 after replying an error. */
function parseAddOrTrim(reply: ReplyWriter, argv: Buffer[], xadd: boolean): number {
  const a = addArgs;
  a.idGiven = false;
  a.seqGiven = true;
  a.noMkStream = false;
  a.hasStrategy = false;
  a.limitGiven = false;
  a.trim.approx = false;
  a.trim.limit = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt.length === 1 && opt[0] === 0x2a) break;
    const isMaxLen = isKeyword(opt, 'MAXLEN');
    if ((isMaxLen || isKeyword(opt, 'MINID')) && moreArgs > 0) {
      if (a.hasStrategy) {
        reply.error(MAXLEN_AND_MINID);
        return -1;
      }
      a.trim.approx = false;
      const next = argv[i + 1];
      if (moreArgs >= 2 && next.length === 1 && (next[0] === 0x7e || next[0] === 0x3d)) {
        a.trim.approx = next[0] === 0x7e;
        i++;
      }
      if (isMaxLen) {
        const n = parseLongLong(argv[i + 1]);
        if (n === null) {
          reply.error(NOT_INTEGER);
          return -1;
        }
        if (n < 0) {
          reply.error(MAXLEN_NEGATIVE);
          return -1;
        }
        a.trim.maxLength = n;
      } else if (!parseStrictId(reply, argv[i + 1], a.trim.minId)) {
        return -1;
      }
      i++;
      a.trim.byLength = isMaxLen;
      a.hasStrategy = true;
    } else if (isKeyword(opt, 'LIMIT') && moreArgs > 0) {
      const n = parseLongLong(argv[i + 1]);
      if (n === null) {
        reply.error(NOT_INTEGER);
        return -1;
      }
      if (n < 0) {
        reply.error(LIMIT_NEGATIVE);
        return -1;
      }
      a.trim.limit = n;
      a.limitGiven = true;
      i++;
    } else if (xadd && isKeyword(opt, 'NOMKSTREAM')) {
      a.noMkStream = true;
    } else if (xadd) {
      if (!parseStreamId(opt, a.id, false, true, true)) {
        reply.error(INVALID_ID);
        return -1;
      }
      a.seqGiven = parsedIdInfo.seqGiven;
      a.idGiven = true;
      break;
    } else {
      reply.error(SYNTAX);
      return -1;
    }
  }
  if (a.trim.limit !== 0 && !a.hasStrategy) {
    reply.error(LIMIT_WITHOUT_STRATEGY);
    return -1;
  }
  if (!xadd && !a.hasStrategy) {
    reply.error(XTRIM_WITHOUT_STRATEGY);
    return -1;
  }
  if (a.limitGiven) {
    if (!a.trim.approx) {
      reply.error(LIMIT_WITHOUT_APPROX);
      return -1;
    }
  } else if (a.trim.approx) {
    // Approximate trimming does at most ~100 blocks of work unless LIMIT says otherwise.
    const limit = 100 * config.numeric('stream-node-max-entries');
    a.trim.limit = limit <= 0 ? 10000 : Math.min(limit, 1000000);
  } else {
    a.trim.limit = 0;
  }
  return i;
}

/** The ID XADD would give its entry in stream s (null: a new stream), into out; an error text if it can't. */
function nextAddId(s: Stream | null, out: StreamId, now: number): string | null {
  const last = s === null ? idC.setZero() : s.lastId;
  const a = addArgs;
  if (!a.idGiven) {
    // Redis streamNextID: the clock, or one past the last ID when the clock is not ahead of it.
    if (now > last.msHi * 4294967296 + last.msLo) out.setNumbers(now, 0);
    else out.setFrom(last).incr();
  } else {
    out.setFrom(a.id);
    if (!a.seqGiven && last.msHi === out.msHi && last.msLo === out.msLo) {
      if (last.seqHi === 0xffffffff && last.seqLo === 0xffffffff) return TOO_LARGE;
      out.setFrom(last);
      out.incr();
    }
  }
  return out.compare(last) <= 0 ? ID_TOO_SMALL : null;
}

function xadd(ctx: ExecContext, argv: Buffer[]): void {
  const idPos = parseAddOrTrim(ctx.reply, argv, true);
  if (idPos < 0) return;
  const fieldPos = idPos + 1;
  if (argv.length - fieldPos < 2 || (argv.length - fieldPos) % 2 === 1) return ctx.reply.error(WRONG_ARITY('xadd'));
  const a = addArgs;
  if (a.idGiven && a.seqGiven && a.id.isZero()) return ctx.reply.error(ID_ZERO);
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.Stream, true);
  if (h === WRONG_TYPE) return;
  if (h < 0 && a.noMkStream) return ctx.reply.nil();
  let s: Stream | null = h >= 0 ? streamAt(ctx, h) : null;
  if (s !== null && s.lastId.isMax()) return ctx.reply.error(ID_EXHAUSTED);
  const id = idB;
  const error = nextAddId(s, id, ctx.now);
  if (error !== null) return ctx.reply.error(error);
  if (s === null) s = newStream(ctx, key);
  s.append(argv, fieldPos, (argv.length - fieldPos) / 2, id, config.numeric('stream-node-max-bytes'), config.numeric('stream-node-max-entries'));
  replyId(ctx.reply, id);
  notifyKeyspaceEvent(ctx, EventClass.Stream, 'xadd', key);
  if (a.hasStrategy && s.trim(a.trim) > 0) notifyKeyspaceEvent(ctx, EventClass.Stream, 'xtrim', key);
  ctx.signalReady(key);
}

function xtrim(ctx: ExecContext, argv: Buffer[]): void {
  if (parseAddOrTrim(ctx.reply, argv, false) < 0) return;
  const h = lookupTyped(ctx, argv[1], ValueType.Stream, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.int(0);
  const deleted = streamAt(ctx, h).trim(addArgs.trim);
  if (deleted > 0) notifyKeyspaceEvent(ctx, EventClass.Stream, 'xtrim', argv[1]);
  ctx.reply.int(deleted);
}

function xdel(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.Stream, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.int(0);
  const ids = parseIds(ctx.reply, argv, 2);
  if (ids === null) return;
  const s = streamAt(ctx, h);
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (id.compare(s.firstId) === 0) firstDeleted = true;
    if (id.compare(s.maxDeletedId) > 0) s.maxDeletedId.setFrom(id);
    deleted++;
  }
  if (deleted > 0) {
    if (s.length === 0) s.firstId.setZero();
    else if (firstDeleted) s.edgeId(true, s.firstId);
    notifyKeyspaceEvent(ctx, EventClass.Stream, 'xdel', argv[1]);
  }
  ctx.reply.int(deleted);
}

/** Strict IDs argv[from..], or null after replying the error. */
function parseIds(reply: ReplyWriter, argv: Buffer[], from: number): StreamId[] | null {
  const ids: StreamId[] = [];
  for (let j = from; j < argv.length; j++) {
    const id = new StreamId();
    if (!parseStrictId(reply, argv[j], id)) return null;
    ids.push(id);
  }
  return ids;
}

function xsetid(ctx: ExecContext, argv: Buffer[]): void {
  const id = idA;
  const maxDeleted = idB.setZero();
  if (!parseStrictId(ctx.reply, argv[2], id)) return;
  let entriesAdded = -1;
  for (let i = 3; i < argv.length; i += 2) {
    const moreArgs = argv.length - 1 - i;
    if (isKeyword(argv[i], 'ENTRIESADDED') && moreArgs > 0) {
      const n = parseLongLong(argv[i + 1]);
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      if (n < 0) return ctx.reply.error(ENTRIES_ADDED_NEGATIVE);
      entriesAdded = n;
    } else if (isKeyword(argv[i], 'MAXDELETEDID') && moreArgs > 0) {
      if (!parseStrictId(ctx.reply, argv[i + 1], maxDeleted)) return;
      if (id.compare(maxDeleted) < 0) return ctx.reply.error(SETID_BELOW_MAX_DELETED);
    } else {
      return ctx.reply.error(SYNTAX);
    }
  }
  const h = lookupTyped(ctx, argv[1], ValueType.Stream, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) return ctx.reply.error(NO_SUCH_KEY);
  const s = streamAt(ctx, h);
  if (s.length > 0) {
    s.edgeId(false, idC);
    if (id.compare(idC) < 0) return ctx.reply.error(SETID_BELOW_TOP);
    if (entriesAdded !== -1 && s.length > entriesAdded) return ctx.reply.error(SETID_BELOW_LENGTH);
  }
  s.lastId.setFrom(id);
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!maxDeleted.isZero()) s.maxDeletedId.setFrom(maxDeleted);
  ctx.reply.ok();
  notifyKeyspaceEvent(ctx, EventClass.Stream, 'xsetid', argv[1]);
}

// ---- XREAD / XREADGROUP -----------------------------------------------------------

/** What XREAD/XREADGROUP options say. */
interface ReadArgs {
  group: boolean;
  timeoutMs: number;
  count: number;
  noack: boolean;
  groupName: Buffer;
  consumerName: Buffer;
  streamsAt: number;
  streams: number;
}

const readArgs: ReadArgs = { group: false, timeoutMs: -1, count: 0, noack: false, groupName: EMPTY, consumerName: EMPTY, streamsAt: 0, streams: 0 };

/** Parses XREAD/XREADGROUP options (argv[0] is the command); false after replying an error. */
function parseRead(reply: ReplyWriter, argv: Buffer[], group: boolean): boolean {
  const r = readArgs;
  r.group = group;
  r.timeoutMs = -1;
  r.count = 0;
  r.noack = false;
  r.groupName = EMPTY;
  r.consumerName = EMPTY;
  r.streamsAt = 0;
  let hasGroup = false;
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const opt = argv[i];
    if (isKeyword(opt, 'BLOCK') && moreArgs > 0) {
      const ms = parseLongLong(argv[++i]);
      if (ms === null) {
        reply.error(TIMEOUT_NOT_INTEGER);
        return false;
      }
      if (ms < 0) {
        reply.error(TIMEOUT_NEGATIVE);
        return false;
      }
      r.timeoutMs = Math.min(ms, MAX_TIMER_MS);
    } else if (isKeyword(opt, 'COUNT') && moreArgs > 0) {
      const n = parseLongLong(argv[++i]);
      if (n === null) {
        reply.error(NOT_INTEGER);
        return false;
      }
      r.count = n < 0 ? 0 : n;
    } else if (isKeyword(opt, 'STREAMS') && moreArgs > 0) {
      r.streamsAt = i + 1;
      const n = argv.length - r.streamsAt;
      if (n % 2 !== 0) {
        reply.error(UNBALANCED);
        return false;
      }
      r.streams = n / 2;
      break;
    } else if (isKeyword(opt, 'GROUP') && moreArgs >= 2) {
      if (!group) {
        reply.error(GROUP_ONLY_XREADGROUP);
        return false;
      }
      r.groupName = argv[i + 1];
      r.consumerName = argv[i + 2];
      hasGroup = true;
      i += 2;
    } else if (isKeyword(opt, 'NOACK')) {
      if (!group) {
        reply.error(NOACK_ONLY_XREADGROUP);
        return false;
      }
      r.noack = true;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  if (r.streamsAt === 0) {
    reply.error(SYNTAX);
    return false;
  }
  if (group && !hasGroup) {
    reply.error(MISSING_GROUP);
    return false;
  }
  return true;
}

/**
 * The per-stream part of XREAD's argument checks: resolves stream i's ID argument into out
 * (`>` as the last possible ID, `$` as the stream's last ID) and its group into groups[i].
 * False after replying an error.
 */
function resolveStream(ctx: ExecContext, key: Buffer, idArg: Buffer, out: StreamId, groups: Array<ConsumerGroup | null>): boolean {
  const r = readArgs;
  const h = lookupRead(ctx, key);
  if (h >= 0 && ctx.db.type(h) !== ValueType.Stream) {
    ctx.reply.error(WRONGTYPE);
    return false;
  }
  const s = h >= 0 ? streamAt(ctx, h) : null;
  let group: ConsumerGroup | null = null;
  if (r.group) {
    group = s === null ? null : s.group(r.groupName);
    if (group === null) {
      ctx.reply.error(`NOGROUP No such key '${keyText(key)}' or consumer group '${keyText(r.groupName)}' in XREADGROUP with GROUP option`);
      return false;
    }
  }
  groups.push(group);
  if (idArg.length === 1 && idArg[0] === 0x24) {
    if (r.group) {
      ctx.reply.error(DOLLAR_IN_GROUP);
      return false;
    }
    if (s !== null) out.setFrom(s.lastId);
    else out.setZero();
    return true;
  }
  if (idArg.length === 1 && idArg[0] === 0x3e) {
    if (!r.group) {
      ctx.reply.error(GT_WITHOUT_GROUP);
      return false;
    }
    out.setMax();
    return true;
  }
  return parseStrictId(ctx.reply, idArg, out);
}

/** Serves stream s into reply for XREAD(GROUP) from after gt; `history` reads the consumer's PEL. */
function serveStream(ctx: ExecContext, reply: ReplyWriter, s: Stream, key: Buffer, gt: StreamId, group: ConsumerGroup | null, history: boolean, count: number): void {
  const r = readArgs;
  if (reply.proto === 2) reply.array(2);
  reply.bulk(key);
  let consumer: Consumer | null = null;
  if (group !== null) {
    consumer = lookupOrCreateConsumer(ctx, key, group, r.consumerName);
  }
  const start = idC.setFrom(gt);
  start.incr();
  if (history) replyHistory(reply, s, start, count, consumer!, ctx.now);
  else replyRange(reply, s, start, null, count, false, group, consumer, r.noack, ctx.now);
}

/** XREAD and XREADGROUP (argv[0] names which); `resume` for the re-run of a blocked call. */
function xread(ctx: ExecContext, argv: Buffer[], group: boolean, resume: boolean): void {
  if (!parseRead(ctx.reply, argv, group)) return;
  if (resume) return resumeRead(ctx, argv);
  const r = readArgs;
  const ids: StreamId[] = [];
  const groups: Array<ConsumerGroup | null> = [];
  for (let i = 0; i < r.streams; i++) {
    const id = new StreamId();
    if (!resolveStream(ctx, argv[r.streamsAt + i], argv[r.streamsAt + r.streams + i], id, groups)) return;
    ids.push(id);
  }
  const reply = ctx.reply;
  const mark = reply.len;
  let served = 0;
  let resolvedDollar = false;
  for (let i = 0; i < r.streams; i++) {
    const key = argv[r.streamsAt + i];
    const idArg = argv[r.streamsAt + r.streams + i];
    if (idArg.length === 1 && idArg[0] === 0x24) resolvedDollar = true;
    const h = lookupRead(ctx, key);
    if (h < 0) continue;
    const s = streamAt(ctx, h);
    const gt = ids[i];
    const g = groups[i];
    let serve = false;
    let history = false;
    if (g !== null) {
      if (!gt.isMax()) {
        serve = history = true;
      } else if (s.length > 0 && s.edgeId(false, idA) && idA.compare(g.lastId) > 0) {
        serve = true;
        gt.setFrom(g.lastId);
      }
    } else if (s.length > 0 && s.edgeId(false, idA) && idA.compare(gt) > 0) {
      serve = true;
    }
    if (!serve) continue;
    served++;
    serveStream(ctx, reply, s, key, gt, g, history, r.count);
  }
  if (served > 0) return insertHeader(reply, mark, served, true);
  if (r.timeoutMs < 0 || !ctx.canBlock) return reply.nilArray();
  const keys = argv.slice(r.streamsAt, r.streamsAt + r.streams);
  const rerunArgv = [RESUME, ...argv];
  if (resolvedDollar) {
    for (let i = 0; i < r.streams; i++) {
      const at = 1 + r.streamsAt + r.streams + i;
      if (rerunArgv[at].length === 1 && rerunArgv[at][0] === 0x24) rerunArgv[at] = Buffer.from(ids[i].toString());
    }
  }
  ctx.block(keys, r.timeoutMs, 'nilArray', { rerunArgv, wakeOnWrite: group });
}

/**
 * A blocked XREAD(GROUP) run again (Redis serveClientsBlockedOnStreamKey): serves the first
 * stream that got entries past its ID, alone; XREADGROUP fails if its stream or group is gone.
 */
function resumeRead(ctx: ExecContext, argv: Buffer[]): void {
  const r = readArgs;
  const count = r.count === 0 ? BLOCKED_DEFAULT_COUNT : r.count;
  const gt = idB;
  for (let i = 0; i < r.streams; i++) {
    const key = argv[r.streamsAt + i];
    const h = lookupRead(ctx, key);
    const s = h >= 0 && ctx.db.type(h) === ValueType.Stream ? streamAt(ctx, h) : null;
    let group: ConsumerGroup | null = null;
    if (r.group) {
      if (s === null) return ctx.reply.error(KEY_GONE);
      group = s.group(r.groupName);
      if (group === null) return ctx.reply.error(GROUP_GONE);
      gt.setFrom(group.lastId);
    } else {
      if (s === null) continue;
      parseStreamId(argv[r.streamsAt + r.streams + i], gt, false, true);
    }
    if (s.lastId.compare(gt) <= 0) continue;
    const reply = ctx.reply;
    if (reply.proto === 3) reply.map(1);
    else reply.array(1);
    return serveStream(ctx, reply, s, key, gt, group, false, count);
  }
  // Still nothing: stay blocked (during a re-run, block() only reports that).
  ctx.block([], 0, 'nilArray');
}

/** Key positions of XREAD/XREADGROUP (Redis xreadGetKeys); argv[base] is the command name. */
function readKeys(argv: Buffer[], base: number): number[] {
  let streamsAt = -1;
  for (let i = base + 1; i < argv.length; i++) {
    const arg = argv[i];
    if (isKeyword(arg, 'BLOCK') || isKeyword(arg, 'COUNT')) i++;
    else if (isKeyword(arg, 'GROUP')) i += 2;
    else if (isKeyword(arg, 'NOACK')) continue;
    else {
      if (isKeyword(arg, 'STREAMS')) streamsAt = i;
      break;
    }
  }
  const n = argv.length - streamsAt - 1;
  const keys: number[] = [];
  if (streamsAt < 0 || n === 0 || n % 2 !== 0) return keys;
  for (let i = 1; i <= n / 2; i++) keys.push(streamsAt + i);
  return keys;
}

/** `_xread-check key group id`: the per-stream checks of XREAD(GROUP) for a coordinator; replies the resolved ID. */
function xreadCheck(ctx: ExecContext, argv: Buffer[]): void {
  readArgs.group = argv[2].length > 0;
  readArgs.groupName = argv[2];
  const groups: Array<ConsumerGroup | null> = [];
  if (!resolveStream(ctx, argv[1], argv[3], idA, groups)) return;
  if (idA.isMax() && readArgs.group) ctx.reply.bulkString('>');
  else replyId(ctx.reply, idA);
}

/**
 * XREAD(GROUP) over keys of several shards: the per-stream checks in key order, then one
 * single-key read per stream, assembled into one reply. Never blocks.
 */
async function xreadAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, group: boolean): Promise<void> {
  if (!parseRead(reply, argv, group)) return;
  const r = { ...readArgs };
  const keys = argv.slice(r.streamsAt, r.streamsAt + r.streams);
  const resolved: Buffer[] = [];
  for (let i = 0; i < r.streams; i++) {
    const check = await tx.exec(tx.shardOf(keys[i]), [XREAD_CHECK, keys[i], group ? r.groupName : EMPTY, argv[r.streamsAt + r.streams + i]]);
    if (isError(check)) return reply.raw(check);
    resolved.push(Buffer.from(bulkOf(check)!));
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < r.streams; i++) {
    const single = group ? [XREADGROUP, GROUP, r.groupName, r.consumerName] : [XREAD];
    if (r.count > 0) single.push(COUNT, Buffer.from(String(r.count)));
    if (r.noack) single.push(NOACK);
    single.push(STREAMS, keys[i], resolved[i]);
    const out = await tx.exec(tx.shardOf(keys[i]), single);
    if (isError(out)) return reply.raw(out);
    if (out[0] === 0x5f || (out[0] === 0x2a && out[1] === 0x2d)) continue;
    // One stream: RESP2 *1 *2 key entries, RESP3 %1 key entries: keep the pair's elements.
    if (out[0] === 0x25) parts.push(out.subarray(out.indexOf(10) + 1));
    else parts.push(arrayElements(out)[0]);
  }
  if (parts.length === 0) {
    if (r.timeoutMs >= 0) return reply.error(crossShardBlockError(group ? 'XREADGROUP' : 'XREAD'));
    return reply.nilArray();
  }
  if (reply.proto === 3) reply.map(parts.length);
  else reply.array(parts.length);
  for (const part of parts) reply.raw(part);
}

// ---- XGROUP --------------------------------------------------------------------------

/** Parsed MKSTREAM / ENTRIESREAD options of XGROUP CREATE/SETID. */
const groupOptions = { mkStream: false, entriesRead: INVALID_ENTRIES_READ };

/**
 * The checks every XGROUP subcommand but HELP shares (Redis xgroupCommand's preamble): the
 * stream (null when missing and MKSTREAM allows it) and group; undefined after an error.
 */
function xgroupPreamble(ctx: ExecContext, argv: Buffer[], needsGroup: boolean): { s: Stream | null; group: ConsumerGroup | null } | undefined {
  const sub = argv[1];
  const create = isKeyword(sub, 'CREATE');
  const setid = isKeyword(sub, 'SETID');
  groupOptions.mkStream = false;
  groupOptions.entriesRead = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length; ) {
    if (create && isKeyword(argv[i], 'MKSTREAM')) {
      groupOptions.mkStream = true;
      i++;
    } else if ((create || setid) && isKeyword(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
      const n = parseLongLong(argv[i + 1]);
      if (n === null) return void ctx.reply.error(NOT_INTEGER);
      if (n < 0 && n !== INVALID_ENTRIES_READ) return void ctx.reply.error(ENTRIESREAD_RANGE);
      groupOptions.entriesRead = n;
      i += 2;
    } else {
      return void ctx.reply.error(subcommandSyntaxError('XGROUP', sub));
    }
  }
  const h = lookupTyped(ctx, argv[2], ValueType.Stream, true);
  if (h === WRONG_TYPE) return undefined;
  const s = h >= 0 ? streamAt(ctx, h) : null;
  if (groupOptions.mkStream) return { s, group: s?.group(argv[3]) ?? null };
  if (s === null) return void ctx.reply.error(XGROUP_NEEDS_KEY);
  const group = s.group(argv[3]);
  if (group === null && needsGroup) return void ctx.reply.error(`NOGROUP No such consumer group '${keyText(argv[3])}' for key name '${keyText(argv[2])}'`);
  return { s, group };
}

function xgroupCreate(ctx: ExecContext, argv: Buffer[]): void {
  const found = xgroupPreamble(ctx, argv, false);
  if (found === undefined) return;
  if (argv.length > 8) return ctx.reply.error(subcommandSyntaxError('XGROUP', argv[1]));
  const id = idA;
  if (argv[4].length === 1 && argv[4][0] === 0x24) {
    if (found.s !== null) id.setFrom(found.s.lastId);
    else id.setZero();
  } else if (!parseStrictId(ctx.reply, argv[4], id)) {
    return;
  }
  const s = found.s ?? newStream(ctx, argv[2]);
  if (s.createGroup(argv[3], id, groupOptions.entriesRead) === null) return ctx.reply.error(BUSYGROUP);
  ctx.reply.ok();
  notifyKeyspaceEvent(ctx, EventClass.Stream, 'xgroup-create', argv[2]);
}

function xgroupSetid(ctx: ExecContext, argv: Buffer[]): void {
  const found = xgroupPreamble(ctx, argv, true);
  if (found === undefined) return;
  if (argv.length !== 5 && argv.length !== 7) return ctx.reply.error(subcommandSyntaxError('XGROUP', argv[1]));
  const group = found.group!;
  if (argv[4].length === 1 && argv[4][0] === 0x24) {
    group.lastId.setFrom(found.s!.lastId);
  } else if (!parseStreamId(argv[4], idA, false, false)) {
    return ctx.reply.error(INVALID_ID);
  } else {
    group.lastId.setFrom(idA);
  }
  group.entriesRead = groupOptions.entriesRead;
  ctx.reply.ok();
  notifyKeyspaceEvent(ctx, EventClass.Stream, 'xgroup-setid', argv[2]);
}

function xgroupDestroy(ctx: ExecContext, argv: Buffer[]): void {
  const found = xgroupPreamble(ctx, argv, false);
  if (found === undefined) return;
  if (found.group === null) return ctx.reply.int(0);
  found.s!.deleteGroup(argv[3]);
  ctx.reply.int(1);
  notifyKeyspaceEvent(ctx, EventClass.Stream, 'xgroup-destroy', argv[2]);
  // Clients blocked on the group fail with -NOGROUP.
  ctx.signalReady(argv[2]);
}

function xgroupCreateConsumer(ctx: ExecContext, argv: Buffer[]): void {
  const found = xgroupPreamble(ctx, argv, true);
  if (found === undefined) return;
  ctx.reply.int(createConsumer(ctx, argv[2], found.group!, argv[4]) !== null ? 1 : 0);
}

function xgroupDelConsumer(ctx: ExecContext, argv: Buffer[]): void {
  const found = xgroupPreamble(ctx, argv, true);
  if (found === undefined) return;
  const group = found.group!;
  const consumer = group.consumer(argv[4]);
  if (consumer === null) return ctx.reply.int(0);
  ctx.reply.int(group.deleteConsumer(consumer));
  notifyKeyspaceEvent(ctx, EventClass.Stream, 'xgroup-delconsumer', argv[2]);
}

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

// ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM ------------------------------------------------

/** The stream at key and its group `name` for a write: undefined after replying WRONGTYPE, nulls when missing. */
function streamAndGroup(ctx: ExecContext, key: Buffer, name: Buffer): { s: Stream | null; group: ConsumerGroup | null } | undefined {
  const h = lookupTyped(ctx, key, ValueType.Stream);
  if (h === WRONG_TYPE) return undefined;
  const s = h >= 0 ? streamAt(ctx, h) : null;
  return { s, group: s === null ? null : s.group(name) };
}

function noSuchGroup(key: Buffer, group: Buffer): string {
  return `NOGROUP No such key '${keyText(key)}' or consumer group '${keyText(group)}'`;
}

function xack(ctx: ExecContext, argv: Buffer[]): void {
  const found = streamAndGroup(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  if (found.group === null) return ctx.reply.int(0);
  const ids = parseIds(ctx.reply, argv, 3);
  if (ids === null) return;
  const group = found.group;
  let acknowledged = 0;
  for (const id of ids) {
    const nack = pelFind(group.pel, id);
    if (nack === null) continue;
    pelRemove(group.pel, id);
    pelRemove(nack.consumer!.pel, id);
    acknowledged++;
  }
  ctx.reply.int(acknowledged);
}

function xpending(ctx: ExecContext, argv: Buffer[]): void {
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) return ctx.reply.error(SYNTAX);
  const start = idA;
  const end = idB;
  let count = 0;
  let minIdle = 0;
  let consumerName: Buffer | null = null;
  if (!summary) {
    let at = 3;
    if (isKeyword(argv[3], 'IDLE')) {
      const n = parseLongLong(argv[4]);
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      if (argv.length < 8) return ctx.reply.error(SYNTAX);
      minIdle = n;
      at += 2;
    }
    const n = parseLongLong(argv[at + 2]);
    if (n === null) return ctx.reply.error(NOT_INTEGER);
    count = n < 0 ? 0 : n;
    if (!parseRangeBound(ctx.reply, argv[at], start, false)) return;
    if (!parseRangeBound(ctx.reply, argv[at + 1], end, true)) return;
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const found = streamAndGroup(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  const group = found.group;
  if (group === null) return ctx.reply.error(noSuchGroup(argv[1], argv[2]));
  const reply = ctx.reply;
  if (summary) {
    reply.array(4);
    reply.int(group.pel.length);
    if (group.pel.length === 0) {
      reply.nil();
      reply.nil();
      reply.nilArray();
      return;
    }
    replyId(reply, group.pel[0].id);
    replyId(reply, group.pel[group.pel.length - 1].id);
    const owners = group.consumers.filter((c) => c.pel.length > 0);
    reply.array(owners.length);
    for (const c of owners) {
      reply.array(2);
      reply.bulk(c.name);
      reply.bulkString(String(c.pel.length));
    }
    return;
  }
  let pel = group.pel;
  if (consumerName !== null) {
    const consumer = group.consumer(consumerName);
    if (consumer === null) return reply.array(0);
    pel = consumer.pel;
  }
  const now = ctx.now;
  const mark = reply.len;
  let n = 0;
  for (let i = pelLowerBound(pel, start); count > 0 && i < pel.length && pel[i].id.compare(end) <= 0; i++) {
    const nack = pel[i];
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    n++;
    count--;
    reply.array(4);
    replyId(reply, nack.id);
    reply.bulk(nack.consumer!.name);
    reply.int(Math.max(0, now - nack.deliveryTime));
    reply.int(nack.deliveryCount);
  }
  insertHeader(reply, mark, n);
}

/** Moves a pending entry to consumer (XCLAIM/XAUTOCLAIM). */
function claim(nack: Nack, consumer: Consumer): void {
  if (nack.consumer === consumer) return;
  if (nack.consumer !== null) pelRemove(nack.consumer.pel, nack.id);
  pelInsert(consumer.pel, nack);
  nack.consumer = consumer;
}

/** Redis streamCreateConsumer: the new consumer of the group of the stream at key (null when it exists), with its event. */
function createConsumer(ctx: ExecContext, key: Buffer, group: ConsumerGroup, name: Buffer): Consumer | null {
  const consumer = group.createConsumer(name, ctx.now);
  if (consumer !== null) notifyKeyspaceEvent(ctx, EventClass.Stream, 'xgroup-createconsumer', key);
  return consumer;
}

function lookupOrCreateConsumer(ctx: ExecContext, key: Buffer, group: ConsumerGroup, name: Buffer): Consumer {
  const consumer = group.consumer(name);
  if (consumer === null) return createConsumer(ctx, key, group, name)!;
  consumer.seenTime = ctx.now;
  return consumer;
}

function xclaim(ctx: ExecContext, argv: Buffer[]): void {
  const found = streamAndGroup(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  const { s, group } = found;
  if (s === null || group === null) return ctx.reply.error(noSuchGroup(argv[1], argv[2]));
  const minIdleArg = parseLongLong(argv[4]);
  if (minIdleArg === null) return ctx.reply.error('ERR Invalid min-idle-time argument for XCLAIM');
  const minIdle = Math.max(0, minIdleArg);
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = new StreamId();
    if (!parseStreamId(argv[j], id, false, true)) break;
    ids.push(id);
  }
  const now = ctx.now;
  let force = false;
  let justId = false;
  let deliveryTime = -1;
  let retryCount = -1;
  const lastId = idA.setZero();
  for (; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j];
    if (isKeyword(opt, 'FORCE')) force = true;
    else if (isKeyword(opt, 'JUSTID')) justId = true;
    else if (isKeyword(opt, 'IDLE') && moreArgs > 0) {
      const n = parseLongLong(argv[++j]);
      if (n === null) return ctx.reply.error('ERR Invalid IDLE option argument for XCLAIM');
      deliveryTime = now - n;
    } else if (isKeyword(opt, 'TIME') && moreArgs > 0) {
      const n = parseLongLong(argv[++j]);
      if (n === null) return ctx.reply.error('ERR Invalid TIME option argument for XCLAIM');
      deliveryTime = n;
    } else if (isKeyword(opt, 'RETRYCOUNT') && moreArgs > 0) {
      const n = parseLongLong(argv[++j]);
      if (n === null) return ctx.reply.error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
      retryCount = n;
    } else if (isKeyword(opt, 'LASTID') && moreArgs > 0) {
      if (!parseStrictId(ctx.reply, argv[++j], lastId)) return;
    } else {
      return ctx.reply.error(`ERR Unrecognized XCLAIM option '${keyText(opt)}'`);
    }
  }
  if (lastId.compare(group.lastId) > 0) group.lastId.setFrom(lastId);
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const reply = ctx.reply;
  const mark = reply.len;
  let n = 0;
  let consumer: Consumer | null = null;
  for (const id of ids) {
    let nack = pelFind(group.pel, id);
    if (!s.has(id)) {
      if (nack !== null) {
        pelRemove(group.pel, id);
        pelRemove(nack.consumer!.pel, id);
      }
      continue;
    }
    if (force && nack === null) {
      nack = new Nack(id, null, now, 1);
      pelInsert(group.pel, nack);
    }
    if (nack === null) continue;
    if (nack.consumer !== null && minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === null) consumer = lookupOrCreateConsumer(ctx, argv[1], group, argv[3]);
    claim(nack, consumer);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    if (justId) replyId(reply, id);
    else replyEntryById(reply, s, id);
    n++;
  }
  insertHeader(reply, mark, n);
}

function xautoclaim(ctx: ExecContext, argv: Buffer[]): void {
  const minIdleArg = parseLongLong(argv[4]);
  if (minIdleArg === null) return ctx.reply.error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = Math.max(0, minIdleArg);
  const start = idA;
  if (!parseRangeBound(ctx.reply, argv[5], start, false)) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (isKeyword(argv[j], 'COUNT') && moreArgs > 0) {
      const n = parseInteger(argv[++j]);
      if (n === null || n < 1n || n > AUTOCLAIM_MAX_COUNT) return ctx.reply.error(COUNT_NOT_POSITIVE);
      count = Number(n);
    } else if (isKeyword(argv[j], 'JUSTID')) {
      justId = true;
    } else {
      return ctx.reply.error(SYNTAX);
    }
  }
  const found = streamAndGroup(ctx, argv[1], argv[2]);
  if (found === undefined) return;
  const { s, group } = found;
  if (s === null || group === null) return ctx.reply.error(noSuchGroup(argv[1], argv[2]));
  if (count > AUTOCLAIM_ALLOC_LIMIT) return ctx.reply.error(AUTOCLAIM_TOO_MANY);
  const reply = ctx.reply;
  const now = ctx.now;
  let attempts = count * 10;
  const deleted: StreamId[] = [];
  let consumer: Consumer | null = null;
  const pel = group.pel;
  let i = pelLowerBound(pel, start);
  reply.array(3);
  const mark = reply.len;
  let claimed = 0;
  while (attempts-- > 0 && count > 0 && i < pel.length) {
    const nack = pel[i];
    if (!s.has(nack.id)) {
      pel.splice(i, 1);
      pelRemove(nack.consumer!.pel, nack.id);
      deleted.push(nack.id);
      count--;
      continue;
    }
    i++;
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === null) consumer = lookupOrCreateConsumer(ctx, argv[1], group, argv[3]);
    claim(nack, consumer);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    if (justId) replyId(reply, nack.id);
    else replyEntryById(reply, s, nack.id);
    claimed++;
    count--;
  }
  insertHeader(reply, mark, claimed);
  // The cursor (next PEL entry, or 0-0) precedes the claimed entries.
  const cursor = (i < pel.length ? pel[i].id : idB.setZero()).toString();
  insertAt(reply, mark, `$${cursor.length}\r\n${cursor}\r\n`);
  reply.array(deleted.length);
  for (const id of deleted) replyId(reply, id);
}

// ---- XINFO ---------------------------------------------------------------------------

function infoStream(ctx: ExecContext, argv: Buffer[]): void {
  const s = infoTarget(ctx, argv);
  if (s === null) return;
  const options = argv.length - 3;
  let full = false;
  let count = 10;
  if (options !== 0) {
    if ((options !== 1 && options !== 3) || !isKeyword(argv[3], 'FULL') || (options === 3 && !isKeyword(argv[4], 'COUNT'))) {
      return ctx.reply.error(subcommandSyntaxError('XINFO', argv[1]));
    }
    full = true;
    if (options === 3) {
      const n = parseLongLong(argv[5]);
      if (n === null) return ctx.reply.error(NOT_INTEGER);
      count = n < 0 ? 10 : n;
    }
  }
  const r = ctx.reply;
  r.map(full ? 9 : 10);
  r.bulkString('length');
  r.int(s.length);
  r.bulkString('radix-tree-keys');
  r.int(s.blocks.length);
  r.bulkString('radix-tree-nodes');
  r.int(s.radixTreeNodes());
  r.bulkString('last-generated-id');
  replyId(r, s.lastId);
  r.bulkString('max-deleted-entry-id');
  replyId(r, s.maxDeletedId);
  r.bulkString('entries-added');
  r.int(s.entriesAdded);
  r.bulkString('recorded-first-entry-id');
  replyId(r, s.firstId);
  if (!full) {
    r.bulkString('groups');
    r.int(s.groups.length);
    r.bulkString('first-entry');
    if (rangeIterator.seek(s, null, null, false).next()) replyEntry(r, rangeIterator);
    else r.nil();
    r.bulkString('last-entry');
    if (rangeIterator.seek(s, null, null, true).next()) replyEntry(r, rangeIterator);
    else r.nil();
    return;
  }
  r.bulkString('entries');
  replyRange(r, s, null, null, count, false, null, null, false, ctx.now);
  r.bulkString('groups');
  r.array(s.groups.length);
  for (const g of s.groups) {
    r.map(7);
    r.bulkString('name');
    r.bulk(g.name);
    r.bulkString('last-delivered-id');
    replyId(r, g.lastId);
    r.bulkString('entries-read');
    replyEntriesRead(r, g);
    r.bulkString('lag');
    replyLag(r, s, g);
    r.bulkString('pel-count');
    r.int(g.pel.length);
    r.bulkString('pending');
    const pending = count === 0 ? g.pel.length : Math.min(count, g.pel.length);
    r.array(pending);
    for (let i = 0; i < pending; i++) {
      const nack = g.pel[i];
      r.array(4);
      replyId(r, nack.id);
      r.bulk(nack.consumer!.name);
      r.int(nack.deliveryTime);
      r.int(nack.deliveryCount);
    }
    r.bulkString('consumers');
    r.array(g.consumers.length);
    for (const c of g.consumers) {
      r.map(4);
      r.bulkString('name');
      r.bulk(c.name);
      r.bulkString('seen-time');
      r.int(c.seenTime);
      r.bulkString('pel-count');
      r.int(c.pel.length);
      r.bulkString('pending');
      const own = count === 0 ? c.pel.length : Math.min(count, c.pel.length);
      r.array(own);
      for (let i = 0; i < own; i++) {
        const nack = c.pel[i];
        r.array(3);
        replyId(r, nack.id);
        r.int(nack.deliveryTime);
        r.int(nack.deliveryCount);
      }
    }
  }
}

/** The stream XINFO inspects, or null after replying the error. */
function infoTarget(ctx: ExecContext, argv: Buffer[]): Stream | null {
  const h = lookupTyped(ctx, argv[2], ValueType.Stream);
  if (h === WRONG_TYPE) return null;
  if (h < 0) {
    ctx.reply.error(NO_SUCH_KEY);
    return null;
  }
  return streamAt(ctx, h);
}

function infoGroups(ctx: ExecContext, argv: Buffer[]): void {
  const s = infoTarget(ctx, argv);
  if (s === null) return;
  const r = ctx.reply;
  r.array(s.groups.length);
  for (const g of s.groups) {
    r.map(6);
    r.bulkString('name');
    r.bulk(g.name);
    r.bulkString('consumers');
    r.int(g.consumers.length);
    r.bulkString('pending');
    r.int(g.pel.length);
    r.bulkString('last-delivered-id');
    replyId(r, g.lastId);
    r.bulkString('entries-read');
    replyEntriesRead(r, g);
    r.bulkString('lag');
    replyLag(r, s, g);
  }
}

function infoConsumers(ctx: ExecContext, argv: Buffer[]): void {
  const s = infoTarget(ctx, argv);
  if (s === null) return;
  const g = s.group(argv[3]);
  if (g === null) return ctx.reply.error(`NOGROUP No such consumer group '${keyText(argv[3])}' for key name '${keyText(argv[2])}'`);
  const r = ctx.reply;
  r.array(g.consumers.length);
  for (const c of g.consumers) {
    r.map(3);
    r.bulkString('name');
    r.bulk(c.name);
    r.bulkString('pending');
    r.int(c.pel.length);
    r.bulkString('idle');
    r.int(Math.max(0, ctx.now - c.seenTime));
  }
}

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

// ---- value type ----------------------------------------------------------------------

registerValueType(ValueType.Stream, {
  encoding: () => 'stream',
  serialize: (db, h) => db.objectValue<Stream>(h).serialize(),
  restore: (db, key, payload, expireAt) => db.setObject(key, ValueType.Stream, Stream.restore(payload), expireAt),
});

// ---- declarations --------------------------------------------------------------------

function keyAt(index: number, flags: KeySpec['flags'], notes?: string): KeySpec {
  return { ...(notes ? { notes } : {}), flags, begin: { index }, find: { lastkey: 0, keystep: 1, limit: 0 } };
}

function streamsSpec(flags: KeySpec['flags'], startfrom: number): KeySpec[] {
  return [{ flags, begin: { keyword: 'STREAMS', startfrom }, find: { lastkey: -1, keystep: 1, limit: 2 } }];
}

const WRITE_FAST = ['write', 'stream', 'fast'];
const WRITE_SLOW = ['write', 'stream', 'slow'];
const READ_SLOW = ['read', 'stream', 'slow'];
const ND = ['nondeterministic_output'];

function xgroupSub(name: string, arity: number, flags: CommandDecl['flags'], spec: KeySpec['flags'], summary: string, since: string, complexity: string, handler: CommandDecl['handler']): CommandDecl {
  return command({ name, arity, flags, keys: [2, 2, 1], acl: WRITE_SLOW, group: 'stream', summary, since, complexity, keySpecs: [keyAt(2, spec)], handler });
}

function xinfoSub(name: string, arity: number, summary: string, handler: CommandDecl['handler'], tips?: string[]): CommandDecl {
  return command({ name, arity, flags: ['readonly'], keys: [2, 2, 1], acl: READ_SLOW, group: 'stream', summary, since: '5.0.0', complexity: 'O(1)', tips, keySpecs: [keyAt(2, ['RO', 'access'])], handler });
}

export const streamCommands: CommandDecl[] = [
  command({
    name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'stream', summary: 'Appends a new entry to a stream', since: '5.0.0',
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.', tips: ND,
    keySpecs: [keyAt(1, ['RW', 'update'], 'UPDATE instead of INSERT because of the optional trimming feature')], handler: xadd,
  }),
  command({ name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'stream', 'fast'], group: 'stream', summary: 'Return the number of entries in a stream', since: '5.0.0', complexity: 'O(1)', keySpecs: [keyAt(1, ['RO'])], handler: xlen }),
  command({
    name: 'xrange', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl: READ_SLOW, group: 'stream', summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval', since: '5.0.0',
    complexity: 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).', handler: (ctx, argv) => xrange(ctx, argv, false),
  }),
  command({
    name: 'xrevrange', arity: -4, flags: ['readonly'], keys: [1, 1, 1], acl: READ_SLOW, group: 'stream',
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE', since: '5.0.0',
    complexity: 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).', handler: (ctx, argv) => xrange(ctx, argv, true),
  }),
  command({
    name: 'xdel', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'stream',
    summary: 'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.', since: '5.0.0',
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.', keySpecs: [keyAt(1, ['RW', 'delete'])], handler: xdel,
  }),
  command({
    name: 'xtrim', arity: -4, flags: ['write'], keys: [1, 1, 1], acl: WRITE_SLOW, group: 'stream', summary: "Trims the stream to (approximately if '~' is passed) a certain size", since: '5.0.0',
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    tips: ND, keySpecs: [keyAt(1, ['RW', 'delete'])], handler: xtrim,
  }),
  command({
    name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], keys: [0, 0, 0], acl: ['read', 'stream', 'slow', 'blocking'], group: 'stream',
    summary: 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.', since: '5.0.0',
    complexity: 'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
    keySpecs: streamsSpec(['RO', 'access'], 1), keyFinder: (argv) => readKeys(argv, 0),
    coordinate: (tx, argv, reply) => xreadAcross(tx, argv, reply, false), handler: (ctx, argv) => xread(ctx, argv, false, false),
  }),
  command({
    name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'], keys: [0, 0, 0], acl: ['write', 'stream', 'slow', 'blocking'], group: 'stream',
    summary: 'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.', since: '5.0.0',
    complexity: 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
    keySpecs: streamsSpec(['RO', 'access'], 4), keyFinder: (argv) => readKeys(argv, 0),
    coordinate: (tx, argv, reply) => xreadAcross(tx, argv, reply, true), handler: (ctx, argv) => xread(ctx, argv, true, false),
  }),
  command({
    name: 'xgroup', arity: -2, flags: [], keys: [0, 0, 0], acl: ['slow'], group: 'stream', summary: 'A container for consumer groups commands', since: '5.0.0', complexity: 'Depends on subcommand.',
    subcommands: [
      xgroupSub('create', -5, ['write', 'denyoom'], ['RW', 'insert'], 'Create a consumer group.', '5.0.0', 'O(1)', xgroupCreate),
      xgroupSub('setid', -5, ['write'], ['RW', 'update'], 'Set a consumer group to an arbitrary last delivered ID value.', '5.0.0', 'O(1)', xgroupSetid),
      xgroupSub('destroy', 4, ['write'], ['RW', 'delete'], 'Destroy a consumer group.', '5.0.0', "O(N) where N is the number of entries in the group's pending entries list (PEL).", xgroupDestroy),
      xgroupSub('createconsumer', 5, ['write', 'denyoom'], ['RW', 'insert'], 'Create a consumer in a consumer group.', '6.2.0', 'O(1)', xgroupCreateConsumer),
      xgroupSub('delconsumer', 5, ['write'], ['RW', 'delete'], 'Delete a consumer from a consumer group.', '5.0.0', 'O(1)', xgroupDelConsumer),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['stream', 'slow'], group: 'stream', summary: 'Show helpful text about the different subcommands', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'XGROUP', XGROUP_HELP) }),
    ],
  }),
  command({
    name: 'xack', arity: -4, flags: ['write', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'stream',
    summary: 'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.',
    since: '5.0.0', complexity: 'O(1) for each message ID processed.', keySpecs: [keyAt(1, ['RW', 'update'])], handler: xack,
  }),
  command({
    name: 'xpending', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: READ_SLOW, group: 'stream',
    summary: 'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.', since: '5.0.0',
    complexity: 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    tips: ND, keySpecs: [keyAt(1, ['RO', 'access'])], handler: xpending,
  }),
  command({
    name: 'xclaim', arity: -6, flags: ['write', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'stream',
    summary: 'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.', since: '5.0.0',
    complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.', tips: ND, keySpecs: [keyAt(1, ['RW', 'update'])], handler: xclaim,
  }),
  command({
    name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'stream',
    summary: 'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.', since: '6.2.0',
    complexity: 'O(1) if COUNT is small.', tips: ND, keySpecs: [keyAt(1, ['RW', 'delete'])], handler: xautoclaim,
  }),
  command({
    name: 'xinfo', arity: -2, flags: [], keys: [0, 0, 0], acl: ['slow'], group: 'stream', summary: 'A container for stream introspection commands', since: '5.0.0', complexity: 'Depends on subcommand.',
    subcommands: [
      xinfoSub('stream', -3, 'Get information about a stream', infoStream),
      xinfoSub('groups', 3, 'List the consumer groups of a stream', infoGroups),
      xinfoSub('consumers', 4, 'List the consumers in a consumer group', infoConsumers, ND),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['stream', 'slow'], group: 'stream', summary: 'Show helpful text about the different subcommands', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'XINFO', XINFO_HELP) }),
    ],
  }),
  command({ name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: WRITE_FAST, group: 'stream', summary: 'An internal command for replicating stream values', since: '5.0.0', complexity: 'O(1)', keySpecs: [keyAt(1, ['RW', 'update'])], handler: xsetid }),
  // Internal: the re-run of a blocked XREAD/XREADGROUP (argv[1] is the original command).
  command({
    name: '_xread-resume', arity: -5, flags: ['write'], keys: [0, 0, 0], acl: [], group: 'stream', summary: 'Re-run of a blocked XREAD or XREADGROUP', since: '7.0.0', internal: true,
    keyFinder: (argv) => readKeys(argv, 1), handler: (ctx, argv) => xread(ctx, argv.slice(1), isKeyword(argv[1], 'XREADGROUP'), true),
  }),
  command({ name: '_xread-check', arity: 4, flags: ['readonly'], keys: [1, 1, 1], acl: [], group: 'stream', summary: 'Per-stream checks of XREAD/XREADGROUP for a coordinator', since: '7.0.0', internal: true, handler: xreadCheck }),
];
