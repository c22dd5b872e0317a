// Bitmap commands on String values (Redis bitops.c): SETBIT GETBIT BITCOUNT
// BITPOS BITOP BITFIELD BITFIELD_RO. Bit 0 is the most significant bit of the
// first byte. Writes edit a copy (or the slab view when the length is kept)
// and store it back with setString, keeping the key's TTL.

import { command, type ExecContext, type ShardTx } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { bulkOf, isError } from '../dispatch/resp-scan';
import { config } from '../config';
import { ValueType, NO_EXPIRE } from '../store/types';
import { parseInteger, parseSafeIntegerAt } from '../util/number';
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors';
import { lookupTyped, WRONG_TYPE } from './lookup';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';
import { isKeyword } from '../util/keyword';

const BIT_OFFSET_INVALID = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE_INVALID = 'ERR bit is not an integer or out of range';
const BIT_ARG_INVALID = 'ERR The bit argument must be 1 or 0.';
const BITOP_NOT_ARITY = 'ERR BITOP NOT must be called with a single source key.';
const BITFIELD_TYPE_INVALID = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const OVERFLOW_TYPE_INVALID = 'ERR Invalid OVERFLOW type specified';
const BITFIELD_RO_WRITE = 'ERR BITFIELD_RO only supports the GET subcommand';

const EMPTY = Buffer.alloc(0);

/** Set bits per byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** A long long argument as a number: exact when safe, +/-Infinity beyond, NaN when invalid. */
function longArg(arg: Buffer): number {
  return parseSafeIntegerAt(arg, 0, arg.length);
}

/**
 * Redis getBitOffsetFromArgument: a bit offset below proto-max-bulk-len * 8, or -1 after
 * replying the error. With `bits` > 0 (BITFIELD), "#n" means n * bits (wrapping in 64 bits as C does).
 */
function bitOffsetArg(reply: ReplyWriter, arg: Buffer, bits: number): number {
  const hashForm = bits > 0 && arg.length > 0 && arg[0] === 0x23;
  let offset = parseSafeIntegerAt(arg, hashForm ? 1 : 0, arg.length);
  if (hashForm && offset === offset) {
    offset *= bits;
    if (!Number.isSafeInteger(offset)) {
      offset = Number(BigInt.asIntN(64, parseInteger(arg.subarray(1))! * BigInt(bits)));
    }
  }
  if (offset !== offset || offset < 0 || Math.floor(offset / 8) >= config.numeric('proto-max-bulk-len')) {
    reply.error(BIT_OFFSET_INVALID);
    return -1;
  }
  return offset;
}

/** A String value being edited by a bit command, to be stored back with its TTL. */
interface EditableValue {
  bytes: Buffer;
  /** True when the value was created or lengthened (it must be stored even if no bit changes). */
  grown: boolean;
  expireAt: number;
}

const editable: EditableValue = { bytes: EMPTY, grown: false, expireAt: NO_EXPIRE };

/**
 * Redis lookupStringForBitCommand: the String at key zero-padded to at least `length` bytes
 * (the slab view itself when long enough, else a fresh copy), or null after replying WRONGTYPE.
 */
function lookupForBitWrite(ctx: ExecContext, key: Buffer, length: number): EditableValue | null {
  const h = lookupTyped(ctx, key, ValueType.String, true);
  if (h === WRONG_TYPE) return null;
  if (h < 0) {
    editable.bytes = Buffer.alloc(length);
    editable.grown = true;
    editable.expireAt = NO_EXPIRE;
    return editable;
  }
  const current = ctx.db.stringValue(h);
  editable.expireAt = ctx.db.expireAt(h);
  editable.grown = current.length < length;
  if (editable.grown) {
    editable.bytes = Buffer.alloc(length);
    editable.bytes.set(current, 0);
  } else {
    editable.bytes = current;
  }
  return editable;
}

// ---- SETBIT / GETBIT -----------------------------------------------------------

function setbit(ctx: ExecContext, argv: Buffer[]): void {
  const offset = bitOffsetArg(ctx.reply, argv[2], 0);
  if (offset < 0) return;
  const on = longArg(argv[3]);
  if (on !== 0 && on !== 1) {
    ctx.reply.error(BIT_VALUE_INVALID);
    return;
  }
  const byte = Math.floor(offset / 8);
  const value = lookupForBitWrite(ctx, argv[1], byte + 1);
  if (value === null) return;
  const mask = 0x80 >> (offset & 7);
  const bytes = value.bytes;
  const old = (bytes[byte] & mask) !== 0 ? 1 : 0;
  if (value.grown || old !== on) {
    bytes[byte] = on ? bytes[byte] | mask : bytes[byte] & ~mask;
    ctx.db.setString(argv[1], bytes, value.expireAt);
    notifyKeyspaceEvent(ctx, EventClass.String, 'setbit', argv[1]);
  }
  ctx.reply.int(old);
}

function getbit(ctx: ExecContext, argv: Buffer[]): void {
  const offset = bitOffsetArg(ctx.reply, argv[2], 0);
  if (offset < 0) return;
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  const value = h < 0 ? EMPTY : ctx.db.stringValue(h);
  const byte = Math.floor(offset / 8);
  ctx.reply.int(byte < value.length && (value[byte] & (0x80 >> (offset & 7))) !== 0 ? 1 : 0);
}

// ---- BITCOUNT / BITPOS -------------------------------------------------------------

/** Set bits of value within the bit range [startBit, endBit]. */
function countBits(value: Uint8Array, startBit: number, endBit: number): number {
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  let count = 0;
  for (let i = first; i <= last; i++) count += POPCOUNT[value[i]];
  // Take back the bits of the edge bytes that lie outside the range.
  count -= POPCOUNT[value[first] & ~(0xff >> (startBit & 7)) & 0xff];
  count -= POPCOUNT[value[last] & (0xff >> ((endBit & 7) + 1))];
  return count;
}

/** Position of the first bit equal to `bit` within the bit range [startBit, endBit], or -1. */
function findBit(value: Uint8Array, startBit: number, endBit: number, bit: number): number {
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  const skip = bit ? 0 : 0xff;
  for (let i = first; i <= last; i++) {
    const byte = value[i];
    if (byte === skip) continue;
    const from = i === first ? startBit & 7 : 0;
    const to = i === last ? endBit & 7 : 7;
    for (let b = from; b <= to; b++) {
      if (((byte >> (7 - b)) & 1) === bit) return i * 8 + b;
    }
  }
  return -1;
}

/** Range of a BITCOUNT/BITPOS call, normalized as Redis does; start > end means empty. */
const range = { start: 0, end: 0 };

/** Normalizes start/end (in units of a string `total` units long) as Redis: negatives from the end, clamped. */
function normalizeRange(start: number, end: number, total: number): void {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  range.start = start;
  range.end = end;
}

/** True when both arguments are negative and start > end (compared exactly beyond 2^53). */
function negativeInverted(start: number, end: number, startArg: Buffer, endArg: Buffer): boolean {
  if (start >= 0 || end >= 0) return false;
  if (start === -Infinity && end === -Infinity) return parseInteger(startArg)! > parseInteger(endArg)!;
  return start > end;
}

/** Unit keyword of BITCOUNT/BITPOS: 8 for BIT, 1 for BYTE, 0 after replying a syntax error. */
function unitArg(reply: ReplyWriter, arg: Buffer): number {
  if (isKeyword(arg, 'BIT')) return 8;
  if (isKeyword(arg, 'BYTE')) return 1;
  reply.error(SYNTAX);
  return 0;
}

function bitcount(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    ctx.reply.int(0);
    return;
  }
  const value = ctx.db.stringValue(h);
  if (argv.length === 2) {
    ctx.reply.int(value.length === 0 ? 0 : countBits(value, 0, value.length * 8 - 1));
    return;
  }
  if (argv.length > 5 || argv.length === 3) {
    ctx.reply.error(SYNTAX);
    return;
  }
  const start = longArg(argv[2]);
  const end = start === start ? longArg(argv[3]) : NaN;
  if (end !== end) {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  if (negativeInverted(start, end, argv[2], argv[3])) {
    ctx.reply.int(0);
    return;
  }
  const unit = argv.length === 5 ? unitArg(ctx.reply, argv[4]) : 1;
  if (unit === 0) return;
  normalizeRange(start, end, value.length * unit);
  if (range.start > range.end) {
    ctx.reply.int(0);
    return;
  }
  ctx.reply.int(unit === 8 ? countBits(value, range.start, range.end) : countBits(value, range.start * 8, range.end * 8 + 7));
}

function bitpos(ctx: ExecContext, argv: Buffer[]): void {
  const bit = longArg(argv[2]);
  if (bit !== bit) {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  if (bit !== 0 && bit !== 1) {
    ctx.reply.error(BIT_ARG_INVALID);
    return;
  }
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) {
    ctx.reply.int(bit ? -1 : 0);
    return;
  }
  const value = ctx.db.stringValue(h);
  if (argv.length > 6) {
    ctx.reply.error(SYNTAX);
    return;
  }
  let unit = 1;
  const endGiven = argv.length >= 5;
  if (argv.length === 3) {
    range.start = 0;
    range.end = value.length - 1;
  } else {
    const start = longArg(argv[3]);
    if (start !== start) {
      ctx.reply.error(NOT_INTEGER);
      return;
    }
    if (argv.length === 6) {
      unit = unitArg(ctx.reply, argv[5]);
      if (unit === 0) return;
    }
    const total = value.length * unit;
    const end = endGiven ? longArg(argv[4]) : total - 1;
    if (end !== end) {
      ctx.reply.error(NOT_INTEGER);
      return;
    }
    normalizeRange(start, end, total);
  }
  if (range.start > range.end) {
    ctx.reply.int(-1);
    return;
  }
  const startBit = unit === 8 ? range.start : range.start * 8;
  const endBit = unit === 8 ? range.end : range.end * 8 + 7;
  const pos = findBit(value, startBit, endBit, bit);
  // Without an explicit end the string counts as zero-padded on the right.
  if (pos < 0 && bit === 0 && !endGiven) ctx.reply.int(endBit + 1);
  else ctx.reply.int(pos);
}

// ---- BITOP -------------------------------------------------------------------------

const enum BitOp { And, Or, Xor, Not }

function bitOpArg(arg: Buffer): BitOp | -1 {
  if (isKeyword(arg, 'AND')) return BitOp.And;
  if (isKeyword(arg, 'OR')) return BitOp.Or;
  if (isKeyword(arg, 'XOR')) return BitOp.Xor;
  if (isKeyword(arg, 'NOT')) return BitOp.Not;
  return -1;
}

/** Checks BITOP's operation and source count; the operation, or -1 after replying the error. */
function parseBitOp(reply: ReplyWriter, argv: Buffer[]): BitOp | -1 {
  const op = bitOpArg(argv[1]);
  if (op === -1) reply.error(SYNTAX);
  else if (op === BitOp.Not && argv.length !== 4) {
    reply.error(BITOP_NOT_ARITY);
    return -1;
  }
  return op;
}

/** The BITOP result of sources (missing keys are null: a stream of zeros), or null when all are empty. */
function computeBitOp(op: BitOp, sources: ReadonlyArray<Uint8Array | null>): Buffer | null {
  let length = 0;
  for (const s of sources) if (s !== null && s.length > length) length = s.length;
  if (length === 0) return null;
  const result = Buffer.alloc(length);
  const first = sources[0];
  if (first !== null) result.set(first, 0);
  if (op === BitOp.Not) {
    for (let i = 0; i < length; i++) result[i] = ~result[i];
    return result;
  }
  for (let k = 1; k < sources.length; k++) {
    const s = sources[k];
    const n = s === null ? 0 : s.length;
    if (op === BitOp.And) {
      for (let i = 0; i < n; i++) result[i] &= s![i];
      result.fill(0, n);
    } else if (op === BitOp.Or) {
      for (let i = 0; i < n; i++) result[i] |= s![i];
    } else {
      for (let i = 0; i < n; i++) result[i] ^= s![i];
    }
  }
  return result;
}

/** Stores a BITOP result at dest (no TTL), or deletes dest when there is none; replies the length. */
function storeBitOp(ctx: ExecContext, dest: Buffer, result: Buffer | null): void {
  if (result === null) {
    if (ctx.db.delete(dest, ctx.now)) notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', dest);
  } else {
    ctx.db.setString(dest, result, NO_EXPIRE);
    notifyKeyspaceEvent(ctx, EventClass.String, 'set', dest);
  }
  ctx.reply.int(result === null ? 0 : result.length);
}

function bitop(ctx: ExecContext, argv: Buffer[]): void {
  const op = parseBitOp(ctx.reply, argv);
  if (op === -1) return;
  // Sources are copied: views would not survive the lookups of the next keys.
  const sources: Array<Buffer | null> = [];
  for (let j = 3; j < argv.length; j++) {
    const h = lookupTyped(ctx, argv[j], ValueType.String);
    if (h === WRONG_TYPE) return;
    sources.push(h < 0 ? null : Buffer.from(ctx.db.stringValue(h)));
  }
  storeBitOp(ctx, argv[2], computeBitOp(op, sources));
}

const GET = Buffer.from('get');
const SET = Buffer.from('set');
const DEL = Buffer.from('del');

/** BITOP with keys on several shards: GET every source (WRONGTYPE for non-strings), compute here, then store. */
async function bitopAcrossShards(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const op = parseBitOp(reply, argv);
  if (op === -1) return;
  const replies = await Promise.all(argv.slice(3).map((key) => tx.exec(tx.shardOf(key), [GET, key])));
  for (const r of replies) {
    if (isError(r)) {
      reply.error(WRONGTYPE);
      return;
    }
  }
  const result = computeBitOp(op, replies.map(bulkOf));
  const dest = argv[2];
  await tx.exec(tx.shardOf(dest), result === null ? [DEL, dest] : [SET, dest, result]);
  reply.int(result === null ? 0 : result.length);
}

// ---- BITFIELD ----------------------------------------------------------------------

const enum FieldOp { Get, Set, IncrBy }
const enum Overflow { Wrap, Sat, Fail }

/** One parsed BITFIELD operation. */
interface FieldOperation {
  op: FieldOp;
  overflow: Overflow;
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
}

/** Reused operation records (a call only grows the pool). */
const fieldOps: FieldOperation[] = [];

function fieldOpAt(i: number): FieldOperation {
  if (i === fieldOps.length) fieldOps.push({ op: FieldOp.Get, overflow: Overflow.Wrap, signed: false, bits: 0, offset: 0, value: 0n });
  return fieldOps[i];
}

/** Redis getBitfieldTypeFromArgument: width in bits (negative for signed, i1..i64 / u1..u63), or 0 after replying. */
function fieldTypeArg(reply: ReplyWriter, arg: Buffer): number {
  const sign = arg.length > 0 ? arg[0] : 0;
  // C string semantics: the width ends at the first NUL byte.
  const nul = arg.indexOf(0, 1);
  const bits = sign === 0x69 || sign === 0x75 ? parseSafeIntegerAt(arg, 1, nul < 0 ? arg.length : nul) : NaN;
  if (!(bits >= 1 && bits <= (sign === 0x69 ? 64 : 63))) {
    reply.error(BITFIELD_TYPE_INVALID);
    return 0;
  }
  return sign === 0x69 ? -bits : bits;
}

/** The unsigned integer of `bits` bits at bit offset in bytes (zeros beyond the end). */
function readField(bytes: Uint8Array, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const lastBit = offset + bits - 1;
  const last = Math.floor(lastBit / 8);
  let word = 0n;
  for (let i = first; i <= last; i++) word = (word << 8n) | BigInt(i < bytes.length ? bytes[i] : 0);
  return BigInt.asUintN(bits, word >> BigInt(7 - (lastBit & 7)));
}

/** Writes the low `bits` bits of value at bit offset; bytes must be long enough. */
function writeField(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const lastBit = offset + bits - 1;
  const last = Math.floor(lastBit / 8);
  const shift = BigInt(7 - (lastBit & 7));
  let word = 0n;
  for (let i = first; i <= last; i++) word = (word << 8n) | BigInt(bytes[i]);
  const mask = ((1n << BigInt(bits)) - 1n) << shift;
  word = (word & ~mask) | ((BigInt.asUintN(bits, value) << shift) & mask);
  for (let i = last; i >= first; i--) {
    bytes[i] = Number(word & 0xffn);
    word >>= 8n;
  }
}

/**
 * New value of a field after SET (value) or INCRBY (old + value) with the overflow policy,
 * or null when it overflows under FAIL. Computed exactly, as Redis's check*BitfieldOverflow.
 */
function fieldResult(f: FieldOperation, old: bigint): bigint | null {
  const bits = BigInt(f.bits);
  let target: bigint;
  if (f.op === FieldOp.IncrBy) target = old + f.value;
  else target = f.signed ? f.value : BigInt.asUintN(64, f.value);
  const max = f.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  const min = f.signed ? -(1n << (bits - 1n)) : 0n;
  if (target >= min && target <= max) return target;
  if (f.overflow === Overflow.Fail) return null;
  if (f.overflow === Overflow.Sat) return target > max ? max : min;
  return f.signed ? BigInt.asIntN(f.bits, target) : BigInt.asUintN(f.bits, target);
}

function bitfieldGeneric(ctx: ExecContext, argv: Buffer[], readonlyCommand: boolean): void {
  const reply = ctx.reply;
  let count = 0;
  let overflow = Overflow.Wrap;
  let writes = false;
  let highestBit = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = argv[j];
    let op: FieldOp;
    if (isKeyword(sub, 'GET') && remaining >= 2) op = FieldOp.Get;
    else if (isKeyword(sub, 'SET') && remaining >= 3) op = FieldOp.Set;
    else if (isKeyword(sub, 'INCRBY') && remaining >= 3) op = FieldOp.IncrBy;
    else if (isKeyword(sub, 'OVERFLOW') && remaining >= 1) {
      const kind = argv[++j];
      if (isKeyword(kind, 'WRAP')) overflow = Overflow.Wrap;
      else if (isKeyword(kind, 'SAT')) overflow = Overflow.Sat;
      else if (isKeyword(kind, 'FAIL')) overflow = Overflow.Fail;
      else {
        reply.error(OVERFLOW_TYPE_INVALID);
        return;
      }
      continue;
    } else {
      reply.error(SYNTAX);
      return;
    }
    const type = fieldTypeArg(reply, argv[j + 1]);
    if (type === 0) return;
    const bits = Math.abs(type);
    const offset = bitOffsetArg(reply, argv[j + 2], bits);
    if (offset < 0) return;
    let value = 0n;
    if (op !== FieldOp.Get) {
      writes = true;
      if (offset + bits - 1 > highestBit) highestBit = offset + bits - 1;
      const parsed = parseInteger(argv[j + 3]);
      if (parsed === null) {
        reply.error(NOT_INTEGER);
        return;
      }
      value = parsed;
    }
    const f = fieldOpAt(count++);
    f.op = op;
    f.overflow = overflow;
    f.signed = type < 0;
    f.bits = bits;
    f.offset = offset;
    f.value = value;
    j += op === FieldOp.Get ? 2 : 3;
  }

  let bytes: Uint8Array = EMPTY;
  let target: EditableValue | null = null;
  if (!writes) {
    const h = lookupTyped(ctx, argv[1], ValueType.String);
    if (h === WRONG_TYPE) return;
    if (h >= 0) bytes = ctx.db.stringValue(h);
  } else {
    if (readonlyCommand) {
      reply.error(BITFIELD_RO_WRITE);
      return;
    }
    target = lookupForBitWrite(ctx, argv[1], Math.floor(highestBit / 8) + 1);
    if (target === null) return;
    bytes = target.bytes;
  }

  let changed = target !== null && target.grown;
  reply.array(count);
  for (let i = 0; i < count; i++) {
    const f = fieldOps[i];
    const raw = readField(bytes, f.offset, f.bits);
    const old = f.signed ? BigInt.asIntN(f.bits, raw) : raw;
    if (f.op === FieldOp.Get) {
      reply.int(old);
      continue;
    }
    const next = fieldResult(f, old);
    if (next === null) {
      reply.nil();
      continue;
    }
    reply.int(f.op === FieldOp.IncrBy ? next : old);
    writeField(bytes, f.offset, f.bits, next);
    if (next !== old) changed = true;
  }
  if (changed) {
    ctx.db.setString(argv[1], bytes, target!.expireAt);
    notifyKeyspaceEvent(ctx, EventClass.String, 'setbit', argv[1]);
  }
}

function bitfield(ctx: ExecContext, argv: Buffer[]): void {
  bitfieldGeneric(ctx, argv, false);
}

function bitfieldRo(ctx: ExecContext, argv: Buffer[]): void {
  bitfieldGeneric(ctx, argv, true);
}

export const bitmapCommands = [
  command({ name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'bitmap', 'slow'], group: 'bitmap', summary: 'Sets or clears the bit at offset in the string value stored at key', since: '2.2.0', complexity: 'O(1)', keySpecs: [{ flags: ['RW', 'access', 'update'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }], handler: setbit }),
  command({ name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'bitmap', 'fast'], group: 'bitmap', summary: 'Returns the bit value at offset in the string value stored at key', since: '2.2.0', complexity: 'O(1)', handler: getbit }),
  command({ name: 'bitcount', arity: -2, flags: ['readonly'], keys: [1, 1, 1], acl: ['read', 'bitmap', 'slow'], group: 'bitmap', summary: 'Count set bits in a string', since: '2.6.0', complexity: 'O(N)', handler: bitcount }),
  command({ name: 'bitpos', arity: -3, flags: ['readonly'], keys: [1, 1, 1], acl: ['read', 'bitmap', 'slow'], group: 'bitmap', summary: 'Find first bit set or clear in a string', since: '2.8.7', complexity: 'O(N)', handler: bitpos }),
  command({
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: [2, -1, 1], acl: ['write', 'bitmap', 'slow'], group: 'bitmap', summary: 'Perform bitwise operations between strings', since: '2.6.0', complexity: 'O(N)',
    keySpecs: [
      { flags: ['OW', 'update'], begin: { index: 2 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
      { flags: ['RO', 'access'], begin: { index: 3 }, find: { lastkey: -1, keystep: 1, limit: 0 } },
    ],
    coordinate: bitopAcrossShards, handler: bitop,
  }),
  command({ name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'bitmap', 'slow'], group: 'bitmap', summary: 'Perform arbitrary bitfield integer operations on strings', since: '3.2.0', complexity: 'O(1) for each subcommand specified', keySpecs: [{ notes: 'This command allows both access and modification of the key', flags: ['RW', 'access', 'update', 'variable_flags'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }], handler: bitfield }),
  command({ name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'bitmap', 'fast'], group: 'bitmap', summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD', since: '6.0.0', complexity: 'O(1) for each subcommand specified', handler: bitfieldRo }),
];
