// String commands (Redis t_string.c).

import { command, type ExecContext, type ShardTx } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { isKeyword } from '../util/keyword';
import { bulkOf, integerOf, isError } from '../dispatch/resp-scan';
import { config } from '../config';
import { ValueType, NO_EXPIRE } from '../store/types';
import { integerBytes, parseInteger, parseSafeInteger, parseSafeIntegerAt } from '../util/number';
import { LONG_DOUBLE_ZERO, addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../util/long-double';
import {
  INVALID_EXPIRE, NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, OVERFLOW, STRING_TOO_LONG, SYNTAX, WRONG_ARITY,
} from './errors';
import { lookupRead, lookupTyped, lookupWrite, WRONG_TYPE } from './lookup';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';

const OFFSET_OUT_OF_RANGE = 'ERR offset is out of range';
const DECREMENT_OVERFLOW = 'ERR decrement would overflow';
const LCS_NOT_STRINGS = 'ERR The specified keys must contain string values';
const LCS_LEN_AND_IDX = 'ERR If you want both the length and indexes, please just use IDX.';
const LCS_TABLE_TOO_BIG = 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';
const LCS_ALLOC_FAILED = 'ERR Insufficient memory, failed allocating transient memory for LCS';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** LLONG_MAX / 1000: the largest seconds value that converts to milliseconds without overflow. */
const MAX_EXPIRE_SECONDS = INT64_MAX / 1000n;
/** Expire arguments up to these stay exact integers in ms after adding the clock (fast path). */
const MAX_SAFE_MS = 2 ** 52;
const MAX_SAFE_SECONDS = Math.floor(MAX_SAFE_MS / 1000);

const enum SetFlag {
  NX = 1, XX = 2, EX = 4, PX = 8, KEEPTTL = 16, GET = 32, EXAT = 64, PXAT = 128, PERSIST = 256,
}

const ANY_EXPIRE = SetFlag.EX | SetFlag.PX | SetFlag.EXAT | SetFlag.PXAT;

/** Parsed SET/GETEX options. */
interface ExpireOptions {
  flags: number;
  /** Index of the expire argument, or -1. */
  expireArg: number;
}

const parsedOptions: ExpireOptions = { flags: 0, expireArg: -1 };


/**
 * Parses the extended options of SET (from argv[3]) or GETEX (from argv[2]) as Redis's
 * parseExtendedStringArgumentsOrReply does. Replies with a syntax error and returns false when invalid.
 */
function parseExtendedOptions(ctx: ExecContext, argv: Buffer[], forSet: boolean, out: ExpireOptions): boolean {
  let flags = 0;
  out.expireArg = -1;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j < argv.length - 1;
    if (forSet && isKeyword(opt, 'NX') && !(flags & SetFlag.XX)) flags |= SetFlag.NX;
    else if (forSet && isKeyword(opt, 'XX') && !(flags & SetFlag.NX)) flags |= SetFlag.XX;
    else if (forSet && isKeyword(opt, 'GET')) flags |= SetFlag.GET;
    else if (forSet && isKeyword(opt, 'KEEPTTL') && !(flags & (ANY_EXPIRE | SetFlag.PERSIST))) flags |= SetFlag.KEEPTTL;
    else if (!forSet && isKeyword(opt, 'PERSIST') && !(flags & (ANY_EXPIRE | SetFlag.KEEPTTL))) flags |= SetFlag.PERSIST;
    else if (hasNext && !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST)) && expireKeyword(opt) !== 0 && !(flags & ANY_EXPIRE & ~expireKeyword(opt))) {
      flags |= expireKeyword(opt);
      out.expireArg = ++j;
    } else {
      ctx.reply.error(SYNTAX);
      return false;
    }
  }
  out.flags = flags;
  return true;
}

function expireKeyword(opt: Buffer): number {
  if (isKeyword(opt, 'EX')) return SetFlag.EX;
  if (isKeyword(opt, 'PX')) return SetFlag.PX;
  if (isKeyword(opt, 'EXAT')) return SetFlag.EXAT;
  if (isKeyword(opt, 'PXAT')) return SetFlag.PXAT;
  return 0;
}

/**
 * The absolute expire time in ms for an EX/PX/EXAT/PXAT argument, or null after replying
 * the error (not an integer, or an invalid expire time for `cmdName`), as Redis's
 * getExpireMillisecondsOrReply: the value must be positive and the result must fit a long long.
 */
export function expireAtFromArg(ctx: ExecContext, arg: Buffer, flags: number, cmdName: string): number | null {
  const v = parseSafeInteger(arg);
  if (v === null) {
    ctx.reply.error(NOT_INTEGER);
    return null;
  }
  const seconds = (flags & (SetFlag.EX | SetFlag.EXAT)) !== 0;
  const relative = (flags & (SetFlag.EX | SetFlag.PX)) !== 0;
  if (v !== undefined && v > 0 && v <= (seconds ? MAX_SAFE_SECONDS : MAX_SAFE_MS)) {
    return (seconds ? v * 1000 : v) + (relative ? ctx.now : 0);
  }
  // Non-positive, or beyond the fast path: decide exactly in 64-bit arithmetic.
  const exact = parseInteger(arg)!;
  if (exact <= 0n || (seconds && exact > MAX_EXPIRE_SECONDS)) {
    ctx.reply.error(INVALID_EXPIRE(cmdName));
    return null;
  }
  const ms = (seconds ? exact * 1000n : exact) + (relative ? BigInt(ctx.now) : 0n);
  if (ms > INT64_MAX) {
    ctx.reply.error(INVALID_EXPIRE(cmdName));
    return null;
  }
  return Number(ms);
}

// ---- SET family -----------------------------------------------------------

const enum SetOutcome { Failed, Skipped, Written }

/**
 * Redis setGenericCommand: writes key unless NX/XX forbid it. Replies only errors and,
 * with GET, the old value; the caller replies the outcome (each SET variant differently).
 */
function setGeneric(ctx: ExecContext, key: Buffer, value: Buffer, flags: number, expireArg: Buffer | null, cmdName: string): SetOutcome {
  let expireAt = NO_EXPIRE;
  if (expireArg !== null) {
    const at = expireAtFromArg(ctx, expireArg, flags, cmdName);
    if (at === null) return SetOutcome.Failed;
    expireAt = at;
  }
  const db = ctx.db;
  let h: number;
  if (flags & SetFlag.GET) {
    h = lookupTyped(ctx, key, ValueType.String);
    if (h === WRONG_TYPE) return SetOutcome.Failed;
    if (h < 0) ctx.reply.nil();
    else ctx.reply.bulk(db.stringValue(h));
  } else {
    h = lookupWrite(ctx, key);
  }
  if ((flags & SetFlag.NX && h >= 0) || (flags & SetFlag.XX && h < 0)) return SetOutcome.Skipped;
  if (flags & SetFlag.KEEPTTL && h >= 0) expireAt = db.expireAt(h);
  db.setString(key, value, expireAt);
  notifyKeyspaceEvent(ctx, EventClass.String, 'set', key);
  if (expireArg !== null) notifyKeyspaceEvent(ctx, EventClass.Generic, 'expire', key);
  return SetOutcome.Written;
}

function get(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) ctx.reply.nil();
  else ctx.reply.bulk(ctx.db.stringValue(h));
}

function set(ctx: ExecContext, argv: Buffer[]): void {
  const opts = parsedOptions;
  if (!parseExtendedOptions(ctx, argv, true, opts)) return;
  const flags = opts.flags;
  const outcome = setGeneric(ctx, argv[1], argv[2], flags, opts.expireArg > 0 ? argv[opts.expireArg] : null, 'set');
  if (outcome === SetOutcome.Failed || flags & SetFlag.GET) return;
  if (outcome === SetOutcome.Written) ctx.reply.ok();
  else ctx.reply.nil();
}

function setnx(ctx: ExecContext, argv: Buffer[]): void {
  ctx.reply.int(setGeneric(ctx, argv[1], argv[2], SetFlag.NX, null, 'setnx') === SetOutcome.Written ? 1 : 0);
}

function setex(ctx: ExecContext, argv: Buffer[]): void {
  if (setGeneric(ctx, argv[1], argv[3], SetFlag.EX, argv[2], 'setex') === SetOutcome.Written) ctx.reply.ok();
}

function psetex(ctx: ExecContext, argv: Buffer[]): void {
  if (setGeneric(ctx, argv[1], argv[3], SetFlag.PX, argv[2], 'psetex') === SetOutcome.Written) ctx.reply.ok();
}

function getset(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) ctx.reply.nil();
  else ctx.reply.bulk(ctx.db.stringValue(h));
  ctx.db.setString(argv[1], argv[2], NO_EXPIRE);
  notifyKeyspaceEvent(ctx, EventClass.String, 'set', argv[1]);
}

function getdel(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    ctx.reply.nil();
    return;
  }
  ctx.reply.bulk(ctx.db.stringValue(h));
  ctx.db.deleteEntry(h);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[1]);
}

function getex(ctx: ExecContext, argv: Buffer[]): void {
  const opts = parsedOptions;
  if (!parseExtendedOptions(ctx, argv, false, opts)) return;
  const flags = opts.flags;
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    ctx.reply.nil();
    return;
  }
  let expireAt = NO_EXPIRE;
  if (opts.expireArg > 0) {
    const at = expireAtFromArg(ctx, argv[opts.expireArg], flags, 'getex');
    if (at === null) return;
    expireAt = at;
  }
  const db = ctx.db;
  ctx.reply.bulk(db.stringValue(h));
  // An absolute time already past deletes the key, as an expiring key would be.
  if (flags & (SetFlag.EXAT | SetFlag.PXAT) && expireAt <= ctx.now) {
    db.deleteEntry(h);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[1]);
  } else if (opts.expireArg > 0) {
    db.setExpire(h, expireAt);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'expire', argv[1]);
  } else if (flags & SetFlag.PERSIST && db.expireAt(h) !== NO_EXPIRE) {
    db.setExpire(h, NO_EXPIRE);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'persist', argv[1]);
  }
}

// ---- multi-key ------------------------------------------------------------

function mget(ctx: ExecContext, argv: Buffer[]): void {
  const db = ctx.db;
  const reply = ctx.reply;
  reply.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const h = lookupRead(ctx, argv[i]);
    if (h < 0 || db.type(h) !== ValueType.String) reply.nil();
    else reply.bulk(db.stringValue(h));
  }
}

/** Sets every key/value pair of argv[1..], dropping any TTL (Redis setKey). */
function setPairs(ctx: ExecContext, argv: Buffer[]): void {
  for (let j = 1; j < argv.length; j += 2) {
    ctx.db.setString(argv[j], argv[j + 1], NO_EXPIRE);
    notifyKeyspaceEvent(ctx, EventClass.String, 'set', argv[j]);
  }
}

function mset(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length % 2 === 0) {
    ctx.reply.error(WRONG_ARITY('mset'));
    return;
  }
  setPairs(ctx, argv);
  ctx.reply.ok();
}

/** True when none of the keys at argv[1], argv[1 + step], ... exists. */
function keysAbsent(ctx: ExecContext, argv: Buffer[], step: number): boolean {
  for (let j = 1; j < argv.length; j += step) if (lookupWrite(ctx, argv[j]) >= 0) return false;
  return true;
}

function msetnx(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length % 2 === 0) {
    ctx.reply.error(WRONG_ARITY('msetnx'));
    return;
  }
  if (!keysAbsent(ctx, argv, 2)) {
    ctx.reply.int(0);
    return;
  }
  setPairs(ctx, argv);
  ctx.reply.int(1);
}

const KEYS_ABSENT = Buffer.from('strings.keys-absent');
const MSET = Buffer.from('mset');

/** Shard side of a multi-shard MSETNX: 1 when none of the given keys exists here. */
function keysAbsentCommand(ctx: ExecContext, argv: Buffer[]): void {
  ctx.reply.int(keysAbsent(ctx, argv, 1) ? 1 : 0);
}

/** MSETNX across shards (all frozen): check every shard first, then set everywhere. */
async function msetnxAcrossShards(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  if (argv.length % 2 === 0) {
    reply.error(WRONG_ARITY('msetnx'));
    return;
  }
  const checks: Buffer[][] = [];
  const writes: Buffer[][] = [];
  for (let s = 0; s < tx.shardCount; s++) {
    checks.push([KEYS_ABSENT]);
    writes.push([MSET]);
  }
  for (let j = 1; j < argv.length; j += 2) {
    const s = tx.shardOf(argv[j]);
    checks[s].push(argv[j]);
    writes[s].push(argv[j], argv[j + 1]);
  }
  const shards: number[] = [];
  for (let s = 0; s < tx.shardCount; s++) if (checks[s].length > 1) shards.push(s);
  const absent = await Promise.all(shards.map((s) => tx.exec(s, checks[s])));
  if (absent.some((r) => integerOf(r) !== 1)) {
    reply.int(0);
    return;
  }
  await Promise.all(shards.map((s) => tx.exec(s, writes[s])));
  reply.int(1);
}

// ---- editing ----------------------------------------------------------------

/** Values composed up to this size reuse one scratch buffer (the store copies them). */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** A buffer of exactly `length` bytes (contents undefined) to compose a new value in. */
function composeBuffer(length: number): Buffer {
  return length > SCRATCH_BYTES ? Buffer.allocUnsafe(length) : scratch.subarray(0, length);
}

/** Redis checkStringLength: replies the error and returns false when size + append exceeds proto-max-bulk-len. */
function checkStringLength(ctx: ExecContext, size: number, append: number): boolean {
  if (size + append <= config.numeric('proto-max-bulk-len')) return true;
  ctx.reply.error(STRING_TOO_LONG);
  return false;
}

function append(ctx: ExecContext, argv: Buffer[]): void {
  const key = argv[1];
  const suffix = argv[2];
  const db = ctx.db;
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    db.setString(key, suffix, NO_EXPIRE);
    notifyKeyspaceEvent(ctx, EventClass.String, 'append', key);
    ctx.reply.int(suffix.length);
    return;
  }
  const old = db.stringValue(h);
  if (!checkStringLength(ctx, old.length, suffix.length)) return;
  const length = old.length + suffix.length;
  const value = composeBuffer(length);
  value.set(old, 0);
  value.set(suffix, old.length);
  db.setString(key, value, db.expireAt(h));
  notifyKeyspaceEvent(ctx, EventClass.String, 'append', key);
  ctx.reply.int(length);
}

function strlen(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  ctx.reply.int(h < 0 ? 0 : ctx.db.stringValue(h).length);
}

function setrange(ctx: ExecContext, argv: Buffer[]): void {
  const key = argv[1];
  const patch = argv[3];
  // +/-Infinity stand for valid offsets beyond the safe range: both are rejected below.
  const offset = parseSafeIntegerAt(argv[2], 0, argv[2].length);
  if (offset !== offset) {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  if (offset < 0) {
    ctx.reply.error(OFFSET_OUT_OF_RANGE);
    return;
  }
  const db = ctx.db;
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return;
  const old = h < 0 ? null : db.stringValue(h);
  if (patch.length === 0) {
    ctx.reply.int(old === null ? 0 : old.length);
    return;
  }
  if (!checkStringLength(ctx, offset, patch.length)) return;
  const oldLength = old === null ? 0 : old.length;
  const length = Math.max(oldLength, offset + patch.length);
  const value = composeBuffer(length);
  if (old !== null) value.set(old, 0);
  if (offset > oldLength) value.fill(0, oldLength, offset);
  value.set(patch, offset);
  db.setString(key, value, h < 0 ? NO_EXPIRE : db.expireAt(h));
  notifyKeyspaceEvent(ctx, EventClass.String, 'setrange', key);
  ctx.reply.int(length);
}

const EMPTY = Buffer.alloc(0);

function getrange(ctx: ExecContext, argv: Buffer[]): void {
  let start = parseSafeIntegerAt(argv[2], 0, argv[2].length);
  let end = parseSafeIntegerAt(argv[3], 0, argv[3].length);
  if (start !== start || end !== end) {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  const value = h < 0 ? EMPTY : ctx.db.stringValue(h);
  const length = value.length;
  if (start < 0 && end < 0 && (start > end || (start === -Infinity && end === -Infinity && parseInteger(argv[2])! > parseInteger(argv[3])!))) {
    ctx.reply.bulk(EMPTY);
    return;
  }
  if (start < 0) start = Math.max(length + start, 0);
  if (end < 0) end = Math.max(length + end, 0);
  if (end >= length) end = length - 1;
  if (start > end || length === 0) ctx.reply.bulk(EMPTY);
  else ctx.reply.bulkSlice(value, start, end + 1);
}

// ---- counters ---------------------------------------------------------------

/** Redis incrDecrCommand: adds `increment` (exact) to the integer at key, creating it at 0. */
function incrementBy(ctx: ExecContext, key: Buffer, increment: number | bigint): void {
  const db = ctx.db;
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return;
  let current = 0;
  let expireAt = NO_EXPIRE;
  if (h >= 0) {
    const text = db.stringValue(h);
    current = parseSafeIntegerAt(text, 0, text.length);
    if (current !== current) {
      ctx.reply.error(NOT_INTEGER);
      return;
    }
    expireAt = db.expireAt(h);
  }
  if (typeof increment === 'number' && Number.isFinite(current)) {
    const sum = current + increment;
    if (Number.isSafeInteger(sum)) {
      db.setString(key, integerBytes(sum), expireAt);
      notifyKeyspaceEvent(ctx, EventClass.String, 'incrby', key);
      ctx.reply.int(sum);
      return;
    }
  }
  // Beyond 2^53: exact 64-bit arithmetic.
  const exactCurrent = Number.isFinite(current) ? BigInt(current) : parseInteger(db.stringValue(h))!;
  const sum = exactCurrent + BigInt(increment);
  if (sum < INT64_MIN || sum > INT64_MAX) {
    ctx.reply.error(OVERFLOW);
    return;
  }
  db.setString(key, integerBytes(sum), expireAt);
  notifyKeyspaceEvent(ctx, EventClass.String, 'incrby', key);
  ctx.reply.int(sum);
}

/** A long long argument as a number when safe, else a bigint; null after replying the error. */
function integerArg(ctx: ExecContext, arg: Buffer): number | bigint | null {
  const v = parseSafeInteger(arg);
  if (v === null) {
    ctx.reply.error(NOT_INTEGER);
    return null;
  }
  return v === undefined ? parseInteger(arg)! : v;
}

function incr(ctx: ExecContext, argv: Buffer[]): void {
  incrementBy(ctx, argv[1], 1);
}

function decr(ctx: ExecContext, argv: Buffer[]): void {
  incrementBy(ctx, argv[1], -1);
}

function incrby(ctx: ExecContext, argv: Buffer[]): void {
  const increment = integerArg(ctx, argv[2]);
  if (increment !== null) incrementBy(ctx, argv[1], increment);
}

function decrby(ctx: ExecContext, argv: Buffer[]): void {
  const decrement = integerArg(ctx, argv[2]);
  if (decrement === null) return;
  if (decrement === INT64_MIN) {
    ctx.reply.error(DECREMENT_OVERFLOW);
    return;
  }
  incrementBy(ctx, argv[1], -decrement);
}

/** Redis string2ld, within double range. */
function incrbyfloat(ctx: ExecContext, argv: Buffer[]): void {
  const key = argv[1];
  const db = ctx.db;
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return;
  const current = h < 0 ? LONG_DOUBLE_ZERO : parseLongDouble(db.stringValue(h));
  const increment = current === null ? null : parseLongDouble(argv[2]);
  if (current === null || increment === null) {
    ctx.reply.error(NOT_FLOAT);
    return;
  }
  // Redis adds first and then rejects an infinite operand or result.
  const sum = addLongDouble(current, increment);
  if (sum === null) {
    ctx.reply.error(NAN_OR_INFINITY);
    return;
  }
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  db.setString(key, text, h < 0 ? NO_EXPIRE : db.expireAt(h));
  notifyKeyspaceEvent(ctx, EventClass.String, 'incrbyfloat', key);
  ctx.reply.bulk(text);
}

// ---- LCS ------------------------------------------------------------------------

/**
 * LCS of a and b with the options of argv[3..] (LEN, IDX, MINMATCHLEN n, WITHMATCHLEN),
 * replied as Redis's lcsCommand does; shared by the local and the multi-shard paths.
 */
function replyLcs(reply: ReplyWriter, argv: Buffer[], a: Uint8Array, b: Uint8Array): void {
  let wantLen = false;
  let wantIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isKeyword(opt, 'IDX')) wantIdx = true;
    else if (isKeyword(opt, 'LEN')) wantLen = true;
    else if (isKeyword(opt, 'WITHMATCHLEN')) withMatchLen = true;
    else if (isKeyword(opt, 'MINMATCHLEN') && j < argv.length - 1) {
      const n = parseSafeIntegerAt(argv[j + 1], 0, argv[j + 1].length);
      if (n !== n) {
        reply.error(NOT_INTEGER);
        return;
      }
      minMatchLen = Math.max(n, 0);
      j++;
    } else {
      reply.error(SYNTAX);
      return;
    }
  }
  if (wantLen && wantIdx) {
    reply.error(LCS_LEN_AND_IDX);
    return;
  }
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const cells = (alen + 1) * width;
  if (cells * 4 > config.numeric('proto-max-bulk-len')) {
    reply.error(LCS_TABLE_TOO_BIG);
    return;
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    reply.error(LCS_ALLOC_FAILED);
    return;
  }
  // table[i * width + j] = LCS length of a[0..i) and b[0..j); row 0 and column 0 stay 0.
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * width;
    const above = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[above + j - 1] + 1;
      else {
        const up = table[above + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * width + blen];
  if (wantLen) {
    reply.int(total);
    return;
  }
  // Walk back from the end, building the LCS and the matching ranges (last ones first).
  const common = Buffer.allocUnsafe(total);
  const ranges: number[] = [];
  let pending = total;
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let closeRange = false;
    if (a[i - 1] === b[j - 1]) {
      common[--pending] = a[i - 1];
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        closeRange = true;
      }
      if (aStart === 0 || bStart === 0) closeRange = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart >= 0) closeRange = true;
    }
    if (closeRange) {
      if (wantIdx && (minMatchLen === 0 || aEnd - aStart + 1 >= minMatchLen)) ranges.push(aStart, aEnd, bStart, bEnd);
      aStart = -1;
    }
  }
  if (!wantIdx) {
    reply.bulk(common);
    return;
  }
  reply.map(2);
  reply.bulkString('matches');
  reply.array(ranges.length / 4);
  for (let k = 0; k < ranges.length; k += 4) {
    reply.array(withMatchLen ? 3 : 2);
    reply.array(2);
    reply.int(ranges[k]);
    reply.int(ranges[k + 1]);
    reply.array(2);
    reply.int(ranges[k + 2]);
    reply.int(ranges[k + 3]);
    if (withMatchLen) reply.int(ranges[k + 1] - ranges[k] + 1);
  }
  reply.bulkString('len');
  reply.int(total);
}

function lcs(ctx: ExecContext, argv: Buffer[]): void {
  const db = ctx.db;
  const ha = lookupRead(ctx, argv[1]);
  const hb = lookupRead(ctx, argv[2]);
  if ((ha >= 0 && db.type(ha) !== ValueType.String) || (hb >= 0 && db.type(hb) !== ValueType.String)) {
    ctx.reply.error(LCS_NOT_STRINGS);
    return;
  }
  replyLcs(ctx.reply, argv, ha < 0 ? EMPTY : db.stringValue(ha), hb < 0 ? EMPTY : db.stringValue(hb));
}

const GET = Buffer.from('get');

/** LCS of two keys on different shards: GET both (a WRONGTYPE error means a non-string), then compute here. */
async function lcsAcrossShards(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const [ra, rb] = await Promise.all([
    tx.exec(tx.shardOf(argv[1]), [GET, argv[1]]),
    tx.exec(tx.shardOf(argv[2]), [GET, argv[2]]),
  ]);
  if (isError(ra) || isError(rb)) {
    reply.error(LCS_NOT_STRINGS);
    return;
  }
  replyLcs(reply, argv, bulkOf(ra) ?? EMPTY, bulkOf(rb) ?? EMPTY);
}

const GETRANGE_COMPLEXITY = 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

export const stringCommands = [
  command({ name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'string', 'fast'], group: 'string', summary: 'Get the value of a key', since: '1.0.0', complexity: 'O(1)', handler: get }),
  command({ name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Set the string value of a key', since: '1.0.0', complexity: 'O(1)', keySpecs: [{ notes: 'RW and ACCESS due to the optional `GET` argument', flags: ['RW', 'access', 'update', 'variable_flags'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }], handler: set }),
  command({ name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Set the value of a key, only if the key does not exist', since: '1.0.0', complexity: 'O(1)', handler: setnx }),
  command({ name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Set the value and expiration of a key', since: '2.0.0', complexity: 'O(1)', handler: setex }),
  command({ name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Set the value and expiration in milliseconds of a key', since: '2.6.0', complexity: 'O(1)', handler: psetex }),
  command({ name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Set the string value of a key and return its old value', since: '1.0.0', complexity: 'O(1)', handler: getset }),
  command({ name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Get the value of a key and delete the key', since: '6.2.0', complexity: 'O(1)', handler: getdel }),
  command({ name: 'getex', arity: -2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Get the value of a key and optionally set its expiration', since: '6.2.0', complexity: 'O(1)', handler: getex }),
  command({ name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: ['read', 'string', 'fast'], group: 'string', summary: 'Get the values of all the given keys', since: '1.0.0', complexity: 'O(N) where N is the number of keys to retrieve.', merge: 'keyorder', handler: mget }),
  command({ name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Set multiple keys to multiple values', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.', merge: 'ok', handler: mset }),
  command({ name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Set multiple keys to multiple values, only if none of the keys exist', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.', coordinate: msetnxAcrossShards, handler: msetnx }),
  command({ name: 'strings.keys-absent', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: ['read', 'string', 'fast'], group: 'string', summary: 'Internal (MSETNX across shards): 1 when none of the keys exists on this shard', since: '7.0.0', internal: true, handler: keysAbsentCommand }),
  command({ name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Append a value to a key', since: '2.0.0', complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.', handler: append }),
  command({ name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'string', 'fast'], group: 'string', summary: 'Get the length of the value stored in a key', since: '2.2.0', complexity: 'O(1)', handler: strlen }),
  command({ name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Overwrite part of a string at key starting at the specified offset', since: '2.2.0', complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.', handler: setrange }),
  command({ name: 'getrange', arity: 4, flags: ['readonly'], keys: [1, 1, 1], acl: ['read', 'string', 'slow'], group: 'string', summary: 'Get a substring of the string stored at a key', since: '2.4.0', complexity: GETRANGE_COMPLEXITY, handler: getrange }),
  command({ name: 'substr', arity: 4, flags: ['readonly'], keys: [1, 1, 1], acl: ['read', 'string', 'slow'], group: 'string', summary: 'Get a substring of the string stored at a key', since: '1.0.0', complexity: GETRANGE_COMPLEXITY, handler: getrange }),
  command({ name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Increment the integer value of a key by one', since: '1.0.0', complexity: 'O(1)', handler: incr }),
  command({ name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Decrement the integer value of a key by one', since: '1.0.0', complexity: 'O(1)', handler: decr }),
  command({ name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Increment the integer value of a key by the given amount', since: '1.0.0', complexity: 'O(1)', handler: incrby }),
  command({ name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Decrement the integer value of a key by the given number', since: '1.0.0', complexity: 'O(1)', handler: decrby }),
  command({ name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'string', 'fast'], group: 'string', summary: 'Increment the float value of a key by the given amount', since: '2.6.0', complexity: 'O(1)', handler: incrbyfloat }),
  command({ name: 'lcs', arity: -3, flags: ['readonly'], keys: [1, 2, 1], acl: ['read', 'string', 'slow'], group: 'string', summary: 'Find longest common substring', since: '7.0.0', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively', coordinate: lcsAcrossShards, handler: lcs }),
];
