// Lua VM candidates for EVAL, measured in-process (no server): fengari (pure JS, Lua 5.3)
// against wasmoon (Lua 5.4 in WebAssembly) through its byte-level C API and its high-level API.
// redis.call is a stub doing a Map lookup, so the figures are VM + bridge cost only.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/lua-vm.js

import { LuaFactory } from 'wasmoon';
import type { LuaExports } from '../src/scripting/lua-bridge';

type Reply = null | number | Buffer | Reply[];

interface Bridge {
  readonly name: string;
  load(source: string): number;
  run(script: number, keys: Buffer[], argv: Buffer[]): Reply;
  close(): void;
}

const WARMUP_CALLS = 2_000;
const MEASURED_CALLS = 20_000;
// Later compiles (each SCRIPT LOAD / first EVAL of a script) run on a warmed-up VM.
const RECOMPILES = 200;

// --- redis.call stub: a Map keyed by latin1 strings (1 char = 1 byte) ----------------------

const store = new Map<string, Buffer | number>();
const OK = Buffer.from('OK');

function redisCall(args: Buffer[]): Reply {
  const command = args[0].toString('latin1').toUpperCase();
  const key = args.length > 1 ? args[1].toString('latin1') : '';
  switch (command) {
    case 'INCR': {
      const next = Number(store.get(key) ?? 0) + 1;
      store.set(key, next);
      return next;
    }
    case 'HINCRBY': {
      const field = key + '\0' + args[2].toString('latin1');
      const next = Number(store.get(field) ?? 0) + Number(args[3].toString('latin1'));
      store.set(field, next);
      return next;
    }
    case 'GET': {
      const value = store.get(key);
      return value === undefined ? null : typeof value === 'number' ? Buffer.from(String(value)) : value;
    }
    case 'HGET': {
      const value = store.get(key + '\0' + args[2].toString('latin1'));
      return value === undefined ? null : typeof value === 'number' ? Buffer.from(String(value)) : value;
    }
    case 'SET':
      store.set(key, args[2]);
      return OK;
    case 'XADD':
      return Buffer.from('1-0');
    default:
      return 1;
  }
}

// --- fengari: Lua strings are Uint8Array, so the bridge is byte-exact by construction ------

// fengari ships no type declarations; it is only touched here.
const fengari = require('fengari');
const { lua: flua, lauxlib: flauxlib, lualib: flualib } = fengari;

class FengariBridge implements Bridge {
  readonly name = 'fengari';
  private readonly L: unknown;

  constructor() {
    this.L = flauxlib.luaL_newstate();
    flualib.luaL_openlibs(this.L);
    flua.lua_createtable(this.L, 0, 1);
    flua.lua_pushcfunction(this.L, (L: unknown) => this.call(L));
    flua.lua_setfield(this.L, -2, fengari.to_luastring('call'));
    flua.lua_setglobal(this.L, fengari.to_luastring('redis'));
  }

  load(source: string): number {
    const L = this.L;
    const status = flauxlib.luaL_loadbuffer(L, fengari.to_luastring(source), null, fengari.to_luastring('@user_script'));
    if (status !== flua.LUA_OK) throw new Error(fengari.to_jsstring(flua.lua_tostring(L, -1)));
    return flauxlib.luaL_ref(L, flua.LUA_REGISTRYINDEX);
  }

  run(script: number, keys: Buffer[], argv: Buffer[]): Reply {
    const L = this.L;
    this.setArray('KEYS', keys);
    this.setArray('ARGV', argv);
    flua.lua_rawgeti(L, flua.LUA_REGISTRYINDEX, script);
    if (flua.lua_pcall(L, 0, 1, 0) !== flua.LUA_OK) {
      const message = fengari.to_jsstring(flua.lua_tostring(L, -1));
      flua.lua_settop(L, 0);
      throw new Error(message);
    }
    const reply = this.toReply(-1);
    flua.lua_settop(L, 0);
    return reply;
  }

  close(): void {
    flua.lua_close(this.L);
  }

  private setArray(name: string, items: Buffer[]): void {
    const L = this.L;
    flua.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      flua.lua_pushstring(L, items[i]);
      flua.lua_rawseti(L, -2, i + 1);
    }
    flua.lua_setglobal(L, fengari.to_luastring(name));
  }

  private call(L: unknown): number {
    const argc = flua.lua_gettop(L);
    const args: Buffer[] = new Array(argc);
    for (let i = 1; i <= argc; i++) {
      const bytes: Uint8Array = flua.lua_tolstring(L, i);
      args[i - 1] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    this.pushReply(redisCall(args));
    return 1;
  }

  private pushReply(reply: Reply): void {
    const L = this.L;
    if (reply === null) flua.lua_pushboolean(L, false);
    else if (typeof reply === 'number') flua.lua_pushinteger(L, reply);
    else if (Buffer.isBuffer(reply)) flua.lua_pushstring(L, reply);
    else {
      flua.lua_createtable(L, reply.length, 0);
      for (let i = 0; i < reply.length; i++) {
        this.pushReply(reply[i]);
        flua.lua_rawseti(L, -2, i + 1);
      }
    }
  }

  private toReply(index: number): Reply {
    const L = this.L;
    switch (flua.lua_type(L, index)) {
      case flua.LUA_TNUMBER:
        return Math.trunc(flua.lua_tonumber(L, index));
      case flua.LUA_TSTRING: {
        const bytes: Uint8Array = flua.lua_tolstring(L, index);
        return Buffer.from(bytes);
      }
      case flua.LUA_TTABLE: {
        const table = flua.lua_absindex(L, index);
        const items: Reply[] = [];
        for (let i = 1; flua.lua_rawgeti(L, table, i) !== flua.LUA_TNIL; i++) {
          items.push(this.toReply(-1));
          flua.lua_pop(L, 1);
        }
        flua.lua_pop(L, 1);
        return items;
      }
      default:
        return null;
    }
  }
}

// --- wasmoon, byte-level: raw exports (_lua_pushlstring/_lua_tolstring) over the WASM heap --

type LuaWasm = Awaited<ReturnType<LuaFactory['getLuaModule']>>;
// The raw Emscripten exports the server's bridge uses (not in wasmoon's typings).
type RawLuaExports = LuaExports;

const LUA54_REGISTRYINDEX = -1_000_000 - 1000;
const LUA_TNIL = 0;
const LUA_TNUMBER = 3;
const LUA_TSTRING = 4;
const LUA_TTABLE = 5;

class WasmoonRawBridge implements Bridge {
  readonly name = 'wasmoon (byte API)';
  private readonly m: RawLuaExports;
  private readonly L: number;
  private readonly lengthSlot: number;
  private readonly keysName: number;
  private readonly argvName: number;
  private scratch = 0;
  private scratchSize = 0;

  constructor(luaWasm: LuaWasm) {
    this.m = luaWasm.module as unknown as RawLuaExports;
    const m = this.m;
    this.L = m._luaL_newstate();
    m._luaL_openlibs(this.L);
    this.lengthSlot = m._malloc(8);
    this.keysName = m.stringToNewUTF8('KEYS');
    this.argvName = m.stringToNewUTF8('ARGV');
    m._lua_createtable(this.L, 0, 1);
    m._lua_pushcclosure(this.L, m.addFunction((L) => this.call(L), 'ii'), 0);
    m._lua_setfield(this.L, -2, m.stringToNewUTF8('call'));
    m._lua_setglobal(this.L, m.stringToNewUTF8('redis'));
  }

  load(source: string): number {
    const m = this.m;
    const bytes = Buffer.from(source);
    const name = m.stringToNewUTF8('@user_script');
    const status = m._luaL_loadbufferx(this.L, this.copyIn(bytes), bytes.length, name, 0);
    m._free(name);
    if (status !== 0) throw new Error(this.readBytes(-1).toString());
    return m._luaL_ref(this.L, LUA54_REGISTRYINDEX);
  }

  run(script: number, keys: Buffer[], argv: Buffer[]): Reply {
    const m = this.m;
    const L = this.L;
    this.setArray(this.keysName, keys);
    this.setArray(this.argvName, argv);
    m._lua_rawgeti(L, LUA54_REGISTRYINDEX, BigInt(script));
    if (m._lua_pcallk(L, 0, 1, 0, 0, 0) !== 0) {
      const message = this.readBytes(-1).toString();
      m._lua_settop(L, 0);
      throw new Error(message);
    }
    const reply = this.toReply(-1);
    m._lua_settop(L, 0);
    return reply;
  }

  close(): void {
    this.m._lua_close(this.L);
  }

  /** Copies bytes into a reusable WASM buffer; Lua copies them again on push/load. */
  private copyIn(bytes: Uint8Array): number {
    if (bytes.length > this.scratchSize) {
      if (this.scratch !== 0) this.m._free(this.scratch);
      this.scratchSize = Math.max(64, bytes.length * 2);
      this.scratch = this.m._malloc(this.scratchSize);
    }
    this.m.HEAPU8.set(bytes, this.scratch);
    return this.scratch;
  }

  private pushBytes(bytes: Uint8Array): void {
    this.m._lua_pushlstring(this.L, this.copyIn(bytes), bytes.length);
  }

  /** Copies a Lua string out of the heap: the Lua GC may free it once popped. */
  private readBytes(index: number): Buffer {
    const m = this.m;
    const pointer = m._lua_tolstring(this.L, index, this.lengthSlot);
    const length = m.HEAPU32[this.lengthSlot >> 2];
    return Buffer.from(m.HEAPU8.subarray(pointer, pointer + length));
  }

  private setArray(name: number, items: Buffer[]): void {
    const m = this.m;
    m._lua_createtable(this.L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      this.pushBytes(items[i]);
      m._lua_rawseti(this.L, -2, BigInt(i + 1));
    }
    m._lua_setglobal(this.L, name);
  }

  private call(L: number): number {
    const argc = this.m._lua_gettop(L);
    const args: Buffer[] = new Array(argc);
    for (let i = 1; i <= argc; i++) args[i - 1] = this.readBytes(i);
    this.pushReply(redisCall(args));
    return 1;
  }

  private pushReply(reply: Reply): void {
    const m = this.m;
    if (reply === null) m._lua_pushboolean(this.L, 0);
    else if (typeof reply === 'number') m._lua_pushinteger(this.L, BigInt(reply));
    else if (Buffer.isBuffer(reply)) this.pushBytes(reply);
    else {
      m._lua_createtable(this.L, reply.length, 0);
      for (let i = 0; i < reply.length; i++) {
        this.pushReply(reply[i]);
        m._lua_rawseti(this.L, -2, BigInt(i + 1));
      }
    }
  }

  private toReply(index: number): Reply {
    const m = this.m;
    const L = this.L;
    switch (m._lua_type(L, index)) {
      case LUA_TNUMBER:
        return m._lua_isinteger(L, index)
          ? Number(m._lua_tointegerx(L, index, 0))
          : Math.trunc(m._lua_tonumberx(L, index, 0));
      case LUA_TSTRING:
        return this.readBytes(index);
      case LUA_TTABLE: {
        const table = m._lua_absindex(L, index);
        const items: Reply[] = [];
        for (let i = 1; m._lua_rawgeti(L, table, BigInt(i)) !== LUA_TNIL; i++) {
          items.push(this.toReply(-1));
          m._lua_settop(L, -2);
        }
        m._lua_settop(L, -2);
        return items;
      }
      default:
        return null;
    }
  }
}

// --- wasmoon, high-level API: strings cross as UTF-8 JS strings ---------------------------

type LuaEngine = Awaited<ReturnType<LuaFactory['createEngine']>>;
type HighLevelValue = null | undefined | boolean | number | string | HighLevelValue[];

class WasmoonHighLevelBridge implements Bridge {
  readonly name = 'wasmoon (high-level API)';
  private readonly scripts: Array<(keys: string[], argv: string[]) => HighLevelValue> = [];

  constructor(private readonly engine: LuaEngine) {
    engine.global.set('redis', {
      call: (...args: string[]) => toHighLevel(redisCall(args.map((arg) => Buffer.from(String(arg))))),
    });
  }

  load(source: string): number {
    this.scripts.push(this.engine.doStringSync(`return function(KEYS, ARGV) ${source}\nend`));
    return this.scripts.length - 1;
  }

  run(script: number, keys: Buffer[], argv: Buffer[]): Reply {
    return fromHighLevel(this.scripts[script](keys.map(latin1), argv.map(latin1)));
  }

  close(): void {
    this.engine.global.close();
  }
}

function latin1(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function toHighLevel(reply: Reply): HighLevelValue {
  if (reply === null) return false;
  if (Buffer.isBuffer(reply)) return reply.toString();
  if (Array.isArray(reply)) return reply.map(toHighLevel);
  return reply;
}

function fromHighLevel(value: HighLevelValue): Reply {
  if (typeof value === 'number') return Math.trunc(value);
  // A Lua string arrives decoded as UTF-8; latin1 is the only way back to one-char-per-byte.
  if (typeof value === 'string') return Buffer.from(value, 'latin1');
  if (Array.isArray(value)) return value.map(fromHighLevel);
  return null;
}

// --- scripts ------------------------------------------------------------------------------

const RATE_LIMITER = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if current > tonumber(ARGV[2]) then return 0 end
return current`;

// BullMQ addJob-like: 10 redis.call, string building, tables, tonumber/tostring, and the
// priority packing with 0x100000000 that BullMQ uses (silently wrong with 32-bit integers).
const BULLMQ_LIKE = `
local jobId = redis.call('INCR', KEYS[1])
local jobKey = KEYS[2] .. ':' .. jobId
local fields = {}
for i = 1, #ARGV do fields[#fields + 1] = 'f' .. i; fields[#fields + 1] = ARGV[i] end
redis.call('HSET', jobKey, 'name', ARGV[1], 'data', ARGV[2], 'opts', ARGV[3], 'timestamp', ARGV[4])
local score = tonumber(ARGV[4]) + (tonumber(ARGV[5]) or 0)
local priority = tonumber(ARGV[6]) or 0
local packed = priority * 0x100000000 + jobId
redis.call('ZADD', KEYS[3], packed, jobId)
redis.call('LPUSH', KEYS[4], jobId)
redis.call('XADD', KEYS[5], '*', 'event', 'added', 'jobId', tostring(jobId), 'name', ARGV[1])
local maxEvents = tonumber(redis.call('HGET', KEYS[6], 'opts.maxLenEvents') or 10000)
redis.call('HINCRBY', KEYS[6], 'count', 1)
redis.call('SET', KEYS[7], tostring(score), 'PX', 1000)
local stored = redis.call('GET', KEYS[7])
local parts = {}
for word in string.gmatch(ARGV[3], '[^,]+') do parts[#parts + 1] = string.upper(word) end
redis.call('PUBLISH', KEYS[8], table.concat(parts, ','))
return {jobId, tostring(packed), stored, #parts, maxEvents, #fields}`;

const BINARY_ECHO = `return {ARGV[1], #ARGV[1]}`;
const HEX_INTEGER = `return 0x100000000`;
const TWO_POW_53 = `return 2^53`;

const BINARY_INPUT = Buffer.from([0x00, 0xff, 0x80]);
const RATE_LIMITER_KEYS = Array.from({ length: 1000 }, (_, i) => [Buffer.from(`rl:{user${i}}`)]);
const RATE_LIMITER_ARGV = [Buffer.from('60000'), Buffer.from('1000000000')];
const BULLMQ_KEYS = ['id', 'job', 'prioritized', 'wait', 'events', 'meta', 'marker', 'pubsub'].map((part) =>
  Buffer.from(`bull:{queue}:${part}`),
);
const BULLMQ_ARGV = ['send-email', '{"to":"a@b.c","body":"hello"}', 'attempts,backoff,removeOnComplete', '1732700000000', '0', '3'].map(
  (arg) => Buffer.from(arg),
);

// --- measurement --------------------------------------------------------------------------

interface Row {
  vm: string;
  createMs: number;
  compileColdMs: number;
  compileWarmMs: number;
  rateLimiterPerSec: number;
  bullmqPerSec: number;
  rssMb: number;
  hexInteger: string;
  twoPow53: string;
  bullmqPacked: string;
  binary: string;
}

function callsPerSecond(run: (i: number) => void): number {
  for (let i = 0; i < WARMUP_CALLS; i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < MEASURED_CALLS; i++) run(i);
  return MEASURED_CALLS / (Number(process.hrtime.bigint() - start) / 1e9);
}

function describe(reply: Reply): string {
  if (reply === null) return 'nil';
  if (typeof reply === 'number') return String(reply);
  if (Buffer.isBuffer(reply)) return `"${reply.toString('latin1')}"`;
  return `[${reply.map(describe).join(', ')}]`;
}

function attempt(label: () => string): string {
  try {
    return label();
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function measure(name: string, create: () => Bridge, rssBefore: number, setupMs = 0): Row {
  const createStart = performance.now();
  const bridge = create();
  const createMs = performance.now() - createStart + setupMs;

  const compileStart = performance.now();
  const rateLimiter = bridge.load(RATE_LIMITER);
  const bullmq = bridge.load(BULLMQ_LIKE);
  const compileColdMs = (performance.now() - compileStart) / 2;
  const recompileStart = performance.now();
  for (let i = 0; i < RECOMPILES; i++) bridge.load(BULLMQ_LIKE);
  const compileWarmMs = (performance.now() - recompileStart) / RECOMPILES;
  const binaryEcho = bridge.load(BINARY_ECHO);
  const hexInteger = bridge.load(HEX_INTEGER);
  const twoPow53 = bridge.load(TWO_POW_53);

  store.clear();
  const rateLimiterPerSec = callsPerSecond((i) => bridge.run(rateLimiter, RATE_LIMITER_KEYS[i % 1000], RATE_LIMITER_ARGV));
  store.clear();
  let lastBullmq: Reply = null;
  const bullmqPerSec = callsPerSecond(() => {
    lastBullmq = bridge.run(bullmq, BULLMQ_KEYS, BULLMQ_ARGV);
  });
  const rssMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;

  const row: Row = {
    vm: name,
    createMs,
    compileColdMs,
    compileWarmMs,
    rateLimiterPerSec,
    bullmqPerSec,
    rssMb,
    hexInteger: attempt(() => describe(bridge.run(hexInteger, [], []))),
    twoPow53: attempt(() => describe(bridge.run(twoPow53, [], []))),
    bullmqPacked: Array.isArray(lastBullmq) ? describe((lastBullmq as Reply[])[1]) : describe(lastBullmq),
    binary: attempt(() => {
      const reply = bridge.run(binaryEcho, [], [BINARY_INPUT]);
      const [echoed, luaLength] = reply as [Buffer, number];
      const same = Buffer.isBuffer(echoed) && echoed.equals(BINARY_INPUT);
      return `${same ? 'yes' : 'NO'} (#ARGV[1]=${luaLength}, back=${echoed.toString('hex')})`;
    }),
  };
  bridge.close();
  return row;
}

/** Picks the fastest VM (on the BullMQ-like script) among those that are correct on both checks. */
function printRecommendation(rows: Row[]): void {
  const correct = rows.filter((row) => row.hexInteger === '4294967296' && row.binary.startsWith('yes'));
  for (const row of rows) {
    if (correct.includes(row)) continue;
    const faults = [
      row.hexInteger === '4294967296' ? '' : `0x100000000 -> ${row.hexInteger} (32-bit integers)`,
      row.binary.startsWith('yes') ? '' : `not binary-safe: ${row.binary}`,
    ].filter(Boolean);
    console.log(`rejected ${row.vm}: ${faults.join('; ')}`);
  }
  if (correct.length === 0) {
    console.log('recommendation: none of the candidates is correct on both checks');
    return;
  }
  const best = correct.reduce((a, b) => (b.bullmqPerSec > a.bullmqPerSec ? b : a));
  console.log(
    `recommendation: ${best.vm}: ${Math.round(best.bullmqPerSec)} BullMQ-like calls/s, ` +
      `${Math.round(best.rateLimiterPerSec)} rate-limiter calls/s, 64-bit integers, byte-exact strings`,
  );
}

async function main(): Promise<void> {
  const rows: Row[] = [];

  // Each VM is measured from its own RSS baseline; modules load lazily (fengari at require time).
  rows.push(measure('fengari (Lua 5.3, JS)', () => new FengariBridge(), process.memoryUsage().rss));

  let rssBefore = process.memoryUsage().rss;
  const factory = new LuaFactory();
  const moduleStart = performance.now();
  const luaWasm = await factory.getLuaModule();
  const moduleMs = performance.now() - moduleStart;
  rows.push(measure('wasmoon byte API (Lua 5.4)', () => new WasmoonRawBridge(luaWasm), rssBefore, moduleMs));
  const rawStateStart = performance.now();
  new WasmoonRawBridge(luaWasm).close();
  const rawStateMs = performance.now() - rawStateStart;

  rssBefore = process.memoryUsage().rss;
  const engineStart = performance.now();
  const engine = await factory.createEngine();
  const engineMs = performance.now() - engineStart;
  rows.push(measure('wasmoon high-level (Lua 5.4)', () => new WasmoonHighLevelBridge(engine), rssBefore, engineMs));

  const table = rows.map((row) => ({
    VM: row.vm,
    'create ms': row.createMs.toFixed(1),
    'first compile ms': row.compileColdMs.toFixed(2),
    'warm compile ms': row.compileWarmMs.toFixed(3),
    'rate-limiter calls/s': Math.round(row.rateLimiterPerSec),
    'bullmq-like calls/s': Math.round(row.bullmqPerSec),
    'RSS delta MB': row.rssMb.toFixed(1),
  }));
  console.table(table);
  console.table(
    rows.map((row) => ({
      VM: row.vm,
      'return 0x100000000': row.hexInteger,
      'return 2^53': row.twoPow53,
      'bullmq packed (prio 3)': row.bullmqPacked,
      'binary ARGV 00ff80 round trip': row.binary,
    })),
  );
  console.log(
    `wasmoon: WASM module init ${moduleMs.toFixed(1)} ms once per thread (included in its create ms); ` +
      `each further lua_State ${rawStateMs.toFixed(2)} ms; createEngine ${engineMs.toFixed(1)} ms.`,
  );
  console.log(`expected bullmq packed for priority 3: "${3 * 0x100000000 + MEASURED_CALLS + WARMUP_CALLS}"`);
  printRecommendation(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
