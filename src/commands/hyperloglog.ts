// HyperLogLog commands (Redis hyperloglog.c): PFADD PFCOUNT PFMERGE, and the
// PFSELFTEST / PFDEBUG debugging commands. HLLs are String values in Redis's
// exact representation (src/store/hll.ts); edits happen in an HllEditor and
// are stored back with setString, keeping the key's TTL.

import { command, type ExecContext, type ShardTx } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { bulkOf, isError } from '../dispatch/resp-scan';
import { config } from '../config';
import { ValueType, NO_EXPIRE } from '../store/types';
import {
  HllEditor, HLL_DENSE, HLL_DENSE_BYTES, HLL_HEADER_BYTES, HLL_REGISTERS, HLL_SPARSE, cachedCardinality, denseRegister,
  emptyHll, hllCount, hllEncoding, isHll, lastPatternCount, mergeRegisters, patternOf, rawCount, setDenseRegister,
  storeCardinality,
} from '../store/hll';
import { WRONGTYPE } from './errors';
import { lookupTyped, WRONG_TYPE } from './lookup';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { isKeyword } from '../util/keyword';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const CORRUPT_HLL = 'INVALIDOBJ Corrupted HLL object detected';
const PFDEBUG_NO_KEY = 'ERR The specified key does not exist';
const PFDEBUG_NOT_SPARSE = 'ERR HLL encoding is not sparse';

const EMPTY_HLL = emptyHll();
/** The HLL being modified by the current command. */
const editor = new HllEditor();
/** Union registers (one byte each) of PFCOUNT / PFMERGE over several keys. */
const union = new Uint8Array(HLL_REGISTERS);

function sparseMaxBytes(): number {
  return config.numeric('hll-sparse-max-bytes');
}

// ---- PFADD ---------------------------------------------------------------------------

function pfadd(ctx: ExecContext, argv: Buffer[]): void {
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return;
  let updated = 0;
  let expireAt = NO_EXPIRE;
  if (h < 0) {
    editor.load(EMPTY_HLL, sparseMaxBytes());
    updated = 1;
  } else {
    const value = ctx.db.stringValue(h);
    if (!isHll(value)) {
      ctx.reply.error(NOT_HLL);
      return;
    }
    expireAt = ctx.db.expireAt(h);
    editor.load(value, sparseMaxBytes());
  }
  for (let j = 2; j < argv.length; j++) {
    const result = editor.add(argv[j]);
    if (result === 1) updated++;
    else if (result === -1) {
      // Redis edits in place: the registers set before the corruption was found stay set.
      if (updated > 0) ctx.db.setString(key, editor.view(), expireAt);
      ctx.reply.error(CORRUPT_HLL);
      return;
    }
  }
  if (updated > 0) {
    editor.invalidateCache();
    ctx.db.setString(key, editor.view(), expireAt);
    notifyKeyspaceEvent(ctx, EventClass.String, 'pfadd', key);
  }
  ctx.reply.int(updated > 0 ? 1 : 0);
}

// ---- unions (PFCOUNT of several keys, PFMERGE) ---------------------------------------------

const enum Merged { Missing, Sparse, Dense, NotHll, Corrupt }

/** Merges one key's value (null when missing) into `union`, as one step of Redis's loop over the keys. */
function mergeKey(value: Uint8Array | null): Merged {
  if (value === null) return Merged.Missing;
  if (!isHll(value)) return Merged.NotHll;
  if (!mergeRegisters(union, value)) return Merged.Corrupt;
  return hllEncoding(value) === HLL_DENSE ? Merged.Dense : Merged.Sparse;
}

/** Replies the error of a failed merge step; true when there was one. */
function mergeFailed(reply: ReplyWriter, merged: Merged): boolean {
  if (merged === Merged.NotHll) reply.error(NOT_HLL);
  else if (merged === Merged.Corrupt) reply.error(CORRUPT_HLL);
  else return false;
  return true;
}

/**
 * Merges the keys argv[first..] of this shard into `union`; returns whether any was dense,
 * or null after replying an error.
 */
function mergeLocalKeys(ctx: ExecContext, argv: Buffer[], first: number): boolean | null {
  union.fill(0);
  let dense = false;
  for (let j = first; j < argv.length; j++) {
    const h = lookupTyped(ctx, argv[j], ValueType.String);
    if (h === WRONG_TYPE) return null;
    const merged = mergeKey(h < 0 ? null : ctx.db.stringValue(h));
    if (mergeFailed(ctx.reply, merged)) return null;
    if (merged === Merged.Dense) dense = true;
  }
  return dense;
}

const GET = Buffer.from('get');
const PF_STORE = Buffer.from('_pf-store');

/**
 * Multi-shard form of mergeLocalKeys: GETs argv[first..] from their shards (a non-string
 * answers WRONGTYPE) and merges them here. Returns the GET replies (null after replying an error)
 * and whether any was dense.
 */
async function mergeRemoteKeys(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<{ values: Buffer[]; dense: boolean } | null> {
  const values = await Promise.all(argv.slice(1).map((key) => tx.exec(tx.shardOf(key), [GET, key])));
  union.fill(0);
  let dense = false;
  for (const r of values) {
    if (isError(r)) {
      reply.error(WRONGTYPE);
      return null;
    }
    const merged = mergeKey(bulkOf(r));
    if (mergeFailed(reply, merged)) return null;
    if (merged === Merged.Dense) dense = true;
  }
  return { values, dense };
}

/**
 * PFMERGE's destination: the current value (null when missing) with every register raised to
 * `union`, in the editor; dense when any source was. False when the destination is corrupt.
 */
function mergeIntoDestination(current: Uint8Array | null, dense: boolean): boolean {
  editor.load(current ?? EMPTY_HLL, sparseMaxBytes());
  if (dense && !editor.toDense()) return false;
  for (let i = 0; i < HLL_REGISTERS; i++) if (union[i] !== 0) editor.setRegister(i, union[i]);
  editor.invalidateCache();
  return true;
}

// ---- PFCOUNT -------------------------------------------------------------------------------

function pfcount(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length > 2) {
    if (mergeLocalKeys(ctx, argv, 1) !== null) ctx.reply.int(rawCount(union));
    return;
  }
  const key = argv[1];
  const h = lookupTyped(ctx, key, ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    ctx.reply.int(0);
    return;
  }
  const value = ctx.db.stringValue(h);
  if (!isHll(value)) {
    ctx.reply.error(NOT_HLL);
    return;
  }
  const cached = cachedCardinality(value);
  if (cached !== -1) {
    ctx.reply.int(cached);
    return;
  }
  const card = hllCount(value);
  if (card < 0) {
    ctx.reply.error(CORRUPT_HLL);
    return;
  }
  // Caching the cardinality edits the value in place (same length), then stores it back.
  storeCardinality(value, card);
  ctx.db.setString(key, value, ctx.db.expireAt(h));
  ctx.reply.int(card);
}

async function pfcountAcrossShards(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  if ((await mergeRemoteKeys(tx, argv, reply)) !== null) reply.int(rawCount(union));
}

// ---- PFMERGE -------------------------------------------------------------------------------

function pfmerge(ctx: ExecContext, argv: Buffer[]): void {
  const dense = mergeLocalKeys(ctx, argv, 1);
  if (dense === null) return;
  const dest = argv[1];
  const h = lookupTyped(ctx, dest, ValueType.String, true);
  if (!mergeIntoDestination(h < 0 ? null : ctx.db.stringValue(h), dense)) {
    ctx.reply.error(CORRUPT_HLL);
    return;
  }
  storeMerged(ctx, dest, editor.view(), h);
  ctx.reply.ok();
}

/** Stores a merged HyperLogLog at dest (entry h, or -1 when missing), keeping its TTL, with PFMERGE's 'pfadd' event. */
function storeMerged(ctx: ExecContext, dest: Buffer, value: Uint8Array, h: number): void {
  ctx.db.setString(dest, value, h < 0 ? NO_EXPIRE : ctx.db.expireAt(h));
  notifyKeyspaceEvent(ctx, EventClass.String, 'pfadd', dest);
}

/** _pf-store key value: a coordinator's PFMERGE result stored on the destination's shard. */
function storePayload(ctx: ExecContext, argv: Buffer[]): void {
  storeMerged(ctx, argv[1], argv[2], ctx.db.find(argv[1], ctx.now));
  ctx.reply.ok();
}

async function pfmergeAcrossShards(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const merged = await mergeRemoteKeys(tx, argv, reply);
  if (merged === null) return;
  if (!mergeIntoDestination(bulkOf(merged.values[0]), merged.dense)) {
    reply.error(CORRUPT_HLL);
    return;
  }
  const dest = argv[1];
  await tx.exec(tx.shardOf(dest), [PF_STORE, dest, editor.view()]);
  reply.ok();
}

// ---- PFDEBUG / PFSELFTEST ------------------------------------------------------------------

function pfdebug(ctx: ExecContext, argv: Buffer[]): void {
  const sub = argv[1];
  const key = argv[2];
  const reply = ctx.reply;
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    reply.error(PFDEBUG_NO_KEY);
    return;
  }
  const value = ctx.db.stringValue(h);
  if (!isHll(value)) {
    reply.error(NOT_HLL);
    return;
  }
  const sparse = hllEncoding(value) === HLL_SPARSE;
  if (isKeyword(sub, 'GETREG') || isKeyword(sub, 'TODENSE')) {
    let dense: Uint8Array = value;
    if (sparse) {
      editor.load(value, sparseMaxBytes());
      if (!editor.toDense()) {
        reply.error(CORRUPT_HLL);
        return;
      }
      ctx.db.setString(key, editor.view(), ctx.db.expireAt(h));
      dense = editor.view();
    }
    if (isKeyword(sub, 'TODENSE')) {
      reply.int(sparse ? 1 : 0);
      return;
    }
    reply.array(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) reply.int(denseRegister(dense, HLL_HEADER_BYTES, i));
  } else if (isKeyword(sub, 'DECODE')) {
    if (!sparse) {
      reply.error(PFDEBUG_NOT_SPARSE);
      return;
    }
    reply.bulkString(decodeSparse(value));
  } else if (isKeyword(sub, 'ENCODING')) {
    reply.simple(sparse ? 'sparse' : 'dense');
  } else {
    reply.error(`ERR Unknown PFDEBUG subcommand '${sub.latin1Slice(0, sub.length)}'`);
  }
}

/** PFDEBUG DECODE text of a sparse HLL: "z:len", "Z:len" and "v:value,len" opcodes. */
function decodeSparse(value: Uint8Array): string {
  const parts: string[] = [];
  for (let p = HLL_HEADER_BYTES; p < value.length;) {
    const op = value[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${(((op & 0x3f) << 8) | (p + 1 < value.length ? value[p + 1] : 0)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}

const SELFTEST_CYCLES = 1000;
const SELFTEST_ELEMENTS = 10_000_000;

/** Redis pfselftestCommand: register access, then estimation error and dense/sparse agreement. */
function pfselftest(ctx: ExecContext): void {
  const reply = ctx.reply;
  const dense = Buffer.alloc(HLL_DENSE_BYTES);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < SELFTEST_CYCLES; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      expected[i] = r;
      setDenseRegister(dense, HLL_HEADER_BYTES, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = denseRegister(dense, HLL_HEADER_BYTES, i);
      if (r !== expected[i]) {
        reply.error(`TESTFAILED Register ${i} should be ${expected[i]} but is ${r}`);
        return;
      }
    }
  }

  // Add the same elements to a dense HLL and to a sparse one (which promotes itself).
  dense.fill(0);
  dense.write('HYLL', 0, 'latin1');
  const maxBytes = sparseMaxBytes();
  const sparse = new HllEditor();
  sparse.load(EMPTY_HLL, maxBytes);
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = (Math.random() * 0x100000000) >>> 0;
  const element = Buffer.alloc(8);
  element.writeUInt32LE((Math.random() * 0x100000000) >>> 0, 4);
  let checkpoint = 1;
  for (let j = 1; j <= SELFTEST_ELEMENTS; j++) {
    element.writeUInt32LE((j ^ seedLo) >>> 0, 0);
    const index = patternOf(element);
    const count = lastPatternCount();
    if (denseRegister(dense, HLL_HEADER_BYTES, index) < count) setDenseRegister(dense, HLL_HEADER_BYTES, index, count);
    sparse.setRegister(index, count);
    if (j !== checkpoint) continue;
    if (j < maxBytes / 2 && sparse.encoding !== HLL_SPARSE) {
      reply.error('TESTFAILED sparse encoding not used');
      return;
    }
    const card = hllCount(dense);
    if (card !== hllCount(sparse.view())) {
      reply.error('TESTFAILED dense/sparse disagree');
      return;
    }
    const maxError = j === 10 ? 1 : Math.ceil(relativeError * 6 * checkpoint);
    const absError = Math.abs(checkpoint - card);
    if (absError > maxError) {
      reply.error(`TESTFAILED Too big error. card:${checkpoint} abserr:${absError}`);
      return;
    }
    checkpoint *= 10;
  }
  reply.ok();
}

export const hyperloglogCommands = [
  command({ name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: [1, 1, 1], acl: ['write', 'hyperloglog', 'fast'], group: 'hyperloglog', summary: 'Adds the specified elements to the specified HyperLogLog.', since: '2.8.9', complexity: 'O(1) to add every element.', keySpecs: [{ flags: ['RW', 'insert'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }], handler: pfadd }),
  command({ name: 'pfcount', arity: -2, flags: ['readonly'], keys: [1, -1, 1], acl: ['read', 'hyperloglog', 'slow'], group: 'hyperloglog', summary: 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', since: '2.8.9', complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.', keySpecs: [{ notes: 'RW because it may change the internal representation of the key, and propagate to replicas', flags: ['RW', 'access'], begin: { index: 1 }, find: { lastkey: -1, keystep: 1, limit: 0 } }], coordinate: pfcountAcrossShards, handler: pfcount }),
  command({
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], keys: [1, -1, 1], acl: ['write', 'hyperloglog', 'slow'], group: 'hyperloglog', summary: 'Merge N different HyperLogLogs into a single one.', since: '2.8.9', complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    keySpecs: [
      { flags: ['RW', 'access', 'insert'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
      { flags: ['RO', 'access'], begin: { index: 2 }, find: { lastkey: -1, keystep: 1, limit: 0 } },
    ],
    coordinate: pfmergeAcrossShards, handler: pfmerge,
  }),
  command({ name: '_pf-store', arity: 3, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: [], group: 'hyperloglog', summary: 'Store a PFMERGE result', since: '7.0.0', internal: true, handler: storePayload }),
  command({ name: 'pfselftest', arity: 1, flags: ['admin'], keys: [0, 0, 0], acl: ['hyperloglog', 'admin', 'slow', 'dangerous'], group: 'hyperloglog', summary: 'An internal command for testing HyperLogLog values', since: '2.8.9', complexity: 'N/A', handler: pfselftest }),
  command({ name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], keys: [2, 2, 1], acl: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'], group: 'hyperloglog', summary: 'Internal commands for debugging HyperLogLog values', since: '2.8.9', complexity: 'N/A', keySpecs: [{ flags: ['RW', 'access'], begin: { index: 2 }, find: { lastkey: 0, keystep: 1, limit: 0 } }], handler: pfdebug }),
];
