// Generic key commands (Redis db.c / expire.c / object.c).
//
// On a multi-shard server, commands whose keys live on different shards run
// as coordinators over internal shard-side commands: a value crosses shards
// as a packEntry() record (value-types.ts, where each type family plugs in
// its own serialization).

import { command, type ExecContext, type ShardTx } from '../dispatch/command';
import { arrayElements, bulkOf, integerOf, isError } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import type { Keyspace } from '../store/keyspace';
import { NO_EXPIRE, ValueType } from '../store/types';
import { config } from '../config';
import { globMatch } from '../util/glob';
import { parseInteger, parseSafeInteger } from '../util/number';
import { DB_INDEX_OUT_OF_RANGE, INVALID_CURSOR, INVALID_EXPIRE, NOT_INTEGER, NO_SUCH_KEY, SYNTAX } from './errors';
import { replyHelp } from './server/help';
import { lookupRead, lookupReadNoTouch, lookupWrite } from './lookup';
import { EventClass, notifyKeyspaceEvent, publishKeyspaceEvent } from '../pubsub/notify';
import { isKeyword } from '../util/keyword';
import { TYPE_NAMES, isSharedInteger, packEntry, unpackEntry, valueTypeOps } from './value-types';

const SAME_OBJECT = 'ERR source and destination objects are the same';
const STAR = 0x2a;

// ---- DEL UNLINK EXISTS TOUCH TYPE --------------------------------------------

function del(ctx: ExecContext, argv: Buffer[]): void {
  const db = ctx.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    // find() drops an expired key first, so it does not count as deleted.
    const h = db.find(argv[i], ctx.now);
    if (h >= 0) {
      db.deleteEntry(h);
      notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[i]);
      deleted++;
    }
  }
  ctx.reply.int(deleted);
}

function exists(ctx: ExecContext, argv: Buffer[]): void {
  let found = 0;
  for (let i = 1; i < argv.length; i++) if (lookupReadNoTouch(ctx, argv[i]) >= 0) found++;
  ctx.reply.int(found);
}

function touch(ctx: ExecContext, argv: Buffer[]): void {
  let found = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(ctx, argv[i]) >= 0) found++;
  ctx.reply.int(found);
}

function type(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupReadNoTouch(ctx, argv[1]);
  ctx.reply.simple(h < 0 ? 'none' : TYPE_NAMES[ctx.db.type(h)]);
}

// ---- KEYS SCAN RANDOMKEY -------------------------------------------------------

/** What a keyspace walk keeps: handles of matching keys (valid while nothing is written). */
const walk = {
  db: null as Keyspace | null,
  /** Glob pattern, or null for "every key". */
  pattern: null as Buffer | null,
  /** ValueType to keep, -1 for any, NO_TYPE_MATCH when SCAN TYPE names no type. */
  type: -1,
  handles: [] as number[],
};
const NO_TYPE_MATCH = -2;

function collectMatching(key: Buffer, h: number): void {
  if (walk.pattern !== null && !globMatch(walk.pattern, key)) return;
  if (walk.type !== -1 && walk.db!.type(h) !== walk.type) return;
  walk.handles.push(h);
}

function startWalk(db: Keyspace, pattern: Buffer | null, type: number): void {
  walk.db = db;
  // "*" matches every key, the empty one included (globMatch does not).
  walk.pattern = pattern !== null && !(pattern.length === 1 && pattern[0] === STAR) ? pattern : null;
  walk.type = type;
  walk.handles.length = 0;
}

/** Replies the collected keys as an array of bulk strings and resets the walk. */
function replyWalkedKeys(reply: ReplyWriter): void {
  const { db, handles } = walk;
  reply.array(handles.length);
  for (let i = 0; i < handles.length; i++) reply.bulk(db!.keyOf(handles[i]));
  handles.length = 0;
  walk.db = null;
  walk.pattern = null;
}

function keys(ctx: ExecContext, argv: Buffer[]): void {
  startWalk(ctx.db, argv[1], -1);
  ctx.db.scan(0, Infinity, ctx.now, collectMatching);
  replyWalkedKeys(ctx.reply);
}

const CURSOR_LIMIT = 1n << 64n;

/**
 * A SCAN cursor as Redis reads it with strtoul(): optional sign (a negative
 * one wraps around 2^64), decimal digits, no leading space; the empty string
 * is 0. Null when invalid or beyond 2^64-1.
 */
export function parseScanCursor(arg: Buffer): bigint | null {
  if (arg.length === 0) return 0n;
  const negative = arg[0] === 0x2d;
  const i = negative || arg[0] === 0x2b ? 1 : 0;
  if (i === arg.length) return null;
  for (let j = i; j < arg.length; j++) if (arg[j] < 0x30 || arg[j] > 0x39) return null;
  const v = BigInt(arg.latin1Slice(i, arg.length));
  if (v >= CURSOR_LIMIT) return null;
  return negative && v !== 0n ? CURSOR_LIMIT - v : v;
}

/** The COUNT of SCAN, HSCAN, SSCAN and ZSCAN (at least 1), or 0 after replying the error. */
export function parseScanCount(arg: Buffer, reply: ReplyWriter): number {
  const n = parseSafeInteger(arg);
  if (n === null) {
    reply.error(NOT_INTEGER);
    return 0;
  }
  // Beyond 2^53 a count is as good as unlimited.
  const count = n === undefined ? (arg[0] === 0x2d ? 0 : Number.MAX_SAFE_INTEGER) : n;
  if (count < 1) {
    reply.error(SYNTAX);
    return 0;
  }
  return count;
}

const DEFAULT_SCAN_COUNT = 10;

/** SCAN options of the current call. */
const scanOptions = { count: DEFAULT_SCAN_COUNT, pattern: null as Buffer | null, type: -1 };

/** Parses SCAN's COUNT/MATCH/TYPE options (from argv[2]) into scanOptions; false after replying the error. */
function parseScanOptions(argv: Buffer[], reply: ReplyWriter): boolean {
  scanOptions.count = DEFAULT_SCAN_COUNT;
  scanOptions.pattern = null;
  scanOptions.type = -1;
  for (let i = 2; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(argv[i], 'COUNT')) {
      scanOptions.count = parseScanCount(argv[i + 1], reply);
      if (scanOptions.count === 0) return false;
    } else if (hasValue && isKeyword(argv[i], 'MATCH')) {
      scanOptions.pattern = argv[i + 1];
    } else if (hasValue && isKeyword(argv[i], 'TYPE')) {
      const index = TYPE_NAMES.indexOf(argv[i + 1].latin1Slice(0, argv[i + 1].length).toLowerCase());
      scanOptions.type = index >= 0 ? index : NO_TYPE_MATCH;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  return true;
}

function scan(ctx: ExecContext, argv: Buffer[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    ctx.reply.error(INVALID_CURSOR);
    return;
  }
  if (!parseScanOptions(argv, ctx.reply)) return;
  startWalk(ctx.db, scanOptions.pattern, scanOptions.type);
  const next = ctx.db.scan(Number(cursor & 0xffffffffn), scanOptions.count, ctx.now, collectMatching);
  ctx.reply.array(2);
  ctx.reply.bulkString(String(next));
  replyWalkedKeys(ctx.reply);
}

/** A multi-shard SCAN cursor: the shard index above these 32 bits, that shard's own cursor below. */
const SHARD_CURSOR_SPAN = 2 ** 32;

/**
 * SCAN over several shards: one shard at a time, from shard 0 up, each with
 * its own cursor. When a shard finishes, the call goes on with the next one
 * while fewer than COUNT keys were found; the cursor then names the next
 * shard (or is 0 after the last one).
 */
async function scanAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    reply.error(INVALID_CURSOR);
    return;
  }
  if (!parseScanOptions(argv, reply)) return;
  const count = scanOptions.count;
  let shard = Number((cursor / BigInt(SHARD_CURSOR_SPAN)) % BigInt(tx.shardCount));
  let local = Number(cursor % BigInt(SHARD_CURSOR_SPAN));
  const shardArgv = argv.slice();
  const found: Buffer[] = [];
  let next = 0;
  for (;;) {
    shardArgv[1] = Buffer.from(String(local));
    const shardReply = await tx.exec(shard, shardArgv);
    if (isError(shardReply)) {
      reply.raw(shardReply);
      return;
    }
    const [cursorElement, keysElement] = arrayElements(shardReply);
    for (const key of arrayElements(keysElement)) found.push(key);
    const shardCursor = bulkOf(cursorElement)!;
    local = Number(shardCursor.latin1Slice(0, shardCursor.length));
    if (local !== 0) {
      next = shard * SHARD_CURSOR_SPAN + local;
      break;
    }
    if (++shard === tx.shardCount) break;
    if (found.length >= count) {
      next = shard * SHARD_CURSOR_SPAN;
      break;
    }
  }
  reply.array(2);
  reply.bulkString(String(next));
  reply.array(found.length);
  for (const key of found) reply.raw(key);
}

function randomKey(ctx: ExecContext): void {
  const key = ctx.db.randomKey(ctx.now);
  if (key === null) ctx.reply.nil();
  else ctx.reply.bulk(key);
}

const RANDOMKEY_ARGV = [Buffer.from('randomkey')];
const DB_SIZE_ARGV = [Buffer.from('_keys-dbsize')];

/** RANDOMKEY over several shards: a shard picked with probability proportional to its size. */
async function randomKeyAcross(tx: ShardTx, _argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const shards = Array.from({ length: tx.shardCount }, (_, s) => s);
  const sizes = (await Promise.all(shards.map((s) => tx.exec(s, DB_SIZE_ARGV)))).map(integerOf);
  let total = sizes.reduce((a, b) => a + b, 0);
  while (total > 0) {
    let pick = Math.floor(Math.random() * total);
    let shard = 0;
    while (pick >= sizes[shard]) pick -= sizes[shard++];
    const shardReply = await tx.exec(shard, RANDOMKEY_ARGV);
    if (bulkOf(shardReply) !== null) {
      reply.raw(shardReply);
      return;
    }
    // Every key left there had expired.
    total -= sizes[shard];
    sizes[shard] = 0;
  }
  reply.nil();
}

// ---- RENAME RENAMENX MOVE COPY ---------------------------------------------------

/**
 * Stores entry h of `from` under `key` in `to` (same shard), with expireAt.
 * Object values are shared, not copied: the caller deletes the source right after.
 */
function moveValue(from: Keyspace, h: number, to: Keyspace, key: Uint8Array, expireAt: number): void {
  const valueType = from.type(h);
  if (valueType === ValueType.String) to.setString(key, from.stringValue(h), expireAt);
  else to.setObject(key, valueType, from.objectValue(h) as object, expireAt);
}

function rename(ctx: ExecContext, argv: Buffer[], nx: boolean): void {
  const db = ctx.db;
  const source = argv[1];
  const target = argv[2];
  if (lookupWrite(ctx, source) < 0) {
    ctx.reply.error(NO_SUCH_KEY);
    return;
  }
  if (source.equals(target)) {
    if (nx) ctx.reply.int(0);
    else ctx.reply.ok();
    return;
  }
  if (nx && lookupWrite(ctx, target) >= 0) {
    ctx.reply.int(0);
    return;
  }
  // Found again: looking the target up may have dropped it as expired.
  const h = db.find(source, ctx.now);
  moveValue(db, h, db, target, db.expireAt(h));
  db.delete(source);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'rename_from', source);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'rename_to', target);
  ctx.signalReady(target); // clients blocked on the target (BLPOP, BZPOPMIN) may now be served
  if (nx) ctx.reply.int(1);
  else ctx.reply.ok();
}

// Internal shard-side helpers of the cross-shard coordinators.
const PACK = Buffer.from('_keys-pack');
const UNPACK = Buffer.from('_keys-unpack');
const REMOVE = Buffer.from('_keys-remove');
const EXISTS = Buffer.from('exists');
const RENAME_FROM = Buffer.from('rename_from');
const RENAME_TO = Buffer.from('rename_to');
const COPY_TO = Buffer.from('copy_to');
const MODE_NX = Buffer.from('nx');
const MODE_REPLACE = Buffer.from('replace');

/** _keys-pack key: the key's packEntry() record as a bulk string, or nil. */
function packKey(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupWrite(ctx, argv[1]);
  if (h < 0) ctx.reply.nil();
  else ctx.reply.bulk(packEntry(ctx.db, h));
}

/**
 * _keys-unpack key db NX|REPLACE record event: stores the record under key in db, with keyspace
 * event `event` (copy_to, rename_to); 1 if stored, 0 if NX found the key.
 */
function unpackKey(ctx: ExecContext, argv: Buffer[]): void {
  const dbIndex = Number(argv[2].latin1Slice(0, argv[2].length));
  const db = ctx.shard.dbs[dbIndex];
  if (isKeyword(argv[3], 'NX') && db.find(argv[1], ctx.now) >= 0) {
    ctx.reply.int(0);
    return;
  }
  unpackEntry(db, argv[1], argv[4]);
  publishKeyspaceEvent(ctx.shard.pubsub, dbIndex, EventClass.Generic, argv[5].latin1Slice(0, argv[5].length), argv[1]);
  ctx.shard.blocking.signal(dbIndex, argv[1]);
  ctx.reply.int(1);
}

/** _keys-remove key event: deletes key with keyspace event `event` instead of 'del' (RENAME's source). */
function removeKey(ctx: ExecContext, argv: Buffer[]): void {
  const removed = ctx.db.delete(argv[1]);
  if (removed) notifyKeyspaceEvent(ctx, EventClass.Generic, argv[2].latin1Slice(0, argv[2].length), argv[1]);
  ctx.reply.int(removed ? 1 : 0);
}

/**
 * COPY: carries source (current DB) to target in database `dbIndex` of another shard
 * (event copy_to); NX keeps an existing target. Resolves 1 when stored, 0 when target
 * existed, -1 when source does not exist. The source is left in place.
 */
async function transferAcross(tx: ShardTx, source: Buffer, target: Buffer, dbIndex: number, nx: boolean): Promise<number> {
  const record = bulkOf(await tx.exec(tx.shardOf(source), [PACK, source]));
  if (record === null) return -1;
  const stored = await tx.exec(tx.shardOf(target), [UNPACK, target, Buffer.from(String(dbIndex)), nx ? MODE_NX : MODE_REPLACE, record, COPY_TO]);
  return integerOf(stored);
}

/** RENAME across shards, with Redis's events: rename_from on the source, then rename_to on the target. */
async function renameAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, nx: boolean): Promise<void> {
  const [source, target] = [argv[1], argv[2]];
  const packed = bulkOf(await tx.exec(tx.shardOf(source), [PACK, source]));
  if (packed === null) return reply.error(NO_SUCH_KEY);
  const record = Buffer.from(packed); // a view into a reply buffer that the next steps reuse
  if (nx && integerOf(await tx.exec(tx.shardOf(target), [EXISTS, target])) > 0) return reply.int(0);
  await tx.exec(tx.shardOf(source), [REMOVE, source, RENAME_FROM]);
  await tx.exec(tx.shardOf(target), [UNPACK, target, Buffer.from(String(tx.dbIndex)), MODE_REPLACE, record, RENAME_TO]);
  if (nx) reply.int(1);
  else reply.ok();
}

/** A DB index argument (Redis getIntFromObjectOrReply + selectDb), or -1 after replying the error. */
function parseDbIndex(arg: Buffer, reply: ReplyWriter): number {
  const n = parseSafeInteger(arg);
  if (n === null) {
    reply.error(NOT_INTEGER);
    return -1;
  }
  if (n === undefined || n < -0x80000000 || n > 0x7fffffff) {
    reply.error('ERR value is out of range, value must between -2147483648 and 2147483647');
    return -1;
  }
  if (n < 0 || n >= config.numeric('databases')) {
    reply.error(DB_INDEX_OUT_OF_RANGE);
    return -1;
  }
  return n;
}

function move(ctx: ExecContext, argv: Buffer[]): void {
  const dbIndex = parseDbIndex(argv[2], ctx.reply);
  if (dbIndex < 0) return;
  if (dbIndex === ctx.dbIndex) {
    ctx.reply.error(SAME_OBJECT);
    return;
  }
  const key = argv[1];
  const from = ctx.db;
  const to = ctx.shard.dbs[dbIndex];
  const h = lookupWrite(ctx, key);
  if (h < 0 || to.find(key, ctx.now) >= 0) {
    ctx.reply.int(0);
    return;
  }
  moveValue(from, h, to, key, from.expireAt(h));
  from.delete(key);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'move_from', key);
  publishKeyspaceEvent(ctx.shard.pubsub, dbIndex, EventClass.Generic, 'move_to', key);
  ctx.shard.blocking.signal(dbIndex, key);
  ctx.reply.int(1);
}

/** COPY options: target database (the current one unless DB is given) and REPLACE. */
const copyOptions = { dbIndex: 0, replace: false };

/** Parses COPY's options into copyOptions; false after replying the error. */
function parseCopyOptions(argv: Buffer[], currentDb: number, reply: ReplyWriter): boolean {
  copyOptions.dbIndex = currentDb;
  copyOptions.replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (isKeyword(argv[j], 'REPLACE')) {
      copyOptions.replace = true;
    } else if (isKeyword(argv[j], 'DB') && j + 1 < argv.length) {
      copyOptions.dbIndex = parseDbIndex(argv[++j], reply);
      if (copyOptions.dbIndex < 0) return false;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  return true;
}

function copy(ctx: ExecContext, argv: Buffer[]): void {
  if (!parseCopyOptions(argv, ctx.dbIndex, ctx.reply)) return;
  const { dbIndex, replace } = copyOptions;
  const source = argv[1];
  const target = argv[2];
  if (dbIndex === ctx.dbIndex && source.equals(target)) {
    ctx.reply.error(SAME_OBJECT);
    return;
  }
  const from = ctx.db;
  const to = ctx.shard.dbs[dbIndex];
  if (lookupRead(ctx, source) < 0 || (to.find(target, ctx.now) >= 0 && !replace)) {
    ctx.reply.int(0);
    return;
  }
  // Found again: looking the target up may have dropped it as expired.
  const h = from.find(source, ctx.now);
  const ops = valueTypeOps(from.type(h));
  ops.restore(to, target, ops.serialize(from, h), from.expireAt(h));
  publishKeyspaceEvent(ctx.shard.pubsub, dbIndex, EventClass.Generic, 'copy_to', target);
  ctx.shard.blocking.signal(dbIndex, target);
  ctx.reply.int(1);
}

async function copyAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  if (!parseCopyOptions(argv, tx.dbIndex, reply)) return;
  const stored = await transferAcross(tx, argv[1], argv[2], copyOptions.dbIndex, !copyOptions.replace);
  reply.int(Math.max(stored, 0));
}

// ---- EXPIRE family ---------------------------------------------------------------

const enum ExpireFlag { NX = 1, XX = 2, GT = 4, LT = 8 }

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);

/**
 * The absolute ms time an EXPIRE-family argument names, with Redis's overflow
 * checks (long long arithmetic); null after replying the error.
 */
function expireTime(ctx: ExecContext, arg: Buffer, seconds: boolean, basetime: number, cmdName: string): number | null {
  const v = parseSafeInteger(arg);
  if (v === null) {
    ctx.reply.error(NOT_INTEGER);
    return null;
  }
  if (v !== undefined) {
    const when = (seconds ? v * 1000 : v) + basetime;
    if (Math.abs(when) <= Number.MAX_SAFE_INTEGER) return when; // exact: no long long can overflow here
  }
  let when = parseInteger(arg)!;
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) {
      ctx.reply.error(INVALID_EXPIRE(cmdName));
      return null;
    }
    when *= 1000n;
  }
  if (when > LLONG_MAX - BigInt(basetime)) {
    ctx.reply.error(INVALID_EXPIRE(cmdName));
    return null;
  }
  return Number(when + BigInt(basetime));
}

function parseExpireFlags(ctx: ExecContext, argv: Buffer[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isKeyword(opt, 'NX')) flags |= ExpireFlag.NX;
    else if (isKeyword(opt, 'XX')) flags |= ExpireFlag.XX;
    else if (isKeyword(opt, 'GT')) flags |= ExpireFlag.GT;
    else if (isKeyword(opt, 'LT')) flags |= ExpireFlag.LT;
    else {
      ctx.reply.error(`ERR Unsupported option ${cString(opt)}`);
      return -1;
    }
  }
  if (flags & ExpireFlag.NX && flags & (ExpireFlag.XX | ExpireFlag.GT | ExpireFlag.LT)) {
    ctx.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return -1;
  }
  if (flags & ExpireFlag.GT && flags & ExpireFlag.LT) {
    ctx.reply.error('ERR GT and LT options at the same time are not compatible');
    return -1;
  }
  return flags;
}

/** An argument as C's %s prints it: up to its first NUL byte. */
function cString(arg: Buffer): string {
  const nul = arg.indexOf(0);
  return arg.latin1Slice(0, nul < 0 ? arg.length : nul);
}

/** The new expire time passes the NX/XX/GT/LT conditions (a key without TTL counts as an infinite one). */
function expireAllowed(flags: number, when: number, current: number): boolean {
  const persistent = current === NO_EXPIRE;
  if (flags & ExpireFlag.NX && !persistent) return false;
  if (flags & ExpireFlag.XX && persistent) return false;
  if (flags & ExpireFlag.GT && (persistent || when <= current)) return false;
  if (flags & ExpireFlag.LT && !persistent && when >= current) return false;
  return true;
}

function expireGeneric(ctx: ExecContext, argv: Buffer[], seconds: boolean, relative: boolean, cmdName: string): void {
  const flags = parseExpireFlags(ctx, argv);
  if (flags < 0) return;
  const when = expireTime(ctx, argv[2], seconds, relative ? ctx.now : 0, cmdName);
  if (when === null) return;
  const db = ctx.db;
  const h = lookupWrite(ctx, argv[1]);
  if (h < 0 || (flags !== 0 && !expireAllowed(flags, when, db.expireAt(h)))) {
    ctx.reply.int(0);
    return;
  }
  if (when <= ctx.now) {
    db.deleteEntry(h);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', argv[1]);
  } else {
    db.setExpire(h, when);
    notifyKeyspaceEvent(ctx, EventClass.Generic, 'expire', argv[1]);
  }
  ctx.reply.int(1);
}

function ttlGeneric(ctx: ExecContext, argv: Buffer[], inMs: boolean, absolute: boolean): void {
  const h = lookupReadNoTouch(ctx, argv[1]);
  if (h < 0) {
    ctx.reply.int(-2);
    return;
  }
  const expireAt = ctx.db.expireAt(h);
  if (expireAt === NO_EXPIRE) {
    ctx.reply.int(-1);
    return;
  }
  const ms = Math.max(absolute ? expireAt : expireAt - ctx.now, 0);
  ctx.reply.int(inMs ? ms : Math.floor((ms + 500) / 1000));
}

function persist(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupWrite(ctx, argv[1]);
  if (h < 0 || ctx.db.expireAt(h) === NO_EXPIRE) {
    ctx.reply.int(0);
    return;
  }
  ctx.db.setExpire(h, NO_EXPIRE);
  notifyKeyspaceEvent(ctx, EventClass.Generic, 'persist', argv[1]);
  ctx.reply.int(1);
}

// ---- OBJECT ------------------------------------------------------------------------

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** Redis OBJ_SHARED_REFCOUNT: what OBJECT REFCOUNT reports for shared integers. */
const SHARED_REFCOUNT = 0x7fffffff;
/** Redis LFU_INIT_VAL: a new key's access frequency counter. */
const LFU_INIT_VAL = 5;

function lfuPolicy(): boolean {
  return config.string('maxmemory-policy').endsWith('-lfu');
}

/** Live key for OBJECT subcommands (no access-time update), or -1 after replying nil. */
function objectLookup(ctx: ExecContext, key: Buffer): number {
  const h = lookupReadNoTouch(ctx, key);
  if (h < 0) ctx.reply.nil();
  return h;
}

function objectEncoding(ctx: ExecContext, argv: Buffer[]): void {
  const h = objectLookup(ctx, argv[2]);
  if (h >= 0) ctx.reply.bulkString(valueTypeOps(ctx.db.type(h)).encoding(ctx.db, h));
}

function objectRefcount(ctx: ExecContext, argv: Buffer[]): void {
  const db = ctx.db;
  const h = objectLookup(ctx, argv[2]);
  if (h < 0) return;
  // Redis shares the integers 0..9999 unless an LRU/LFU maxmemory policy needs per-key access data.
  const sharing = config.numeric('maxmemory') === 0 || !/-(lru|lfu)$/.test(config.string('maxmemory-policy'));
  const shared = sharing && db.type(h) === ValueType.String && isSharedInteger(db.stringValue(h));
  ctx.reply.int(shared ? SHARED_REFCOUNT : 1);
}

function idleSeconds(ctx: ExecContext, h: number): number {
  return Math.max(Math.floor(ctx.now / 1000) - ctx.db.lastAccess(h), 0);
}

function objectIdletime(ctx: ExecContext, argv: Buffer[]): void {
  const h = objectLookup(ctx, argv[2]);
  if (h < 0) return;
  if (lfuPolicy()) {
    ctx.reply.error('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  ctx.reply.int(idleSeconds(ctx, h));
}

/**
 * Access frequencies are not counted per key: this reports Redis's counter
 * for a key not read since it was written (LFU_INIT_VAL, decayed by one per
 * lfu-decay-time minutes of idleness).
 */
function objectFreq(ctx: ExecContext, argv: Buffer[]): void {
  const h = objectLookup(ctx, argv[2]);
  if (h < 0) return;
  if (!lfuPolicy()) {
    ctx.reply.error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  const decayMinutes = config.numeric('lfu-decay-time');
  const periods = decayMinutes > 0 ? Math.floor(idleSeconds(ctx, h) / 60 / decayMinutes) : 0;
  ctx.reply.int(Math.max(LFU_INIT_VAL - periods, 0));
}

function objectHelp(ctx: ExecContext): void {
  replyHelp(ctx.reply, 'OBJECT', OBJECT_HELP);
}

// ---- declarations ------------------------------------------------------------------

const KEYSPACE_READ_FAST = ['keyspace', 'read', 'fast'];
const KEYSPACE_WRITE_FAST = ['keyspace', 'write', 'fast'];
const KEYSPACE_WRITE_SLOW = ['keyspace', 'write', 'slow'];

const objectSubcommand = (name: string, summary: string, since: string, handler: (ctx: ExecContext, argv: Buffer[]) => void) =>
  command({ name, arity: 3, flags: ['readonly'], keys: [2, 2, 1], acl: ['keyspace', 'read', 'slow'], group: 'generic', summary, since, complexity: 'O(1)', handler });

export const keyCommands = [
  command({
    name: 'del', arity: -2, flags: ['write'], keys: [1, -1, 1], acl: KEYSPACE_WRITE_SLOW, group: 'generic', summary: 'Delete a key', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    merge: 'sum', handler: del,
  }),
  command({
    name: 'unlink', arity: -2, flags: ['write', 'fast'], keys: [1, -1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic',
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', since: '4.0.0',
    complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    merge: 'sum', handler: del,
  }),
  command({
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: KEYSPACE_READ_FAST, group: 'generic', summary: 'Determine if a key exists', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys to check.', merge: 'sum', handler: exists,
  }),
  command({
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], acl: KEYSPACE_READ_FAST, group: 'generic',
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.', since: '3.2.1',
    complexity: 'O(N) where N is the number of keys that will be touched.', merge: 'sum', handler: touch,
  }),
  command({ name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_READ_FAST, group: 'generic', summary: 'Determine the type stored at key', since: '1.0.0', complexity: 'O(1)', handler: type }),
  command({
    name: 'keys', arity: 2, flags: ['readonly'], keys: [0, 0, 0], acl: ['keyspace', 'read', 'slow', 'dangerous'], group: 'generic', summary: 'Find all keys matching the given pattern', since: '1.0.0',
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    route: 'all', merge: 'concat', handler: keys,
  }),
  command({
    name: 'scan', arity: -2, flags: ['readonly'], keys: [0, 0, 0], acl: ['keyspace', 'read', 'slow'], group: 'generic', summary: 'Incrementally iterate the keys space', since: '2.8.0',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    route: 'all', coordinate: scanAcross, handler: scan,
  }),
  command({
    name: 'randomkey', arity: 1, flags: ['readonly'], keys: [0, 0, 0], acl: ['keyspace', 'read', 'slow'], group: 'generic', summary: 'Return a random key from the keyspace', since: '1.0.0', complexity: 'O(1)',
    route: 'all', coordinate: randomKeyAcross, handler: randomKey,
  }),
  command({
    name: 'rename', arity: 3, flags: ['write'], keys: [1, 2, 1], acl: KEYSPACE_WRITE_SLOW, group: 'generic', summary: 'Rename a key', since: '1.0.0', complexity: 'O(1)',
    coordinate: (tx, argv, reply) => renameAcross(tx, argv, reply, false), handler: (ctx, argv) => rename(ctx, argv, false),
  }),
  command({
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], keys: [1, 2, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: 'Rename a key, only if the new key does not exist', since: '1.0.0', complexity: 'O(1)',
    coordinate: (tx, argv, reply) => renameAcross(tx, argv, reply, true), handler: (ctx, argv) => rename(ctx, argv, true),
  }),
  command({
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl: KEYSPACE_WRITE_SLOW, group: 'generic', summary: 'Copy a key', since: '6.2.0',
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.', coordinate: copyAcross, handler: copy,
  }),
  command({ name: 'move', arity: 3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: 'Move a key to another database', since: '1.0.0', complexity: 'O(1)', handler: move }),
  command({
    name: 'expire', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: "Set a key's time to live in seconds", since: '1.0.0', complexity: 'O(1)',
    handler: (ctx, argv) => expireGeneric(ctx, argv, true, true, 'expire'),
  }),
  command({
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: "Set a key's time to live in milliseconds", since: '2.6.0', complexity: 'O(1)',
    handler: (ctx, argv) => expireGeneric(ctx, argv, false, true, 'pexpire'),
  }),
  command({
    name: 'expireat', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: 'Set the expiration for a key as a UNIX timestamp', since: '1.2.0', complexity: 'O(1)',
    handler: (ctx, argv) => expireGeneric(ctx, argv, true, false, 'expireat'),
  }),
  command({
    name: 'pexpireat', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', since: '2.6.0', complexity: 'O(1)',
    handler: (ctx, argv) => expireGeneric(ctx, argv, false, false, 'pexpireat'),
  }),
  command({
    name: 'ttl', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_READ_FAST, group: 'generic', summary: 'Get the time to live for a key in seconds', since: '1.0.0', complexity: 'O(1)',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, false, false),
  }),
  command({
    name: 'pttl', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_READ_FAST, group: 'generic', summary: 'Get the time to live for a key in milliseconds', since: '2.6.0', complexity: 'O(1)',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, true, false),
  }),
  command({
    name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_READ_FAST, group: 'generic', summary: 'Get the expiration Unix timestamp for a key', since: '7.0.0', complexity: 'O(1)',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, false, true),
  }),
  command({
    name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_READ_FAST, group: 'generic', summary: 'Get the expiration Unix timestamp for a key in milliseconds', since: '7.0.0', complexity: 'O(1)',
    handler: (ctx, argv) => ttlGeneric(ctx, argv, true, true),
  }),
  command({ name: 'persist', arity: 2, flags: ['write', 'fast'], keys: [1, 1, 1], acl: KEYSPACE_WRITE_FAST, group: 'generic', summary: 'Remove the expiration from a key', since: '2.2.0', complexity: 'O(1)', handler: persist }),
  command({
    name: 'object', arity: -2, flags: [], keys: [0, 0, 0], acl: ['slow'], group: 'generic', summary: 'A container for object introspection commands', since: '2.2.3', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['keyspace', 'slow'], group: 'generic', summary: 'Show helpful text about the different subcommands', since: '6.2.0', complexity: 'O(1)', handler: objectHelp }),
      objectSubcommand('encoding', 'Inspect the internal encoding of a Redis object', '2.2.3', objectEncoding),
      objectSubcommand('idletime', 'Get the time since a Redis object was last accessed', '2.2.3', objectIdletime),
      objectSubcommand('freq', 'Get the logarithmic access frequency counter of a Redis object', '4.0.0', objectFreq),
      objectSubcommand('refcount', 'Get the number of references to the value of the key', '2.2.3', objectRefcount),
    ],
  }),
  // Shard-side steps of the multi-shard coordinators above.
  command({ name: '_keys-pack', arity: 2, flags: ['readonly'], keys: [1, 1, 1], acl: [], group: 'generic', summary: "A key's value and TTL as one record", since: '7.0.0', internal: true, handler: packKey }),
  command({ name: '_keys-remove', arity: 3, flags: ['write'], keys: [1, 1, 1], acl: [], group: 'generic', summary: 'Delete a key with a given keyspace event', since: '7.0.0', internal: true, handler: removeKey }),
  command({ name: '_keys-unpack', arity: 6, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: [], group: 'generic', summary: 'Store a record made by _keys-pack', since: '7.0.0', internal: true, handler: unpackKey }),
  command({ name: '_keys-dbsize', arity: 1, flags: ['readonly'], keys: [0, 0, 0], acl: [], group: 'generic', summary: "Keys in this shard's part of the database", since: '7.0.0', internal: true, handler: (ctx) => ctx.reply.int(ctx.db.size) }),
];
