// One Lua state per thread, with Redis's scripting environment, the script cache of EVAL, and
// the bridge between redis.call and our command table.
//
// A script runs synchronously from start to end. Its commands go through a ScriptCaller: on a
// one-thread server that is the shard itself; on a multi-shard server the script's thread
// coordinates (every shard frozen) and reaches other shards with synchronous hops. Either way
// nothing else runs meanwhile, so any key, declared or not, is safe to touch.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../dispatch/command';
import type { ReplyWriter, Protocol } from '../protocol/reply';
import { formatDouble } from '../util/number';
import { isKeyword } from '../util/keyword';
import { config } from '../config';
import { REDIS_VERSION } from '../version';
import { LUA_OK, LUA_REGISTRYINDEX, LUA_YIELD, LuaType, LuaState, luaModule } from './lua-bridge';
import { pushError, pushReply, writeLuaValue } from './convert';

/** Runs commands for a script, with every shard the script can reach at its disposal. */
export interface ScriptCaller {
  /** Looks a command (or container subcommand) up by its argv. */
  lookup(argv: Buffer[]): Command | undefined;
  /**
   * Runs a checked command now in database `dbIndex`; returns its encoded reply, or null when
   * it can only run asynchronously (a multi-shard coordinator): the script then yields.
   */
  exec(cmd: Command, argv: Buffer[], dbIndex: number, proto: Protocol): Buffer | null;
}

/** How one script call runs. */
export interface ScriptRun {
  caller: ScriptCaller;
  dbIndex: number;
  /** EVAL_RO, FCALL_RO, or a no-writes shebang: write commands fail. */
  readOnly: boolean;
  /** 'script: <sha>' or the function name, used in error replies. */
  name: string;
  /** The client that runs the script (0 for none): the one not served while the script is busy. */
  callerId: number;
  /** FCALL's argv when the script is a function (FUNCTION STATS and KILL, BUSY texts); unset for EVAL. */
  fcall?: Buffer[];
}

/** The BUSY error while a script runs past busy-reply-threshold: it names what can stop it. */
export function busyText(isFunction: boolean): string {
  return `BUSY Redis is busy running a script. You can only call ${isFunction ? 'FUNCTION' : 'SCRIPT'} KILL or SHUTDOWN NOSAVE.`;
}

/** What redis.register_function was given. */
interface FunctionArgs {
  name: Buffer;
  ref: number;
  description: Buffer | null;
  flags: ScriptFlags;
}

/** Where redis.register_function puts the functions of the library being loaded. */
export interface LibraryLoader {
  /** Adds a function whose callback is registry reference `ref`; returns an error message, or null. */
  register(name: Buffer, ref: number, description: Buffer | null, flags: ScriptFlags): string | null;
}

/** Flags a script declares in its `#!lua flags=...` shebang (Redis 7). */
export interface ScriptFlags {
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlotKeys: boolean;
  /** False for scripts without a shebang (EVAL's compatibility mode). */
  declared: boolean;
}

export interface CachedScript {
  sha: string;
  body: Buffer;
  /** Registry reference of the compiled function. */
  ref: number;
  flags: ScriptFlags;
}

const LIBRARY_DIR = join(__dirname, 'lua');
const KILL_CHECK_INTERVAL_MS = 100;

/** Script flags by their Redis names, in Redis's order (FUNCTION LIST prints them so). */
export const SCRIPT_FLAG_NAMES: ReadonlyArray<readonly [name: string, flag: Exclude<keyof ScriptFlags, 'declared'>]> = [
  ['no-writes', 'noWrites'],
  ['allow-oom', 'allowOom'],
  ['allow-stale', 'allowStale'],
  ['no-cluster', 'noCluster'],
  ['allow-cross-slot-keys', 'allowCrossSlotKeys'],
];

/** Flags with none set; `declared` as given (functions always declare theirs). */
export function noScriptFlags(declared: boolean): ScriptFlags {
  return { noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlotKeys: false, declared };
}

/** Parses a `#!lua flags=a,b` first line; returns the flags and where the body starts, or an error. */
export function parseShebang(body: Buffer): { flags: ScriptFlags; error: string | null } {
  const flags = noScriptFlags(false);
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags, error: null };
  const end = body.indexOf(10);
  const line = body.latin1Slice(0, end < 0 ? body.length : end);
  const parts = line.split(' ').filter((p) => p.length > 0);
  if (parts[0] !== '#!lua') return { flags, error: `ERR Unexpected engine in script shebang: ${parts[0]}` };
  flags.declared = true;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { flags, error: `ERR Unknown lua shebang option: ${part}` };
    for (const flag of part.slice(6).split(',')) {
      if (flag === '') continue;
      const known = SCRIPT_FLAG_NAMES.find(([name]) => name === flag);
      if (known === undefined) return { flags, error: `ERR Unexpected flag in script shebang: ${flag}` };
      flags[known[1]] = true;
    }
  }
  return { flags, error: null };
}

export function sha1hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export class ScriptEngine {
  readonly lua: LuaState;
  readonly scripts = new Map<string, CachedScript>();
  private readonly globalsRef: number;
  private readonly errorHandlerRef: number;
  private readonly armHookRef: number;
  private readonly annotateRef: number;
  /** The coroutine scripts run in, its registry reference, and protected_call (xpcall with the error handler). */
  private readonly co: number;
  private readonly coRef: number;
  private readonly protectedCallRef: number;
  /** lua_resume's result count (unused, but Lua writes it). */
  private readonly resultCountSlot: number;
  /** afterYield as a C continuation (function-table index). */
  private readonly continuation: number;
  /** The running call, or null between scripts. */
  private run: ScriptRun | null = null;
  private scriptResp: 2 | 3 = 2;
  private startedAt = 0;
  private lastKillCheck = 0;
  /** Set by SCRIPT KILL; the count hook then stops the script. */
  killRequested = false;
  /** The running script called a write command (SCRIPT KILL then refuses). */
  wrote = false;
  /** The last script called a read command (client-side caching then tracks its declared keys). */
  read = false;
  private readonly keysName: number;
  private readonly argvName: number;
  /** lua/functions.lua: the environment of library code, and the switch of its load mode. */
  private readonly libraryEnvRef: number;
  private readonly setLoadingRef: number;
  /** The library FUNCTION LOAD runs now, and when its time is up (0: never). */
  private loader: LibraryLoader | null = null;
  private loadDeadline = 0;

  constructor() {
    const m = luaModule();
    if (m === null) throw new Error('Lua is not loaded yet');
    const lua = (this.lua = new LuaState(m));
    this.keysName = lua.name('KEYS');
    this.argvName = lua.name('ARGV');
    this.loadLibraries();
    // The sandbox: redis.lua returns the hidden globals, the error handler, the annotation of
    // redis.call errors, the hook arming and the sealer.
    this.runChunk('redis', 1, 5, () => this.pushRawTable());
    const seal = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    this.armHookRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    this.annotateRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    this.errorHandlerRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    this.globalsRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(seal));
    if (lua.m._lua_pcallk(lua.L, 0, 1, 0, 0, 0) !== LUA_OK) throw new Error(`sealing the Lua globals: ${lua.readBytes(-1).toString()}`);
    // Chunks compiled from now on (scripts, loadstring) see the sealed proxy as their globals.
    lua.m._lua_rawseti(lua.L, LUA_REGISTRYINDEX, 2n);
    // Scripts run in one coroutine, reused (see invoke), under xpcall with the error handler.
    this.co = lua.m._lua_newthread(lua.L);
    this.coRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    const compileError = lua.load(Buffer.from('local xpcall, handler = xpcall, ...\nreturn function(f, ...) return xpcall(f, handler, ...) end'), '@protected_call.lua');
    if (compileError !== null) throw new Error(compileError);
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(this.errorHandlerRef));
    lua.m._lua_pcallk(lua.L, 1, 1, 0, 0, 0);
    this.protectedCallRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    this.resultCountSlot = lua.m._malloc(4);
    this.continuation = lua.m.addFunction(() => this.afterYield(), 'iiii');
    this.armHook();
    this.runChunk('functions', 2, 2, () => {
      lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(this.globalsRef));
      lua.pushFunction(() => this.registerFunction());
    });
    this.setLoadingRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
    this.libraryEnvRef = lua.m._luaL_ref(lua.L, LUA_REGISTRYINDEX);
  }

  /**
   * Lua 5.1 as Redis ships it, on a 5.4 VM (src/scripting/lua): lua51.lua is the support the
   * others share (it gets cjson.null: a NULL light userdata, as Redis's), compat.lua installs the
   * 5.1 globals, and each library chunk returns its table, set as a global.
   */
  private loadLibraries(): void {
    const lua = this.lua;
    const { m, L } = lua;
    this.runChunk('lua51', 1, 1, () => m._lua_pushlightuserdata(L, 0));
    const support = m._lua_gettop(L);
    this.runChunk('compat', 2, 0, () => {
      m._lua_rawgeti(L, LUA_REGISTRYINDEX, 2n);
      m._lua_pushvalue(L, support);
    });
    for (const library of ['bit', 'struct', 'cjson', 'cmsgpack']) {
      this.runChunk(library, 1, 1, () => m._lua_pushvalue(L, support));
      m._lua_setglobal(L, lua.name(library));
    }
    lua.pop(1);
  }

  private runChunk(name: string, nargs: number, nresults: number, pushArgs: () => void): void {
    const lua = this.lua;
    const error = lua.load(readFileSync(join(LIBRARY_DIR, `${name}.lua`)), `@${name}.lua`);
    if (error !== null) throw new Error(`compiling ${name}.lua: ${error}`);
    pushArgs();
    if (lua.m._lua_pcallk(lua.L, nargs, nresults, 0, 0, 0) !== LUA_OK) throw new Error(`loading ${name}.lua: ${lua.readBytes(-1).toString()}`);
  }

  /** The count hook (SCRIPT KILL, BUSY, the library load time limit) on the scripts' coroutine and the main state. */
  private armHook(): void {
    const lua = this.lua;
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(this.armHookRef));
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(this.coRef));
    lua.m._lua_pcallk(lua.L, 1, 0, 0, 0, 0);
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(this.armHookRef));
    lua.m._lua_pcallk(lua.L, 0, 0, 0, 0, 0);
  }


  /** The C functions (in JS) redis.lua installs. Errors are raised as Redis's luaL_error does. */
  private pushRawTable(): void {
    const lua = this.lua;
    const m = lua.m;
    m._lua_createtable(lua.L, 0, 8);
    lua.pushFunction(() => this.redisCall(true));
    lua.rawSetField(-2, 'call');
    lua.pushFunction(() => this.redisCall(false));
    lua.rawSetField(-2, 'pcall');
    lua.pushFunction(() => this.redisLog());
    lua.rawSetField(-2, 'log');
    // Each gets the state it runs on: the scripts' coroutine, or the main state.
    lua.pushFunction((L) => {
      if (m._lua_gettop(L) !== 1) return this.raise('wrong number of arguments');
      lua.pushText(sha1hex(lua.readBytes(1)));
      return 1;
    });
    lua.rawSetField(-2, 'sha1hex');
    lua.pushFunction((L) => {
      if (m._lua_gettop(L) !== 1) return this.raise('redis.setresp() requires one argument.');
      const version = m._lua_type(L, 1) === LuaType.Number ? Number(m._lua_tonumberx(L, 1, 0)) : 0;
      if (version !== 2 && version !== 3) return this.raise('RESP version must be 2 or 3.');
      this.scriptResp = version;
      return 0;
    });
    lua.rawSetField(-2, 'setresp');
    lua.pushFunction((L) => {
      m._lua_pushboolean(L, this.checkInterrupt() ? 1 : 0);
      return 1;
    });
    lua.rawSetField(-2, 'check');
    lua.pushText(REDIS_VERSION);
    lua.rawSetField(-2, 'version');
    const [major, minor, patch] = REDIS_VERSION.split('.').map(Number);
    m._lua_pushinteger(lua.L, BigInt((major << 16) | (minor << 8) | patch));
    lua.rawSetField(-2, 'version_num');
  }

  /** Raises a Lua error with a message, from a C function: Lua unwinds through this JS frame. */
  private raise(message: string): number {
    this.lua.pushText(message);
    return this.lua.m._lua_error(this.lua.L);
  }

  // ---- the script cache ---------------------------------------------------

  /** Compiles and caches a script body (SCRIPT LOAD, EVAL); returns it or an error reply text. */
  load(body: Buffer, sha = sha1hex(body)): CachedScript | string {
    const cached = this.scripts.get(sha);
    if (cached !== undefined) return cached;
    const { flags, error } = parseShebang(body);
    if (error !== null) return error;
    // A shebang line stays in the source as a comment, so line numbers match the body.
    const source = flags.declared ? Buffer.concat([Buffer.from('--'), body]) : body;
    const compileError = this.lua.load(source, '@user_script');
    if (compileError !== null) return `ERR Error compiling script (new function): ${compileError}`;
    const ref = this.lua.m._luaL_ref(this.lua.L, LUA_REGISTRYINDEX);
    const script: CachedScript = { sha, body: Buffer.from(body), ref, flags };
    this.scripts.set(sha, script);
    return script;
  }

  flush(): void {
    for (const script of this.scripts.values()) this.lua.m._luaL_unref(this.lua.L, LUA_REGISTRYINDEX, script.ref);
    this.scripts.clear();
  }

  /** Bytes of the cached script bodies (INFO used_memory_scripts). */
  get cacheBytes(): number {
    let total = 0;
    for (const script of this.scripts.values()) total += script.body.length + 64;
    return total;
  }

  // ---- function libraries -------------------------------------------------

  /**
   * Runs a library's code (FUNCTION LOAD, RESTORE) in the library environment, where
   * redis.register_function hands the functions to `loader`. Returns Redis's error reply text,
   * or null. `timeoutMs` 0: no time limit.
   */
  loadFunctions(code: Buffer, timeoutMs: number, loader: LibraryLoader): string | null {
    const lua = this.lua;
    const m = lua.m;
    const L = lua.L;
    const base = lua.top();
    const compileError = lua.load(code, '@user_function');
    if (compileError !== null) return `ERR Error compiling function: ${compileError}`;
    // The chunk's only upvalue is its _ENV.
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.libraryEnvRef));
    m._lua_setupvalue(L, -2, 1);
    this.setLoading(true);
    this.loader = loader;
    this.loadDeadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    let status: number;
    try {
      status = m._lua_pcallk(L, 0, 0, 0, 0, 0);
    } finally {
      this.loader = null;
      this.loadDeadline = 0;
      this.setLoading(false);
    }
    // Raw errors (no handler, as in Redis): strings get the ERR code, tables carry theirs.
    const error = status === LUA_OK ? null : `ERR Error registering functions: ${lua.type(-1) === LuaType.String ? `ERR ${lua.readBytes(-1).toString('latin1')}` : this.errorText('')}`;
    lua.setTop(base);
    return error;
  }

  /** Frees a registered function's callback (its library was deleted, replaced or not loaded). */
  releaseFunction(ref: number): void {
    this.lua.m._luaL_unref(this.lua.L, LUA_REGISTRYINDEX, ref);
  }

  private setLoading(loading: boolean): void {
    const lua = this.lua;
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(this.setLoadingRef));
    lua.m._lua_pushboolean(lua.L, loading ? 1 : 0);
    lua.m._lua_pcallk(lua.L, 1, 0, 0, 0, 0);
  }

  /** redis.register_function(name, callback) or redis.register_function{function_name=, callback=, description=, flags=}. */
  private registerFunction(): number {
    const loader = this.loader;
    if (loader === null) return this.raise('redis.register_function can only be called on FUNCTION LOAD command');
    const argc = this.lua.top();
    if (argc < 1 || argc > 2) return this.raise('wrong number of arguments to redis.register_function');
    const fn = argc === 2 ? this.positionalFunctionArgs() : this.namedFunctionArgs();
    if (typeof fn === 'string') return this.raise(fn);
    const error = loader.register(fn.name, fn.ref, fn.description, fn.flags);
    if (error === null) return 0;
    this.releaseFunction(fn.ref);
    return this.raise(error);
  }

  private positionalFunctionArgs(): FunctionArgs | string {
    const name = this.stringAt(1);
    if (name === null) return 'first argument to redis.register_function must be a string';
    if (this.lua.type(2) !== LuaType.Function) return 'second argument to redis.register_function must be a function';
    return { name, ref: this.lua.m._luaL_ref(this.lua.L, LUA_REGISTRYINDEX), description: null, flags: noScriptFlags(true) };
  }

  private namedFunctionArgs(): FunctionArgs | string {
    const lua = this.lua;
    const m = lua.m;
    const L = lua.L;
    if (lua.type(1) !== LuaType.Table) return 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).';
    let name: Buffer | null = null;
    let description: Buffer | null = null;
    let ref: number | null = null;
    let flags = noScriptFlags(true);
    let error: string | null = null;
    m._lua_pushnil(L);
    while (error === null && m._lua_next(L, 1) !== 0) {
      const keyType = lua.type(-2);
      if (keyType !== LuaType.String && keyType !== LuaType.Number) {
        error = 'named argument key given to redis.register_function is not a string';
        break;
      }
      // A copy: converting a number key in place would derail lua_next.
      m._lua_pushvalue(L, -2);
      const key = lua.readBytes(-1);
      lua.pop(1);
      if (isKeyword(key, 'FUNCTION_NAME')) {
        if ((name = this.stringAt(-1)) === null) error = 'function_name argument given to redis.register_function must be a string';
      } else if (isKeyword(key, 'DESCRIPTION')) {
        if ((description = this.stringAt(-1)) === null) error = 'description argument given to redis.register_function must be a string';
      } else if (isKeyword(key, 'CALLBACK')) {
        if (lua.type(-1) !== LuaType.Function) {
          error = 'callback argument given to redis.register_function must be a function';
        } else {
          if (ref !== null) this.releaseFunction(ref);
          ref = m._luaL_ref(L, LUA_REGISTRYINDEX); // pops the value
          continue;
        }
      } else if (isKeyword(key, 'FLAGS')) {
        const parsed = lua.type(-1) === LuaType.Table ? this.functionFlags() : 'flags argument to redis.register_function must be a table representing function flags';
        if (typeof parsed === 'string') error = parsed;
        else flags = parsed;
      } else {
        error = 'unknown argument given to redis.register_function';
      }
      lua.pop(1);
    }
    if (error === null && name === null) error = 'redis.register_function must get a function name argument';
    if (error === null && ref === null) error = 'redis.register_function must get a callback argument';
    if (error !== null) {
      if (ref !== null) this.releaseFunction(ref);
      return error;
    }
    return { name: name!, ref: ref!, description, flags };
  }

  /** The flags table on top of the stack: a list of flag names, in any letter case. */
  private functionFlags(): ScriptFlags | string {
    const lua = this.lua;
    const flags = noScriptFlags(true);
    for (let i = 1; ; i++) {
      const type: LuaType = lua.m._lua_rawgeti(lua.L, -1, BigInt(i));
      if (type === LuaType.Nil) {
        lua.pop(1);
        return flags;
      }
      const name = this.stringAt(-1)?.toString('latin1').toLowerCase();
      lua.pop(1);
      const known = SCRIPT_FLAG_NAMES.find(([flagName]) => flagName === name);
      if (known === undefined) return 'unknown flag given';
      flags[known[1]] = true;
    }
  }

  /** The string (or number, as a string) at `index`, or null: Redis's luaGetStringSds. */
  private stringAt(index: number): Buffer | null {
    const type = this.lua.type(index);
    return type === LuaType.String || type === LuaType.Number ? this.lua.readBytes(index) : null;
  }

  // ---- running ------------------------------------------------------------

  get busy(): boolean {
    return this.run !== null;
  }

  /** Milliseconds the running script has run. */
  get elapsedMs(): number {
    return this.run === null ? 0 : Date.now() - this.startedAt;
  }

  /** Runs a cached script with KEYS and ARGV; its reply (or error) goes to `reply`. */
  runScript(script: CachedScript, keys: Buffer[], args: Buffer[], run: ScriptRun, reply: ReplyWriter): boolean {
    const lua = this.lua;
    const m = lua.m;
    const L = lua.L;
    const base = lua.top();
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.globalsRef));
    this.pushArray(keys);
    m._lua_setfield(L, -2, this.keysName);
    this.pushArray(args);
    m._lua_setfield(L, -2, this.argvName);
    lua.pop(1);
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(script.ref));
    return this.invoke(base, 0, run, reply);
  }

  /** Runs a function of a library (FCALL): its callback gets the keys and the args as two tables. */
  runFunction(ref: number, keys: Buffer[], args: Buffer[], run: ScriptRun, reply: ReplyWriter): boolean {
    const lua = this.lua;
    const base = lua.top();
    lua.m._lua_rawgeti(lua.L, LUA_REGISTRYINDEX, BigInt(ref));
    this.pushArray(keys);
    this.pushArray(args);
    return this.invoke(base, 2, run, reply);
  }

  /**
   * Calls the function at base + 1 with the `nargs` arguments above it.
   * It runs in a coroutine, so that a redis.call that can only complete asynchronously (a
   * command across shards that needs a coordinator) yields it: then this returns false, the
   * caller runs `pendingCommand` and hands its reply to resume(). True when the reply is written.
   */
  private invoke(base: number, nargs: number, run: ScriptRun, reply: ReplyWriter): boolean {
    const lua = this.lua;
    const m = lua.m;
    m._lua_rawgeti(this.co, LUA_REGISTRYINDEX, BigInt(this.protectedCallRef));
    m._lua_xmove(lua.main, this.co, nargs + 1); // the function and its arguments
    lua.setTop(base);
    this.pendingReply = reply;
    this.begin(run);
    return this.step(nargs + 1);
  }

  /** Hands the reply of `pendingCommand` to the yielded script and runs it on. */
  resume(bytes: Buffer): boolean {
    const lua = this.lua;
    lua.L = this.co;
    this.resumedWithError = bytes[0] === 0x2d;
    if (this.resumedWithError) pushError(lua, bytes.subarray(1, bytes.length - 2));
    else pushReply(lua, bytes, 0);
    lua.L = lua.main;
    this.pendingCommand = null;
    return this.step(1);
  }

  /** Resumes the coroutine with `nargs` values on its stack; finishes the call unless it yielded. */
  private step(nargs: number): boolean {
    const lua = this.lua;
    const m = lua.m;
    lua.L = this.co;
    let status: number;
    try {
      status = m._lua_resume(this.co, lua.main, nargs, this.resultCountSlot);
    } finally {
      lua.L = lua.main;
    }
    if (status === LUA_YIELD) return false;
    // protectedCall returned xpcall's (ok, value): the value, or the error object.
    const reply = this.pendingReply!;
    lua.L = this.co;
    if (status === LUA_OK && m._lua_toboolean(this.co, 1)) writeLuaValue(lua, 2, reply, this.scriptResp, 0);
    else if (status === LUA_OK) reply.error(this.errorText(this.run!.name));
    else reply.error(`ERR Error running script ${this.run!.name}, ${lua.readBytes(-1).toString('latin1').slice(0, 100)}`);
    lua.setTop(0);
    if (status !== LUA_OK) m._lua_resetthread(this.co);
    lua.L = lua.main;
    this.end();
    this.scriptResp = 2;
    this.pendingReply = null;
    return true;
  }

  /** While a script waits (runScript/runFunction/resume returned false): the command to run for it. */
  pendingCommand: Buffer[] | null = null;
  /** The waiting call is redis.call (raise its error) rather than redis.pcall. */
  private pendingRaise = false;
  private resumedWithError = false;
  private pendingReply: ReplyWriter | null = null;

  /** Continuation of a yielded redis.call: raise the reply if it is an error and the call was redis.call. */
  private afterYield(): number {
    if (this.resumedWithError && this.pendingRaise) return this.raiseCallError();
    return 1;
  }

  /** The running call, or null between scripts. */
  get current(): ScriptRun | null {
    return this.run;
  }

  private begin(run: ScriptRun): void {
    this.run = run;
    this.startedAt = Date.now();
    this.lastKillCheck = this.startedAt;
    this.killRequested = false;
    this.wrote = false;
    this.read = false;
  }

  private end(): void {
    if (this.killRequested) this.armHook(); // the hook fired on every line since
    if (this.run !== null && Date.now() - this.startedAt >= KILL_CHECK_INTERVAL_MS) scriptHooks.ended?.();
    this.run = null;
    this.killRequested = false;
  }

  /** Formats the error object on top of the stack as Redis's reply text. */
  private errorText(name: string): string {
    const lua = this.lua;
    if (lua.type(-1) !== LuaType.Table) {
      const message = lua.type(-1) === LuaType.String ? lua.readBytes(-1).toString('latin1') : 'execution failure';
      return `ERR Error running script ${name}, ${message.slice(0, 100)}`;
    }
    let text = '';
    if (lua.rawGetField(-1, 'err') === LuaType.String || lua.type(-1) === LuaType.Number) text = lua.readBytes(-1).toString('latin1');
    lua.pop(1);
    if (text.startsWith('-')) text = text.slice(1);
    const hasSource = lua.rawGetField(-1, 'source') === LuaType.String;
    const source = hasSource ? lua.readBytes(-1).toString('latin1') : '';
    lua.pop(1);
    const lineType = lua.rawGetField(-1, 'line');
    const line = lineType === LuaType.Number || lineType === LuaType.String ? lua.readBytes(-1).toString('latin1') : '';
    lua.pop(1);
    return hasSource && line !== '' ? `${text} script: ${name}, on ${source}:${line}.` : text;
  }

  private pushArray(items: Buffer[]): void {
    const lua = this.lua;
    lua.m._lua_createtable(lua.L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      lua.pushBytes(items[i]);
      lua.m._lua_rawseti(lua.L, -2, BigInt(i + 1));
    }
  }

  /** The count hook's question: stop now? Also where a long script lets BUSY replies out. */
  private checkInterrupt(): boolean {
    if (this.loadDeadline !== 0 && Date.now() > this.loadDeadline) this.raise('FUNCTION LOAD timeout');
    if (this.killRequested) return true;
    const now = Date.now();
    if (now - this.lastKillCheck >= KILL_CHECK_INTERVAL_MS) {
      this.lastKillCheck = now;
      const threshold = config.numeric('busy-reply-threshold');
      if (threshold > 0 && now - this.startedAt >= threshold && this.run !== null) scriptHooks.busy?.(this.run.callerId);
    }
    return this.killRequested;
  }

  // ---- redis.call ---------------------------------------------------------

  /** redis.call (raise) and redis.pcall: the reply, or {err=} (raised by redis.call). */
  private redisCall(raise: boolean): number {
    const lua = this.lua;
    const m = lua.m;
    const L = lua.L;
    const run = this.run;
    const argc = m._lua_gettop(L);
    const failure = (message: string | Buffer): number => {
      m._lua_settop(L, 0);
      pushError(lua, typeof message === 'string' ? Buffer.from(message, 'latin1') : message);
      return raise ? this.raiseCallError() : 1;
    };
    if (run === null) return failure('ERR redis.call can only be called inside a script invocation');
    if (argc === 0) return failure('ERR Please specify at least one argument for this redis lib call');
    const argv: Buffer[] = new Array(argc);
    for (let i = 1; i <= argc; i++) {
      const type = m._lua_type(L, i);
      if (type === LuaType.String) argv[i - 1] = lua.readBytes(i);
      else if (type === LuaType.Number) argv[i - 1] = Buffer.from(m._lua_isinteger(L, i) ? String(m._lua_tointegerx(L, i, 0)) : formatDouble(m._lua_tonumberx(L, i, 0)), 'latin1');
      else return failure('ERR Lua redis lib command arguments must be strings or integers');
    }
    const cmd = run.caller.lookup(argv);
    if (cmd === undefined || cmd.internal) return failure('ERR Unknown Redis command called from script');
    if ((cmd.arity > 0 && cmd.arity !== argc) || argc < -cmd.arity) return failure('ERR Wrong number of args calling Redis command from script');
    if (cmd.flags.includes('noscript')) return failure('ERR This Redis command is not allowed from script');
    if (run.readOnly && (cmd.isWrite || cmd.flags.includes('may_replicate'))) return failure('ERR Write commands are not allowed from read-only scripts.');
    if ((cmd.fullName === 'xread' || cmd.fullName === 'xreadgroup') && argv.some((a) => isKeyword(a, 'BLOCK'))) {
      return failure(`ERR ${cmd.fullName} command is not allowed with BLOCK option from scripts`);
    }
    if (cmd.isWrite) this.wrote = true;
    else if (cmd.flags.includes('readonly')) this.read = true;
    let bytes: Buffer | null;
    if (cmd.fullName === 'select') {
      bytes = this.select(run, argv[1]);
    } else {
      const start = performance.now();
      bytes = run.caller.exec(cmd, argv, run.dbIndex, this.scriptResp);
      cmd.stats.calls++;
      cmd.stats.usec += (performance.now() - start) * 1000;
    }
    if (bytes === null) {
      // Only a coordinator can run it: the script yields, invoke's caller runs it and resumes.
      this.pendingCommand = argv;
      this.pendingRaise = raise;
      m._lua_settop(L, 0);
      return m._lua_yieldk(L, 0, 0, this.continuation);
    }
    if (bytes[0] === 0x2d) return failure(bytes.subarray(1, bytes.length - 2));
    m._lua_settop(L, 0);
    pushReply(lua, bytes, 0);
    return 1;
  }

  /** Raises the {err=} on top of the stack from redis.call, with the script's position. */
  private raiseCallError(): number {
    const { m, L } = this.lua;
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.annotateRef));
    m._lua_pushvalue(L, -2);
    m._lua_callk(L, 1, 0, 0, 0);
    return m._lua_error(L);
  }

  /** SELECT inside a script changes the script's database only. */
  private select(run: ScriptRun, arg: Buffer): Buffer {
    const text = arg.latin1Slice(0, arg.length);
    const index = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(index)) return Buffer.from('-ERR value is not an integer or out of range\r\n');
    if (index < 0 || index >= config.numeric('databases')) return Buffer.from('-ERR DB index is out of range\r\n');
    run.dbIndex = index;
    return Buffer.from('+OK\r\n');
  }

  private redisLog(): number {
    const lua = this.lua;
    const m = lua.m;
    const argc = m._lua_gettop(lua.L);
    if (argc < 2) return this.raise('redis.log() requires two arguments or more.');
    if (m._lua_type(lua.L, 1) !== LuaType.Number) return this.raise('First argument must be a number (log level).');
    const level = Number(m._lua_tonumberx(lua.L, 1, 0));
    if (level < 0 || level > 3) return this.raise('Invalid debug level.');
    const parts: string[] = [];
    for (let i = 2; i <= argc; i++) parts.push(lua.readBytes(i).toString());
    scriptHooks.log?.(level, parts.join(' '));
    return 0;
  }
}

/** What scripts reach of their thread, set by its dispatcher. */
export const scriptHooks: {
  /** redis.log. */
  log: ((level: number, message: string) => void) | null;
  /** The running script is past busy-reply-threshold: serve the other clients (BUSY, SCRIPT KILL). */
  busy: ((scriptCallerId: number) => void) | null;
  /** A script that may have been busy ended. */
  ended: (() => void) | null;
} = { log: null, busy: null, ended: null };

let engine: ScriptEngine | null = null;

/** This thread's engine, created on first use (the WASM module must be loaded: see loadLua). */
export function scriptEngine(): ScriptEngine {
  engine ??= new ScriptEngine();
  return engine;
}
