// String commands (Redis t_string.c).

import { command, type ExecContext } from '../dispatch/command';
import { ValueType, NO_EXPIRE } from '../store/types';
import { parseSafeInteger } from '../util/number';
import { INVALID_EXPIRE, NOT_INTEGER, SYNTAX } from './errors';
import { lookupTyped, lookupWrite, WRONG_TYPE } from './lookup';

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

const setOptions: ExpireOptions = { flags: 0, expireArg: -1 };

/** ASCII-case-insensitive comparison of an argument with an uppercase keyword. */
export function isKeyword(arg: Buffer, upper: string): boolean {
  if (arg.length !== upper.length) return false;
  for (let i = 0; i < arg.length; i++) if ((arg[i] & 0xdf) !== upper.charCodeAt(i)) return false;
  return true;
}

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
 * the error (not an integer, or an invalid expire time for `cmdName`).
 */
export function expireAtFromArg(ctx: ExecContext, arg: Buffer, flags: number, cmdName: string): number | null {
  const v = parseSafeInteger(arg);
  if (v === null) {
    ctx.reply.error(NOT_INTEGER);
    return null;
  }
  const seconds = (flags & (SetFlag.EX | SetFlag.EXAT)) !== 0;
  // Values beyond 2^53 can't be represented exactly; Redis rejects the ones that overflow a long long.
  if (v === undefined || v <= 0 || (seconds && v > Number.MAX_SAFE_INTEGER / 1000)) {
    ctx.reply.error(INVALID_EXPIRE(cmdName));
    return null;
  }
  let ms = seconds ? v * 1000 : v;
  if (flags & (SetFlag.EX | SetFlag.PX)) ms += ctx.now;
  if (ms > Number.MAX_SAFE_INTEGER) {
    ctx.reply.error(INVALID_EXPIRE(cmdName));
    return null;
  }
  return ms;
}

function get(ctx: ExecContext, argv: Buffer[]): void {
  const h = lookupTyped(ctx, argv[1], ValueType.String);
  if (h === WRONG_TYPE) return;
  if (h < 0) ctx.reply.nil();
  else ctx.reply.bulk(ctx.db.stringValue(h));
}

function set(ctx: ExecContext, argv: Buffer[]): void {
  const opts = setOptions;
  if (!parseExtendedOptions(ctx, argv, true, opts)) return;
  const flags = opts.flags;
  let expireAt = NO_EXPIRE;
  if (opts.expireArg > 0) {
    const at = expireAtFromArg(ctx, argv[opts.expireArg], flags, 'set');
    if (at === null) return;
    expireAt = at;
  }
  const key = argv[1];
  const db = ctx.db;
  const h = lookupWrite(ctx, key);
  if (flags & SetFlag.GET) {
    if (h >= 0 && db.type(h) !== ValueType.String) {
      ctx.reply.error('WRONGTYPE Operation against a key holding the wrong kind of value');
      return;
    }
    if (h < 0) ctx.reply.nil();
    else ctx.reply.bulk(db.stringValue(h));
  }
  if ((flags & SetFlag.NX && h >= 0) || (flags & SetFlag.XX && h < 0)) {
    if (!(flags & SetFlag.GET)) ctx.reply.nil();
    return;
  }
  if (flags & SetFlag.KEEPTTL && h >= 0) expireAt = db.expireAt(h);
  db.setString(key, argv[2], expireAt);
  if (!(flags & SetFlag.GET)) ctx.reply.ok();
}

export const stringCommands = [
  command({ name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], acl: ['read', 'string', 'fast'], group: 'string', summary: 'Get the value of a key', since: '1.0.0', complexity: 'O(1)', handler: get }),
  command({ name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: ['write', 'string', 'slow'], group: 'string', summary: 'Set the string value of a key', since: '1.0.0', complexity: 'O(1)', handler: set }),
];
