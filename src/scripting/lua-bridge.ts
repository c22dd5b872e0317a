// The Lua VM: Lua 5.4 compiled to WebAssembly (the `wasmoon` package), driven through its
// raw C API exports. wasmoon's own high-level API converts strings as UTF-8 JS strings,
// which breaks binary values; here every string crosses as bytes copied over the WASM heap.
// bench/lua-vm.ts measured this against fengari (32-bit integers) and wasmoon's high-level API.

import { LuaFactory } from 'wasmoon';

/** The raw Emscripten exports used here (not in wasmoon's typings). */
export interface LuaExports {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  addFunction(fn: (L: number) => number, signature: string): number;
  stringToNewUTF8(text: string): number;
  _luaL_newstate(): number;
  _luaL_openlibs(L: number): void;
  _lua_close(L: number): void;
  _luaL_loadbufferx(L: number, buffer: number, size: number, name: number, mode: number): number;
  _luaL_ref(L: number, table: number): number;
  _luaL_unref(L: number, table: number, ref: number): void;
  _lua_rawgeti(L: number, index: number, n: bigint): number;
  _lua_rawseti(L: number, index: number, n: bigint): void;
  _lua_rawget(L: number, index: number): number;
  _lua_rawset(L: number, index: number): void;
  _lua_rawlen(L: number, index: number): bigint;
  _lua_next(L: number, index: number): number;
  _lua_pcallk(L: number, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, index: number): void;
  _lua_pushvalue(L: number, index: number): void;
  _lua_absindex(L: number, index: number): number;
  _lua_checkstack(L: number, n: number): number;
  _lua_type(L: number, index: number): number;
  _lua_isinteger(L: number, index: number): number;
  _lua_toboolean(L: number, index: number): number;
  _lua_tointegerx(L: number, index: number, isnum: number): bigint;
  _lua_tonumberx(L: number, index: number, isnum: number): number;
  _lua_tolstring(L: number, index: number, length: number): number;
  _lua_pushlstring(L: number, bytes: number, length: number): number;
  _lua_pushstring(L: number, text: number): number;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushnil(L: number): void;
  _lua_pushlightuserdata(L: number, pointer: number): void;
  _lua_pushcclosure(L: number, fn: number, n: number): void;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_getglobal(L: number, name: number): number;
  _lua_setglobal(L: number, name: number): void;
  _lua_setfield(L: number, index: number, name: number): void;
  _lua_rotate(L: number, index: number, n: number): void;
  _lua_setupvalue(L: number, funcIndex: number, n: number): number;
  _lua_newthread(L: number): number;
  _lua_xmove(from: number, to: number, n: number): void;
  _lua_resume(L: number, from: number, nargs: number, nresults: number): number;
  _lua_resetthread(L: number): number;
  /** Yields the running coroutine from a C function; `k` (a function-table index) runs when it is resumed. */
  _lua_yieldk(L: number, nresults: number, ctx: number, k: number): number;
  _lua_callk(L: number, nargs: number, nresults: number, ctx: number, k: number): void;
  /** Raises the value on top as a Lua error: unwinds (a JS exception) to the enclosing pcall. */
  _lua_error(L: number): number;
}

export const LUA_REGISTRYINDEX = -1_000_000 - 1000;
export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_ERRRUN = 2;
export const LUA_ERRSYNTAX = 3;
export const LUA_ERRMEM = 4;

export const enum LuaType {
  None = -1,
  Nil = 0,
  Boolean = 1,
  LightUserdata = 2,
  Number = 3,
  String = 4,
  Table = 5,
  Function = 6,
  Userdata = 7,
  Thread = 8,
}

let loadedModule: LuaExports | null = null;
let loading: Promise<LuaExports> | null = null;

/** Compiles the WASM module (once per thread). Start it early: V8 compiles in the background. */
export function loadLua(): Promise<LuaExports> {
  loading ??= new LuaFactory().getLuaModule().then((m) => (loadedModule = m.module as unknown as LuaExports));
  return loading;
}

/** The loaded module, or null while loadLua() is still compiling it. */
export function luaModule(): LuaExports | null {
  return loadedModule;
}

/**
 * A Lua state with byte-exact string transfer. Lua copies pushed strings, so one scratch
 * area of the WASM heap serves every push.
 */
export class LuaState {
  /** The main state. */
  readonly main: number;
  /**
   * The state (thread) operations apply to: the main state, or the coroutine a script runs in
   * while it runs (its C functions then see their arguments there).
   */
  L: number;
  private readonly lengthSlot: number;
  private scratch = 0;
  private scratchSize = 0;
  /** C strings of names used on hot paths (table fields, globals), allocated once. */
  private readonly names = new Map<string, number>();

  constructor(readonly m: LuaExports) {
    this.L = this.main = m._luaL_newstate();
    m._luaL_openlibs(this.L);
    this.lengthSlot = m._malloc(8);
  }

  /** A NUL-terminated copy of an ASCII name in the WASM heap, kept for the state's life. */
  name(text: string): number {
    let pointer = this.names.get(text);
    if (pointer === undefined) this.names.set(text, (pointer = this.m.stringToNewUTF8(text)));
    return pointer;
  }

  /** Copies bytes into the reusable scratch area; returns its address. */
  copyIn(bytes: Uint8Array): number {
    if (bytes.length > this.scratchSize) {
      if (this.scratch !== 0) this.m._free(this.scratch);
      this.scratchSize = Math.max(256, bytes.length * 2);
      this.scratch = this.m._malloc(this.scratchSize);
    }
    this.m.HEAPU8.set(bytes, this.scratch);
    return this.scratch;
  }

  pushBytes(bytes: Uint8Array): void {
    this.m._lua_pushlstring(this.L, this.copyIn(bytes), bytes.length);
  }

  pushText(text: string): void {
    this.pushBytes(Buffer.from(text, 'latin1'));
  }

  /** Copies the string (or number, converted by Lua) at `index` out of the heap. */
  readBytes(index: number): Buffer {
    const m = this.m;
    const pointer = m._lua_tolstring(this.L, index, this.lengthSlot);
    if (pointer === 0) return Buffer.alloc(0);
    const length = m.HEAPU32[this.lengthSlot >> 2];
    return Buffer.from(m.HEAPU8.subarray(pointer, pointer + length));
  }

  /** Compiles a chunk; pushes the function, or returns the error message. */
  load(source: Uint8Array, chunkName: string): string | null {
    const status = this.m._luaL_loadbufferx(this.L, this.copyIn(source), source.length, this.name(chunkName), 0);
    if (status === LUA_OK) return null;
    const message = this.readBytes(-1).toString('latin1');
    this.pop(1);
    return message;
  }

  /** Registers a JS function as a Lua C function (pushed on the stack). */
  pushFunction(fn: (L: number) => number): void {
    this.m._lua_pushcclosure(this.L, this.m.addFunction(fn, 'ii'), 0);
  }

  /** Sets field `key` of the table at `index` to the value on top (popping it), bypassing metamethods. */
  rawSetField(index: number, key: string): void {
    const table = this.m._lua_absindex(this.L, index);
    this.pushText(key);
    this.m._lua_rotate(this.L, -2, 1);
    this.m._lua_rawset(this.L, table);
  }

  /** Pushes field `key` of the table at `index` without metamethods; returns its type. */
  rawGetField(index: number, key: string): LuaType {
    const table = this.m._lua_absindex(this.L, index);
    this.m._lua_pushstring(this.L, this.name(key));
    return this.m._lua_rawget(this.L, table);
  }

  pop(n: number): void {
    this.m._lua_settop(this.L, -n - 1);
  }

  top(): number {
    return this.m._lua_gettop(this.L);
  }

  setTop(index: number): void {
    this.m._lua_settop(this.L, index);
  }

  type(index: number): LuaType {
    return this.m._lua_type(this.L, index);
  }
}
