// Redis's conversion rules between command replies and Lua values (script_lua.c semantics).
//
// Reply -> Lua (what redis.call returns): integer -> number, bulk -> string, null bulk/array ->
// false, array -> table, status -> {ok=}, error -> {err=}; with redis.setresp(3) also map ->
// {map=}, set -> {set=}, null -> nil, boolean, double -> {double=}, big number -> {big_number=},
// verbatim -> {verbatim_string={format=, string=}}.
// Lua -> reply (what a script returns): number -> integer (truncated), string -> bulk, true -> 1,
// false -> null, table -> {err=}/{ok=}/{double=}/{map=}/... or an array up to the first nil.

import type { ReplyWriter } from '../protocol/reply';
import { LuaType, type LuaState } from './lua-bridge';

/** Pushes the RESP reply starting at bytes[pos] as a Lua value; returns the position after it. */
export function pushReply(lua: LuaState, bytes: Buffer, pos: number): number {
  const m = lua.m;
  const L = lua.L;
  const type = bytes[pos];
  const eol = bytes.indexOf(13, pos);
  const line = () => bytes.latin1Slice(pos + 1, eol);
  switch (type) {
    case 0x3a: // ':'
      m._lua_pushinteger(L, BigInt(line()));
      return eol + 2;
    case 0x2b: // '+'
      lua.m._lua_createtable(L, 0, 1);
      lua.pushBytes(bytes.subarray(pos + 1, eol));
      lua.rawSetField(-2, 'ok');
      return eol + 2;
    case 0x2d: // '-'
      pushError(lua, bytes.subarray(pos + 1, eol));
      return eol + 2;
    case 0x24: // '$'
    case 0x3d: { // '=' verbatim
      const n = Number(line());
      if (n < 0) {
        m._lua_pushboolean(L, 0);
        return eol + 2;
      }
      const start = eol + 2;
      if (type === 0x24) {
        lua.pushBytes(bytes.subarray(start, start + n));
      } else {
        m._lua_createtable(L, 0, 1);
        m._lua_createtable(L, 0, 2);
        lua.pushBytes(bytes.subarray(start + 4, start + n));
        lua.rawSetField(-2, 'string');
        lua.pushBytes(bytes.subarray(start, start + 3));
        lua.rawSetField(-2, 'format');
        lua.rawSetField(-2, 'verbatim_string');
      }
      return start + n + 2;
    }
    case 0x2a: // '*'
    case 0x3e: { // '>'
      const n = Number(line());
      if (n < 0) {
        m._lua_pushboolean(L, 0);
        return eol + 2;
      }
      m._lua_checkstack(L, 4);
      m._lua_createtable(L, n, 0);
      let p = eol + 2;
      for (let i = 1; i <= n; i++) {
        p = pushReply(lua, bytes, p);
        m._lua_rawseti(L, -2, BigInt(i));
      }
      return p;
    }
    case 0x25: // '%'
    case 0x7e: { // '~'
      const n = Number(line());
      m._lua_checkstack(L, 4);
      m._lua_createtable(L, 0, 1);
      m._lua_createtable(L, 0, n);
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        p = pushReply(lua, bytes, p);
        if (type === 0x25) p = pushReply(lua, bytes, p);
        else m._lua_pushboolean(L, 1);
        m._lua_rawset(L, -3);
      }
      lua.rawSetField(-2, type === 0x25 ? 'map' : 'set');
      return p;
    }
    case 0x5f: // '_'
      m._lua_pushnil(L);
      return eol + 2;
    case 0x23: // '#'
      m._lua_pushboolean(L, bytes[pos + 1] === 0x74 ? 1 : 0);
      return eol + 2;
    case 0x2c: // ','
      m._lua_createtable(L, 0, 1);
      m._lua_pushnumber(L, parseResp3Double(line()));
      lua.rawSetField(-2, 'double');
      return eol + 2;
    case 0x28: // '('
      m._lua_createtable(L, 0, 1);
      lua.pushBytes(bytes.subarray(pos + 1, eol));
      lua.rawSetField(-2, 'big_number');
      return eol + 2;
    default:
      throw new Error(`unexpected reply type ${String.fromCharCode(type)}`);
  }
}

/** Pushes {err=message}. */
export function pushError(lua: LuaState, message: Uint8Array): void {
  lua.m._lua_createtable(lua.L, 0, 1);
  lua.pushBytes(message);
  lua.rawSetField(-2, 'err');
}

function parseResp3Double(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** Nesting beyond this many tables is cut short, as Redis stops at Lua's C stack limit. */
const MAX_DEPTH = 1000;

/**
 * Writes the Lua value at `index` as a reply. `scriptResp` is the script's redis.setresp(),
 * which decides how booleans go out.
 */
export function writeLuaValue(lua: LuaState, index: number, reply: ReplyWriter, scriptResp: 2 | 3, depth = 0): void {
  const m = lua.m;
  const L = lua.L;
  switch (m._lua_type(L, index)) {
    case LuaType.String:
      reply.bulk(lua.readBytes(index));
      return;
    case LuaType.Boolean:
      if (scriptResp === 2) {
        if (m._lua_toboolean(L, index)) reply.int(1);
        else reply.nil();
      } else {
        reply.bool(m._lua_toboolean(L, index) !== 0);
      }
      return;
    case LuaType.Number:
      if (m._lua_isinteger(L, index)) reply.int(m._lua_tointegerx(L, index, 0));
      else reply.int(truncateToInt64(m._lua_tonumberx(L, index, 0)));
      return;
    case LuaType.Table:
      if (depth >= MAX_DEPTH || !m._lua_checkstack(L, 4)) {
        reply.error('ERR reached lua stack limit');
        return;
      }
      writeTable(lua, m._lua_absindex(L, index), reply, scriptResp, depth);
      return;
    default:
      reply.nil();
  }
}

function writeTable(lua: LuaState, table: number, reply: ReplyWriter, scriptResp: 2 | 3, depth: number): void {
  const m = lua.m;
  const L = lua.L;
  if (lua.rawGetField(table, 'err') === LuaType.String) {
    const message = lua.readBytes(-1);
    lua.pop(1);
    reply.error(sanitizeError(message));
    return;
  }
  lua.pop(1);
  if (lua.rawGetField(table, 'ok') === LuaType.String) {
    reply.simple(lua.readBytes(-1).toString('latin1').replace(/[\r\n]/g, ' '));
    lua.pop(1);
    return;
  }
  lua.pop(1);
  if (lua.rawGetField(table, 'double') === LuaType.Number) {
    reply.double(m._lua_tonumberx(L, -1, 0));
    lua.pop(1);
    return;
  }
  lua.pop(1);
  if (lua.rawGetField(table, 'big_number') === LuaType.String) {
    const text = lua.readBytes(-1).toString('latin1').replace(/[\r\n]/g, ' ');
    lua.pop(1);
    if (reply.proto === 3) reply.raw(Buffer.from(`(${text}\r\n`, 'latin1'));
    else reply.bulkString(text);
    return;
  }
  lua.pop(1);
  if (lua.rawGetField(table, 'map') === LuaType.Table) {
    writePairs(lua, reply, scriptResp, depth, true);
    lua.pop(1);
    return;
  }
  lua.pop(1);
  if (lua.rawGetField(table, 'set') === LuaType.Table) {
    writePairs(lua, reply, scriptResp, depth, false);
    lua.pop(1);
    return;
  }
  lua.pop(1);
  if (lua.rawGetField(table, 'verbatim_string') === LuaType.Table) {
    const inner = m._lua_absindex(L, -1);
    lua.rawGetField(inner, 'format');
    lua.rawGetField(inner, 'string');
    const format = lua.readBytes(-2).toString('latin1');
    const text = lua.readBytes(-1);
    lua.pop(3);
    if (reply.proto === 3) {
      reply.raw(Buffer.from(`=${text.length + 4}\r\n${format}:`, 'latin1'));
      reply.raw(text);
      reply.raw(CRLF);
    } else {
      reply.bulk(text);
    }
    return;
  }
  lua.pop(1);
  // An array: up to the first nil. The count is written first, so measure before writing.
  let n = 0;
  while (m._lua_rawgeti(L, table, BigInt(n + 1)) !== LuaType.Nil) {
    lua.pop(1);
    n++;
  }
  lua.pop(1);
  reply.array(n);
  for (let i = 1; i <= n; i++) {
    m._lua_rawgeti(L, table, BigInt(i));
    writeLuaValue(lua, -1, reply, scriptResp, depth + 1);
    lua.pop(1);
  }
}

/** Writes the map or set table on top of the stack (keys of a set, or key/value pairs). */
function writePairs(lua: LuaState, reply: ReplyWriter, scriptResp: 2 | 3, depth: number, isMap: boolean): void {
  const m = lua.m;
  const L = lua.L;
  const table = m._lua_absindex(L, -1);
  let n = 0;
  m._lua_pushnil(L);
  while (m._lua_next(L, table) !== 0) {
    lua.pop(1);
    n++;
  }
  if (isMap) reply.map(n);
  else reply.set(n);
  m._lua_pushnil(L);
  while (m._lua_next(L, table) !== 0) {
    writeLuaValue(lua, -2, reply, scriptResp, depth + 1);
    if (isMap) writeLuaValue(lua, -1, reply, scriptResp, depth + 1);
    lua.pop(1);
  }
}

/** An error reply's text: one line, without the leading '-'. */
function sanitizeError(message: Buffer): string {
  let text = message.toString('latin1');
  if (text.startsWith('-')) text = text.slice(1);
  return text.replace(/[\r\n]/g, ' ');
}

function truncateToInt64(d: number): bigint | number {
  if (!Number.isFinite(d)) return d > 0 ? 9223372036854775807n : -9223372036854775808n;
  const t = Math.trunc(d);
  if (Number.isSafeInteger(t)) return t;
  if (t >= 9223372036854775807) return 9223372036854775807n;
  if (t <= -9223372036854775808) return -9223372036854775808n;
  return BigInt(t);
}

const CRLF = Buffer.from('\r\n');
