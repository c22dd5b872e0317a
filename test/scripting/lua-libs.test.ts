// The Lua libraries Redis 7.0 gives scripts (cjson, cmsgpack, struct, bit) and the Lua 5.1
// behaviour compat.lua restores, run on wasmoon's Lua 5.4 (src/scripting/lua). Every case is a
// script body whose result was recorded from redis-server 7.0.15 running the same text: the
// body runs under pcall as chunk "@user_script", and the result reads 'OK:' .. tostring(value)
// or 'ERR:' .. message. Binary data goes through hex()/unhex(), since wasmoon's strings are UTF-8.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LuaFactory, type LuaEngine } from 'wasmoon';

/** Where the build copies the .lua files (dist/src/scripting/lua). */
const LIBRARY_DIR = join(__dirname, '..', '..', 'src', 'scripting', 'lua');
const LIBRARIES = ['cjson', 'cmsgpack', 'struct', 'bit'] as const;

const HELPERS =
  "local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end " +
  "local function unhex(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end ";

interface LoadOptions {
  /** compat.lua before the libraries, as the engine does, or after them. */
  compatFirst: boolean;
  /** Whether lua51.lua gets a NULL light userdata for cjson.null, as the engine passes. */
  hostNull: boolean;
}

/** A Lua state set up like the scripting engine's: lua51.lua, then compat.lua and the libraries as globals. */
async function createLua({ compatFirst, hostNull }: LoadOptions): Promise<LuaEngine> {
  const lua = await new LuaFactory().createEngine({ injectObjects: false });
  const global = lua.global;
  lua.doStringSync('__load = load');
  const runChunk = (name: string, call: string): void => {
    global.set('__source', readFileSync(join(LIBRARY_DIR, `${name}.lua`), 'utf8'));
    lua.doStringSync(call.replace('CHUNK', `assert(__load(__source, '@${name}.lua'))`));
  };
  if (hostNull) {
    global.lua.lua_pushlightuserdata(global.address, 0);
    global.lua.lua_setglobal(global.address, '__null');
  }
  runChunk('lua51', '__lua51 = CHUNK(__null)');
  if (compatFirst) runChunk('compat', 'CHUNK(_G, __lua51)');
  for (const library of LIBRARIES) runChunk(library, `${library} = CHUNK(__lua51)`);
  if (!compatFirst) runChunk('compat', 'CHUNK(_G, __lua51)');
  return lua;
}

function runScript(lua: LuaEngine, body: string): string {
  lua.global.set(
    '__code',
    `${HELPERS}local ok, r = pcall(function() ${body}\n end) if ok then return 'OK:' .. tostring(r) else return 'ERR:' .. tostring(r) end`,
  );
  return lua.doStringSync("return assert(__load(__code, '@user_script'))()") as string;
}

type Case = readonly [name: string, body: string, redisResult: string];

/** Recorded from redis-server 7.0.15. */
const CASES: Record<'cjson' | 'cmsgpack' | 'struct' | 'bit' | 'compat', readonly Case[]> = {
  cjson: [
    [
      "encodes an array",
      String.raw`return cjson.encode({1,2,3})`,
      "OK:[1,2,3]",
    ],
    [
      "encodes numbers with %.14g",
      String.raw`return cjson.encode({1/3, 1e20, 2^53, 100, 1e14, 123456789012345, 0.1, -1.5e-7, 2^63, 12345678901234, 10/2})`,
      "OK:[0.33333333333333,1e+20,9.007199254741e+15,100,1e+14,1.2345678901234e+14,0.1,-1.5e-07,9.2233720368548e+18,12345678901234,5]",
    ],
    [
      "escapes control bytes, quote, backslash, slash and DEL; copies bytes >= 0x80",
      String.raw`return hex(cjson.encode("\0\1\127\128\255/\"\\\b\f\n\r\t\31 ~"))`,
      "OK:225c75303030305c75303030315c753030376680ff5c2f5c225c5c5c625c665c6e5c725c745c7530303166207e22",
    ],
    [
      "encodes scalars, empty tables and cjson.null",
      String.raw`return cjson.encode({}) .. cjson.encode({{}}) .. cjson.encode(true) .. cjson.encode(false) .. cjson.encode(nil) .. cjson.encode(cjson.null) .. cjson.encode("x")`,
      "OK:{}[{}]truefalsenullnull\"x\"",
    ],
    [
      "encodes holes as null unless the array is excessively sparse",
      String.raw`return cjson.encode({[1]=1, [3]=3}) .. cjson.encode({[1]=1, [10]=3}) .. cjson.encode({[1.5]=1, [2]=2}) .. cjson.encode({[-1]=1, [0]=2})`,
      "OK:[1,null,3][1,null,null,null,null,null,null,null,null,3]{\"1.5\":1,\"2\":2}{\"-1\":1,\"0\":2}",
    ],
    [
      "refuses excessively sparse arrays",
      String.raw`local ok, e = pcall(cjson.encode, {[1]=1, [12]=3}) return e`,
      "OK:Cannot serialise table: excessively sparse array",
    ],
    [
      "refuses keys that are neither numbers nor strings",
      String.raw`local ok, e = pcall(cjson.encode, {[false]=1}) return e`,
      "OK:Cannot serialise boolean: table key must be a number or string",
    ],
    [
      "refuses functions",
      String.raw`local ok, e = pcall(cjson.encode, {f=tostring}) return e`,
      "OK:Cannot serialise function: type not supported",
    ],
    [
      "refuses NaN and Inf by default",
      String.raw`local ok, e = pcall(cjson.encode, 0/0) local ok2, e2 = pcall(cjson.encode, {1/0}) return e .. "|" .. e2`,
      "OK:Cannot serialise number: must not be NaN or Inf|Cannot serialise number: must not be NaN or Inf",
    ],
    [
      "checks its argument count",
      String.raw`local ok, e = pcall(cjson.encode) local ok2, e2 = pcall(cjson.encode, 1, 2) return e .. "|" .. e2`,
      "OK:bad argument #1 to '?' (expected 1 argument)|bad argument #1 to '?' (expected 1 argument)",
    ],
    [
      "names the function as the script called it",
      String.raw`local x = cjson.encode() return x`,
      "ERR:user_script:1: bad argument #1 to 'encode' (expected 1 argument)",
    ],
    [
      "locates errors at the calling script line",
      String.raw`local x = cjson.encode({[true]=1}) return x`,
      "ERR:user_script:1: Cannot serialise boolean: table key must be a number or string",
    ],
    [
      "stops at the nesting limit",
      String.raw`local a = {} a[1] = a local ok, e = pcall(cjson.encode, a) return e`,
      "OK:Cannot serialise, excessive nesting (1001)",
    ],
    [
      "nests up to the limit",
      String.raw`local a = {} local c = a for i = 1, 999 do c[1] = {} c = c[1] end local ok, e = pcall(cjson.encode, a) local a2 = {} c = a2 for i = 1, 1000 do c[1] = {} c = c[1] end local ok2, e2 = pcall(cjson.encode, a2) return tostring(ok) .. #e .. tostring(ok2) .. e2`,
      "OK:true2000falseCannot serialise, excessive nesting (1001)",
    ],
    [
      "honours encode_max_depth",
      String.raw`cjson.encode_max_depth(1) local ok, e = pcall(cjson.encode, {s1="x", a1={1}}) cjson.encode_max_depth(1000) return e`,
      "OK:Cannot serialise, excessive nesting (2)",
    ],
    [
      "encodes invalid numbers when asked to",
      String.raw`cjson.encode_invalid_numbers(true) local r = cjson.encode({0/0, 1/0, -1/0}) cjson.encode_invalid_numbers(false) return r`,
      "OK:[nan,inf,-inf]",
    ],
    [
      "encodes invalid numbers as null when asked to",
      String.raw`cjson.encode_invalid_numbers("null") local r = cjson.encode({0/0, 1/0, -1/0}) local s = tostring(cjson.encode_invalid_numbers()) cjson.encode_invalid_numbers("off") return r .. s`,
      "OK:[null,null,null]null",
    ],
    [
      "reports its configuration",
      String.raw`return tostring(cjson.encode_invalid_numbers()) .. tostring(cjson.decode_invalid_numbers()) .. tostring(cjson.encode_keep_buffer()) .. cjson.encode_max_depth() .. cjson.decode_max_depth() .. cjson.encode_number_precision() .. table.concat({cjson.encode_sparse_array()}, ",")`,
      "ERR:user_script:1: invalid value (boolean) at index 1 in table for 'concat'",
    ],
    [
      "validates its configuration",
      String.raw`local t = {} for _, f in ipairs({function() cjson.encode_invalid_numbers("maybe") end, function() cjson.encode_max_depth(0) end, function() cjson.encode_max_depth(1, 2) end, function() cjson.encode_max_depth("x") end, function() cjson.encode_number_precision(15) end, function() cjson.encode_keep_buffer({}) end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'maybe')|user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)|user_script:1: bad argument #2 to 'encode_max_depth' (found too many arguments)|user_script:1: bad argument #1 to 'encode_max_depth' (number expected, got string)|user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)|user_script:1: bad argument #1 to 'encode_keep_buffer' (string expected, got table)",
    ],
    [
      "honours encode_number_precision",
      String.raw`cjson.encode_number_precision(3) local r = cjson.encode({1/3, 12345, 0.1}) cjson.encode_number_precision(14) return r`,
      "OK:[0.333,1.23e+04,0.1]",
    ],
    [
      "converts sparse arrays to objects when asked to",
      String.raw`cjson.encode_sparse_array(true) local r = cjson.encode({[1]=1, [12]=3}) cjson.encode_sparse_array(false) return r`,
      "OK:{\"1\":1,\"12\":3}",
    ],
    [
      "takes sparse array settings",
      String.raw`local a, b, c = cjson.encode_sparse_array(true, 0, 0) local r = cjson.encode({[1]=1, [1000]=3}) cjson.encode_sparse_array(false, 2, 10) return tostring(a) .. b .. c .. #r`,
      "OK:true004995",
    ],
    [
      "encodes the same with or without a kept buffer",
      String.raw`cjson.encode_keep_buffer(false) local r = cjson.encode({1, {2, "x"}}) cjson.encode_keep_buffer(true) return r .. cjson.encode({1, {2, "x"}})`,
      "OK:[1,[2,\"x\"]][1,[2,\"x\"]]",
    ],
    [
      "orders small objects as Redis does",
      String.raw`return cjson.encode({x=1, y=2}) .. cjson.encode({a=1,b=2,c={1,2}}) .. cjson.encode({name="redis", version=7, tags={"a","b"}})`,
      "OK:{\"y\":2,\"x\":1}{\"a\":1,\"c\":[1,2],\"b\":2}{\"version\":7,\"name\":\"redis\",\"tags\":[\"a\",\"b\"]}",
    ],
    [
      "decodes numbers (Redis test: JSON numeric decoding)",
      String.raw`return table.concat(cjson.decode("[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]"), " ")`,
      "OK:0 -5000 -1 0.0003 1023.2 0",
    ],
    [
      "decodes strings (Redis test: JSON string decoding)",
      String.raw`local d = cjson.decode('{"keya": "a", "keyb": "b"}') return d.keya .. d.keyb`,
      "OK:ab",
    ],
    [
      "decodes escapes and UTF-16 surrogate pairs to UTF-8",
      String.raw`return hex(cjson.decode('"\\u0000\\u00e9\\u20ac\\ud83d\\ude00\\n\\t\\/\\\\\\"\\b\\f\\r"'))`,
      "OK:00c3a9e282acf09f98800a092f5c22080c0d",
    ],
    [
      "decodes or rejects as lua-cjson does",
      String.raw`local t = {} for _, s in ipairs({'"\\ud800"', '"\\udc00"', '"\\u12"', '"\\x"', '"abc', '"a\0b"', '[1,]', '{"a" 1}', '{"a":1,}', '{1:2}', '[1 2]', 'tru', 'nul', '-', '01', '+1', '0x10', 'inf', '-inf', 'nan', 'NaN', 'Infinity', '1e', '.5', '-.5', '1.', '[', '{', '', ' ', '"', '\0', '[1]\0x', '1 2', '{"a":[1,{"b":null}]}x', '\1\0', '[true,false,null]', '  [  1  ,  2  ]  ', '1e400', '0x1p4', '123456789012345678901234567890', '1E2', '1e+2', '2e-1', 'nan(123)', 'infinity', 'INF', '-INFINITY', '0X1A', '0x', '0xg', 'truex', '\t\r\n 7'}) do local ok, v = pcall(cjson.decode, s) if ok and type(v) == "table" then v = cjson.encode(v) elseif ok and type(v) == "string" then v = hex(v) end t[#t+1] = tostring(ok) .. ":" .. tostring(v) end return table.concat(t, " | ")`,
      "OK:false:Expected value but found invalid unicode escape code at character 2 | false:Expected value but found invalid unicode escape code at character 2 | false:Expected value but found invalid unicode escape code at character 2 | false:Expected value but found invalid escape code at character 2 | false:Expected value but found unexpected end of string at character 5 | false:Expected value but found unexpected end of string at character 3 | false:Expected value but found T_ARR_END at character 4 | false:Expected colon but found T_NUMBER at character 6 | false:Expected object key string but found T_OBJ_END at character 8 | false:Expected object key string but found T_NUMBER at character 2 | false:Expected comma or array end but found T_NUMBER at character 4 | false:Expected value but found invalid token at character 1 | false:Expected value but found invalid token at character 1 | false:Expected value but found invalid number at character 1 | true:1 | true:1 | true:16 | true:inf | true:-inf | true:nan | true:nan | true:inf | false:Expected the end but found invalid token at character 2 | false:Expected value but found invalid token at character 1 | true:-0.5 | true:1 | false:Expected value but found T_END at character 2 | false:Expected object key string but found T_END at character 2 | false:Expected value but found T_END at character 1 | false:Expected value but found T_END at character 2 | false:Expected value but found unexpected end of string at character 2 | false:Expected value but found T_END at character 1 | true:[1] | false:Expected the end but found T_NUMBER at character 3 | false:Expected the end but found invalid token at character 21 | false:JSON parser does not support UTF-16 or UTF-32 | true:[true,false,null] | true:[1,2] | true:inf | true:16 | true:1.2345678901235e+29 | true:100 | true:100 | true:0.2 | true:nan | true:inf | true:inf | true:-inf | true:26 | false:Expected the end but found invalid token at character 2 | false:Expected the end but found invalid token at character 2 | false:Expected the end but found invalid token at character 5 | true:7",
    ],
    [
      "rejects invalid numbers when asked to",
      String.raw`cjson.decode_invalid_numbers(false) local t = {} for _, s in ipairs({'01', '+1', '0x10', 'inf', '-inf', 'nan', 'NaN', '0', '-01', '1.5', '-nan'}) do local ok, v = pcall(cjson.decode, s) t[#t+1] = tostring(ok) .. ":" .. tostring(v) end cjson.decode_invalid_numbers(true) return table.concat(t, " | ")`,
      "OK:false:Expected value but found invalid number at character 1 | false:Expected value but found invalid token at character 1 | false:Expected value but found invalid number at character 1 | false:Expected value but found invalid token at character 1 | false:Expected value but found invalid number at character 1 | false:Expected value but found invalid token at character 1 | false:Expected value but found invalid token at character 1 | true:0 | false:Expected value but found invalid number at character 1 | true:1.5 | false:Expected value but found invalid number at character 1",
    ],
    [
      "stops at decode_max_depth",
      String.raw`cjson.decode_max_depth(1) local ok, e = pcall(cjson.decode, '{"obj": {"array": [1,2,3,4]}}') cjson.decode_max_depth(2) local ok2, e2 = pcall(cjson.decode, '[[[1]]]') cjson.decode_max_depth(1000) return e .. "|" .. e2`,
      "OK:Found too many nested data structures (2) at character 9|Found too many nested data structures (3) at character 3",
    ],
    [
      "nests up to 1000 by default",
      String.raw`local ok, e = pcall(cjson.decode, string.rep("[", 1001) .. string.rep("]", 1001)) local ok2 = pcall(cjson.decode, string.rep("[", 1000) .. string.rep("]", 1000)) return e .. tostring(ok2)`,
      "OK:Found too many nested data structures (1001) at character 1001true",
    ],
    [
      "checks its argument",
      String.raw`local ok, e = pcall(cjson.decode) local ok2, e2 = pcall(cjson.decode, {}) return e .. "|" .. e2 .. "|" .. tostring(cjson.decode(12)) .. tostring(cjson.decode(1.5))`,
      "OK:bad argument #1 to '?' (expected 1 argument)|bad argument #1 to '?' (string expected, got table)|121.5",
    ],
    [
      "creates independent instances",
      String.raw`local j = cjson.new() j.encode_max_depth(1) local ok = pcall(j.encode, {{}}) local ok2 = pcall(cjson.encode, {{}}) return tostring(ok) .. tostring(ok2) .. j._NAME .. j._VERSION .. tostring(j.null == cjson.null)`,
      "OK:falsetruecjson2.1.0true",
    ],
    [
      "represents null as a userdata",
      String.raw`return tostring(cjson.decode('null') == cjson.null) .. type(cjson.null) .. cjson.encode({cjson.null, 1}) .. #cjson.decode('[1, null, 3]')`,
      "OK:trueuserdata[null,1]3",
    ],
    [
      "round-trips nested data",
      String.raw`return hex(cjson.encode(cjson.decode('{"a":{"b":{"c":[1,2,{"d":"e"}]}},"f":1.5,"g":"\\u00ff"}')))`,
      "OK:7b2261223a7b2262223a7b2263223a5b312c322c7b2264223a2265227d5d7d7d2c2267223a22c3bf222c2266223a312e357d",
    ],
    [
      "decodes big integers as Lua 5.1 doubles",
      String.raw`return cjson.encode(cjson.decode('123456789012345678')) .. " " .. tostring(cjson.decode('123456789012345678')) .. " " .. tostring(cjson.decode('99999999999999')) .. " " .. tostring(cjson.decode('100000000000000')) .. " " .. tostring(cjson.decode('1.0'))`,
      "OK:1.2345678901235e+17 1.2345678901235e+17 99999999999999 1e+14 1",
    ],
    [
      "decodes numbers that concatenate as in Lua 5.1",
      String.raw`return cjson.decode('1.5') .. " " .. cjson.decode('5.0') .. " " .. cjson.decode('99999999999999') .. " " .. cjson.decode('1e15') .. " " .. cjson.decode('-5e3')`,
      "OK:1.5 5 99999999999999 1e+15 -5000",
    ],
    [
      "passes the Redis JSON smoke test",
      String.raw`local some_map = {s1="Some string", n1=100, a1={"Some","String","Array"}, nil1=nil, b1=true, b2=false}
      local encoded = cjson.encode(some_map)
      local decoded = cjson.decode(encoded)
      assert(table.concat(some_map) == table.concat(decoded))
      cjson.encode_keep_buffer(false)
      encoded = cjson.encode(some_map)
      decoded = cjson.decode(encoded)
      assert(table.concat(some_map) == table.concat(decoded))
      local table1 = {one="one", [1]="one"}
      encoded = cjson.encode(table1)
      decoded = cjson.decode(encoded)
      assert(decoded["one"] == table1["one"])
      assert(decoded["1"] == table1[1])
      local array1 = {[1]="one", [2]="two"}
      encoded = cjson.encode(array1)
      decoded = cjson.decode(encoded)
      assert(table.concat(array1) == table.concat(decoded))
      local invalid_map = {}
      invalid_map[false] = "false"
      local ok, encoded = pcall(cjson.encode, invalid_map)
      assert(ok == false)
      cjson.encode_max_depth(1)
      ok, encoded = pcall(cjson.encode, some_map)
      assert(ok == false)
      cjson.decode_max_depth(1)
      ok, decoded = pcall(cjson.decode, '{"obj": {"array": [1,2,3,4]}}')
      assert(ok == false)
      ok, encoded = pcall(cjson.encode, {num1=0/0})
      assert(ok == false)
      cjson.encode_invalid_numbers(true)
      ok, encoded = pcall(cjson.encode, {num1=0/0})
      assert(ok == true)
      cjson.decode_max_depth(1000)
      cjson.encode_max_depth(1000)
      cjson.encode_invalid_numbers(false)
      cjson.encode_keep_buffer(true)
      return "ok"`,
      "OK:ok",
    ],
    [
      "is binary safe for all 256 byte values",
      String.raw`local s = {} for i = 0, 255 do s[#s + 1] = string.char(i) end s = table.concat(s) return hex(cjson.encode(s)) .. " " .. tostring(cjson.decode(cjson.encode(s)) == s) .. " " .. tostring(cjson.decode(cjson.encode({[s] = s}))[s] == s)`,
      "OK:225c75303030305c75303030315c75303030325c75303030335c75303030345c75303030355c75303030365c75303030375c625c745c6e5c75303030625c665c725c75303030655c75303030665c75303031305c75303031315c75303031325c75303031335c75303031345c75303031355c75303031365c75303031375c75303031385c75303031395c75303031615c75303031625c75303031635c75303031645c75303031655c753030316620215c22232425262728292a2b2c2d2e5c2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e5c7530303766808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff22 true true",
    ],
  ],
  cmsgpack: [
    [
      "packs a double (Redis test)",
      String.raw`return hex(cmsgpack.pack(0.1))`,
      "OK:cb3fb999999999999a",
    ],
    [
      "packs a negative int64 (Redis test)",
      String.raw`return hex(cmsgpack.pack(-1099511627776))`,
      "OK:d3ffffff0000000000",
    ],
    [
      "packs integers of every width",
      String.raw`local t = {} for _, v in ipairs({0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53, 2^63 - 1024}) do t[#t+1] = hex(cmsgpack.pack(v)) end return table.concat(t, " ")`,
      "OK:00 01 7f cc80 ccff cd0100 cdffff ce00010000 ceffffffff cf0000000100000000 cf0020000000000000 cf7ffffffffffffc00",
    ],
    [
      "packs negative integers of every width",
      String.raw`local t = {} for _, v in ipairs({-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^53, -2^63}) do t[#t+1] = hex(cmsgpack.pack(v)) end return table.concat(t, " ")`,
      "OK:ff e0 d0df d080 d1ff7f d18000 d2ffff7fff d280000000 d3ffffffff7fffffff d3ffe0000000000000 d38000000000000000",
    ],
    [
      "packs floats and doubles",
      String.raw`local t = {} for _, v in ipairs({0.5, 0.1, -0.0, math.huge, -math.huge, 1e300, 3.4028234663852886e38, 2^63, -2.5, 1/3}) do t[#t+1] = hex(cmsgpack.pack(v)) end return table.concat(t, " ")`,
      "OK:ca3f000000 cb3fb999999999999a 00 ca7f800000 caff800000 cb7e37e43c8800759c ca7f7fffff ca5f000000 cac0200000 cb3fd5555555555555",
    ],
    [
      "packs strings with the header for their length",
      String.raw`local t = {} for _, n in ipairs({0, 1, 31, 32, 255, 256, 65535, 65536}) do local p = cmsgpack.pack(string.rep("x", n)) t[#t+1] = hex(p:sub(1, 6)) .. ":" .. #p end return table.concat(t, " ")`,
      "OK:a0:1 a178:2 bf7878787878:32 d92078787878:34 d9ff78787878:257 da0100787878:259 daffff787878:65538 db0001000078:65541",
    ],
    [
      "packs binary strings unchanged",
      String.raw`return hex(cmsgpack.pack("\0\1\127\128\255"))`,
      "OK:a500017f80ff",
    ],
    [
      "packs arrays with the header for their length",
      String.raw`local t = {} for _, n in ipairs({0, 1, 15, 16, 65535, 65536}) do local a = {} for i = 1, n do a[i] = true end local p = cmsgpack.pack(a) t[#t+1] = hex(p:sub(1, 6)) .. ":" .. #p end return table.concat(t, " ")`,
      "OK:90:1 91c3:2 9fc3c3c3c3c3:16 dc0010c3c3c3:19 dcffffc3c3c3:65538 dd00010000c3:65541",
    ],
    [
      "packs maps with the header for their size",
      String.raw`local t = {} for _, n in ipairs({1, 15, 16, 65535, 65536}) do local a = {} for i = 1, n do a["k" .. i] = true end local p = cmsgpack.pack(a) t[#t+1] = hex(p:sub(1, 3)) .. ":" .. #p end return table.concat(t, " ")`,
      "OK:81a26b:5 8fa36b:67 de0010:74 deffff:513177 df0001:513187",
    ],
    [
      "tells arrays from maps",
      String.raw`return hex(cmsgpack.pack({1, 2, nil, 4})) .. " " .. hex(cmsgpack.pack({[2] = 1})) .. " " .. hex(cmsgpack.pack({[1.5] = 1})) .. " " .. hex(cmsgpack.pack({[0] = 1})) .. " " .. hex(cmsgpack.pack({[-1] = 1})) .. " " .. hex(cmsgpack.pack({true, false, "a"}))`,
      "OK:83010102020404 810201 81ca3fc0000001 810001 81ff01 93c3c2a161",
    ],
    [
      "packs several values and unsupported types as nil",
      String.raw`return hex(cmsgpack.pack(nil, 1, "x", cmsgpack.unpack, true))`,
      "OK:c001a178c0c3",
    ],
    [
      "packs circular references to a depth of 16 (Redis test)",
      String.raw`local a = {x=nil,y=5} local b = {x=a} a['x'] = b local encoded = cmsgpack.pack(a) local re = cmsgpack.unpack(encoded) assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y) assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x) assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil) return hex(encoded)`,
      "OK:82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178c0",
    ],
    [
      "refuses to pack nothing",
      String.raw`local ok, e = pcall(cmsgpack.pack) return e`,
      "OK:bad argument #0 to '?' (MessagePack pack needs input.)",
    ],
    [
      "unpacks every type",
      String.raw`local t = {} for _, h in ipairs({"00", "7f", "ff", "e0", "cc80", "cdffff", "ceffffffff", "cfffffffffffffffff", "cf0000000100000000", "cf7fffffffffffffff", "d0ff", "d080", "d1ff7f", "d18000", "d280000000", "d3ffffff0000000000", "d38000000000000000", "ca3f000000", "ca7f800000", "cb3fb999999999999a", "cb4014000000000000", "cb42d6bcc41e900000", "c0", "c2", "c3", "a161", "d90161", "da000161", "db0000000161", "9101", "dc000101", "dd0000000101", "8101a161", "de00010102", "df0000000101c3"}) do local v = cmsgpack.unpack(unhex(h)) if type(v) == "table" then local parts = {} for k, x in pairs(v) do parts[#parts+1] = tostring(k) .. "=" .. tostring(x) end v = "{" .. table.concat(parts, ",") .. "}" end t[#t+1] = tostring(v) end return table.concat(t, " ")`,
      "OK:0 127 -1 -32 128 65535 4294967295 -1 4294967296 9.2233720368548e+18 -1 -128 -129 -32768 -2147483648 -1099511627776 -9.2233720368548e+18 0.5 inf 0.1 5 1e+14 nil false true a a a a {1=1} {1=1} {1=1} {1=a} {1=2} {1=true}",
    ],
    [
      "unpacks numbers that concatenate as in Lua 5.1",
      String.raw`return cmsgpack.unpack(unhex("cb4014000000000000")) .. " " .. cmsgpack.unpack(unhex("cf0000000100000000")) .. " " .. cmsgpack.unpack(unhex("cf00038d7ea4c68000"))`,
      "OK:5 4294967296 1e+15",
    ],
    [
      "reports truncated and unsupported input",
      String.raw`local t = {} for _, h in ipairs({"cc", "cd00", "a2", "d9", "d902", "9201", "8101", "dc00", "c1", "c4", "c7", "d4", "d5", "d6", "d7", "d8", "ce000000", "db00000002", "dd00000001", "df00000001"}) do local ok, e = pcall(cmsgpack.unpack, unhex(h)) t[#t+1] = h .. "=" .. tostring(ok) .. ":" .. tostring(e) end return table.concat(t, " | ")`,
      "OK:cc=false:Missing bytes in input. | cd00=false:Missing bytes in input. | a2=false:Missing bytes in input. | d9=false:Missing bytes in input. | d902=false:Missing bytes in input. | 9201=false:Missing bytes in input. | 8101=false:Missing bytes in input. | dc00=false:Missing bytes in input. | c1=false:Bad data format in input. | c4=false:Bad data format in input. | c7=false:Bad data format in input. | d4=false:Bad data format in input. | d5=false:Bad data format in input. | d6=false:Bad data format in input. | d7=false:Bad data format in input. | d8=false:Bad data format in input. | ce000000=false:Missing bytes in input. | db00000002=false:Missing bytes in input. | dd00000001=false:Missing bytes in input. | df00000001=false:Missing bytes in input.",
    ],
    [
      "fails on nil and NaN map keys as lua_settable does",
      String.raw`local ok, e = pcall(cmsgpack.unpack, unhex("81c001")) local ok2, e2 = pcall(cmsgpack.unpack, unhex("81cbfff800000000000001")) return e .. "|" .. e2`,
      "OK:table index is nil|table index is NaN",
    ],
    [
      "unpacks with limits and offsets",
      String.raw`local function all(...) return table.concat({...}, ",") end local s = unhex("010203") return all(cmsgpack.unpack_limit(s, 0, 0)) .. " " .. all(cmsgpack.unpack_limit(s, 2, 0)) .. " " .. all(cmsgpack.unpack_limit(s, 2, 1)) .. " " .. all(cmsgpack.unpack_one(s, 3)) .. " " .. all(cmsgpack.unpack_one(s)) .. " " .. all(cmsgpack.unpack_one(s, "1")) .. " " .. all(cmsgpack.unpack_one(s, 1.7)) .. " " .. select("#", cmsgpack.unpack(""))`,
      "OK:1,2,3 2,1,2 -1,2,3 -1 1,1 2,2 2,2 0",
    ],
    [
      "checks offsets and limits",
      String.raw`local t = {} for _, f in ipairs({function() cmsgpack.unpack_limit(unhex("010203"), -1, 0) end, function() cmsgpack.unpack_one(unhex("010203"), 5) end, function() cmsgpack.unpack_one(unhex("010203"), {}) end, function() cmsgpack.unpack_limit(unhex("010203")) end, function() cmsgpack.unpack() end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: Invalid request to unpack with offset of 0 and limit of 3.|user_script:1: Start offset 5 greater than input length 3.|user_script:1: bad argument #2 to 'unpack_one' (number expected, got table)|user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value)|user_script:1: bad argument #1 to 'unpack' (string expected, got no value)",
    ],
    [
      "names the function and locates errors as Redis does",
      String.raw`local x = cmsgpack.unpack(unhex("cd00")) return x`,
      "ERR:user_script:1: Missing bytes in input.",
    ],
    [
      "returns at most 7999 values at once, as Lua 5.1's stack allows",
      String.raw`local s = string.rep('\1', 7999) local t = {pcall(cmsgpack.unpack, s)} local s2 = string.rep('\1', 8000) local t2 = {pcall(cmsgpack.unpack, s2)} local t3 = {pcall(cmsgpack.unpack_limit, s2, 7998)} local t4 = {pcall(cmsgpack.unpack_limit, s2, 7999)} return #t .. " " .. tostring(t2[1]) .. ":" .. t2[2] .. " " .. #t3 .. " " .. tostring(t4[1]) .. ":" .. tostring(t4[2])`,
      "OK:8000 false:stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) 8000 false:stack overflow (in function mp_unpack_full)",
    ],
    [
      "nests as deep as Lua 5.1's stack allows",
      String.raw`local ok1 = pcall(cmsgpack.unpack, string.rep('\145', 3999) .. '\1') local ok2, e2 = pcall(cmsgpack.unpack, string.rep('\145', 4000) .. '\1') local ok3 = pcall(cmsgpack.unpack, string.rep('\129\1', 3999) .. '\1') local ok4, e4 = pcall(cmsgpack.unpack, string.rep('\129\1', 4000) .. '\1') return tostring(ok1) .. " " .. e2 .. " " .. tostring(ok3) .. " " .. e4`,
      "OK:true stack overflow (in function mp_decode_to_lua_array) true stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)",
    ],
    [
      "passes the Redis pack/unpack smoke test",
      String.raw`local str_lt_32 = string.rep("x", 30)
      local str_lt_255 = string.rep("x", 250)
      local str_lt_65535 = string.rep("x", 65530)
      local str_long = string.rep("x", 100000)
      local array_lt_15 = {1, 2, 3, 4, 5}
      local array_lt_65535 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}
      local array_big = {}
      for i=1, 100000 do array_big[i] = i end
      local map_lt_15 = {a=1, b=2}
      local map_big = {}
      for i=1, 100000 do map_big[tostring(i)] = i end
      local some_map = {s1=str_lt_32, s2=str_lt_255, s3=str_lt_65535, s4=str_long, d1=0.1, i1=1, i2=250, i3=65530, i4=100000, i5=2^40, i6=-1, i7=-120, i8=-32000, i9=-100000, i10=-3147483648, a1=array_lt_15, a2=array_lt_65535, a3=array_big, m1=map_lt_15, m2=map_big, b1=false, b2=true, n=nil}
      local encoded = cmsgpack.pack(some_map)
      local decoded = cmsgpack.unpack(encoded)
      assert(table.concat(some_map) == table.concat(decoded))
      local offset, decoded_one = cmsgpack.unpack_one(encoded, 0)
      assert(table.concat(some_map) == table.concat(decoded_one))
      assert(offset == -1)
      local encoded_multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)
      local offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, 0)
      assert(obj == str_lt_32)
      offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
      assert(obj == str_lt_255)
      offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
      assert(obj == str_lt_65535)
      offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
      assert(obj == str_long)
      assert(offset == -1)
      return #encoded .. " " .. decoded.a3[100000] .. " " .. decoded.m2["77"] .. " " .. decoded.i10 .. " " .. decoded.d1`,
      "OK:1491977 100000 77 -3147483648 0.1",
    ],
    [
      "is binary safe for all 256 byte values",
      String.raw`local s = {} for i = 0, 255 do s[#s + 1] = string.char(i) end s = table.concat(s) local p = cmsgpack.pack(s, {s}) local a, b = cmsgpack.unpack(p) return hex(p:sub(1, 8)) .. " " .. #p .. " " .. tostring(a == s) .. tostring(b[1] == s)`,
      "OK:da01000001020304 519 truetrue",
    ],
  ],
  struct: [
    [
      "packs integers of each option, little endian by default",
      String.raw`return hex(struct.pack("bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295)) .. " " .. hex(struct.pack(">bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295))`,
      "OK:fffffefffffffdffffffffffffff00000000000100000700000000000000fcffffffffffffff fffffffefffffffffffffffffffd00000100000000000000000000000007fffffffcffffffff",
    ],
    [
      "packs sized integers, wrapping out-of-range values",
      String.raw`return hex(struct.pack("i1i2i3i5i7I3", -1, 300, -70000, 2^33, -5, 2^24 + 5)) .. " " .. hex(struct.pack("b", 300)) .. " " .. hex(struct.pack("B", -1)) .. " " .. hex(struct.pack("h", 70000))`,
      "OK:ff2c0190eefe0000000002fbffffffffffff050000 2c ff 7011",
    ],
    [
      "converts numbers as C casts do on x86-64",
      String.raw`return hex(struct.pack('>L', 2^64)) .. " " .. hex(struct.pack('>L', 0/0)) .. " " .. hex(struct.pack('>l', -2^64)) .. " " .. hex(struct.pack('>L', 2^63+2048)) .. " " .. hex(struct.pack('>l', 2^63)) .. " " .. hex(struct.pack('>L', 1e30)) .. " " .. hex(struct.pack('<i16', -1)) .. " " .. hex(struct.pack('>i12', -2)) .. " " .. hex(struct.pack('>L', -1.5)) .. " " .. hex(struct.pack('>l', 3.99))`,
      "OK:0000000000000000 8000000000000000 8000000000000000 8000000000000800 8000000000000000 0000000000000000 ffffffffffffffff0000000000000000 00000000fffffffffffffffe ffffffffffffffff 0000000000000003",
    ],
    [
      "packs floats and doubles",
      String.raw`return hex(struct.pack("fd", 0.1, 0.1)) .. " " .. hex(struct.pack(">fd", 1/0, 2.5)) .. " " .. hex(struct.pack("f", "2.5"))`,
      "OK:cdcccc3d9a9999999999b93f 7f8000004004000000000000 00002040",
    ],
    [
      "packs strings",
      String.raw`return hex(struct.pack("c5", "abcdefg")) .. " " .. hex(struct.pack("c0", "abc")) .. " " .. hex(struct.pack("s", "a\0b")) .. " " .. hex(struct.pack("x")) .. " " .. hex(struct.pack("c", "xyz"))`,
      "OK:6162636465 616263 61006200 00 78",
    ],
    [
      "aligns",
      String.raw`return hex(struct.pack("!4 b i", 1, 2)) .. " " .. hex(struct.pack("!b d", 1, 2)) .. " " .. hex(struct.pack("! b h b i b d", 1, 2, 3, 4, 5, 6)) .. " " .. hex(struct.pack("!2 b i3 b", 1, 2, 3)) .. " " .. hex(struct.pack("!8bxI3", 1, 2))`,
      "OK:0100000002000000 01000000000000000000000000000040 010002000300000004000000050000000000000000001840 010002000003 0100020000",
    ],
    [
      "sizes formats",
      String.raw`return struct.size("bhilfdT") .. " " .. struct.size("!bhilfdT") .. " " .. struct.size("!4 b d") .. " " .. struct.size("c10") .. " " .. struct.size("i7 x") .. " " .. struct.size("qz")`,
      "OK:35 40 12 10 8 0",
    ],
    [
      "reports format errors",
      String.raw`local t = {} for _, f in ipairs({function() struct.size("s") end, function() struct.size("c0") end, function() struct.pack("q", 1) end, function() struct.pack("i33", 1) end, function() struct.pack("!3", 1) end, function() struct.pack("i99999999999", 1) end, function() struct.pack("c5", "ab") end, function() struct.pack("b c5", 1, "ab") end, function() struct.pack("i") end, function() struct.pack("i i", 1) end, function() struct.pack("i", {}) end, function() struct.pack() end, function() struct.pack("s", nil) end, function() struct.unpack() end, function() struct.unpack("b") end, function() struct.unpack("b", "a", {}) end, function() struct.unpack("z", "abc") end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #1 to 'size' (option 's' has no fixed size)|user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size)|user_script:1: bad argument #1 to 'pack' (invalid format option 'q')|user_script:1: integral size 33 is larger than limit of 32|user_script:1: alignment 3 is not a power of 2|user_script:1: integral size overflow|user_script:1: bad argument #3 to 'pack' (string too short)|user_script:1: bad argument #4 to 'pack' (string too short)|user_script:1: bad argument #2 to 'pack' (number expected, got nil)|user_script:1: bad argument #3 to 'pack' (number expected, got nil)|user_script:1: bad argument #2 to 'pack' (number expected, got table)|user_script:1: bad argument #1 to 'pack' (string expected, got no value)|user_script:1: bad argument #2 to 'pack' (string expected, got nil)|user_script:1: bad argument #1 to 'unpack' (string expected, got no value)|user_script:1: bad argument #2 to 'unpack' (string expected, got no value)|user_script:1: bad argument #3 to 'unpack' (number expected, got table)|user_script:1: bad argument #1 to 'unpack' (invalid format option 'z')",
    ],
    [
      "locates errors at the calling script line",
      String.raw`local x = struct.pack("q", 1) return x`,
      "ERR:user_script:1: bad argument #1 to 'pack' (invalid format option 'q')",
    ],
    [
      "unpacks integers",
      String.raw`return table.concat({struct.unpack("bBhHlLTiI", struct.pack("bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295))}, ",") .. " " .. table.concat({struct.unpack(">bBhHlLTiI", struct.pack(">bBhHlLTiI", -1, 255, -2, 65535, -3, 2^40, 7, -4, 4294967295))}, ",")`,
      "OK:-1,255,-2,65535,-3,1099511627776,7,-4,4294967295,39 -1,255,-2,65535,-3,1099511627776,7,-4,4294967295,39",
    ],
    [
      "unpacks floats and doubles",
      String.raw`return table.concat({struct.unpack("fd", struct.pack("fd", 0.1, 0.1))}, ",") .. " " .. table.concat({struct.unpack("fd", struct.pack("fd", 2.5, 3))}, ",")`,
      "OK:0.10000000149012,0.1,13 2.5,3,13",
    ],
    [
      "unpacks strings, c0 taking the previous number as length",
      String.raw`return table.concat({struct.unpack("c3 s c0 c2", "abcdef\0\3xyzw")}, ",") .. " " .. table.concat({struct.unpack("b c0", "\3xyzw")}, ",") .. " " .. table.concat({struct.unpack("s c0", "3\0abcdefg")}, ",")`,
      "ERR:user_script:1: format 'c0' needs a previous size",
    ],
    [
      "unpacks from an offset",
      String.raw`return table.concat({struct.unpack("i", "\1\0\0\0\2\0\0\0", 5)}, ",") .. " " .. table.concat({struct.unpack("", "abc", -3)}, ",") .. " " .. table.concat({struct.unpack("b", "a", 1.9)}, ",")`,
      "OK:2,9 -3 97,2",
    ],
    [
      "reports short data",
      String.raw`local t = {} for _, f in ipairs({function() struct.unpack("i", "\1\0\0", 1) end, function() struct.unpack("i", "\1\0\0\0", 0) end, function() struct.unpack("b", "abc", -3) end, function() struct.unpack("s", "abc") end, function() struct.unpack("c0", "abc") end, function() struct.unpack("s c0", "5\0abcdefg") end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #2 to 'unpack' (data string too short)|user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater)|user_script:1: bad argument #2 to 'unpack' (data string too short)|user_script:1: unfinished string in data|user_script:1: format 'c0' needs a previous size",
    ],
    [
      "unpacks wide integers as Redis's build does",
      String.raw`return table.concat({struct.unpack("!4 b i", struct.pack("!4 b i", 1, 2))}, ",") .. " " .. table.concat({struct.unpack("<i9", string.rep("\1", 9))}, ",") .. " " .. tostring(struct.unpack(">i9", "\0\0\0\0\0\0\0\0\200")) .. " " .. tostring(struct.unpack(">i16", string.rep("\255", 16))) .. " " .. tostring(struct.unpack(">I16", string.rep("\255", 16))) .. " " .. tostring(struct.unpack("L", string.rep("\255", 8)))`,
      "OK:1,2,9 -127,10 -56 -1 1.844674407371e+19 1.844674407371e+19",
    ],
    [
      "unpacks numbers that concatenate as in Lua 5.1",
      String.raw`return tostring(struct.unpack(">l", "\0\0\128\0\0\0\0\0")) .. " " .. (struct.unpack(">l", "\0\0\0\1\0\0\0\0") .. "") .. " " .. (struct.unpack(">d", struct.pack(">d", 5)) .. "") .. " " .. (struct.unpack(">I7", "\255\255\255\255\255\255\255") .. "")`,
      "OK:1.4073748835533e+14 4294967296 5 7.2057594037928e+16",
    ],
    [
      "handles padding and zero-size integers",
      String.raw`return table.concat({struct.unpack("bxb", "\1\2\3")}, ",") .. " " .. table.concat({struct.unpack("i0 b", "\7")}, ",") .. " " .. hex(struct.pack("i0 b", 5, 7)) .. " " .. hex(struct.pack(12, 1)) .. struct.size(12)`,
      "ERR:user_script:1: bad argument #1 to 'pack' (invalid format option '1')",
    ],
  ],
  bit: [
    [
      "passes the Redis minimal bitop test",
      String.raw`assert(bit.tobit(1) == 1) assert(bit.band(1) == 1) assert(bit.bxor(1,2) == 3) assert(bit.bor(1,2,4,8,16,32,64,128) == 255) return "ok"`,
      "OK:ok",
    ],
    [
      "reduces numbers to 32 bits as LuaBitOp does",
      String.raw`return table.concat({bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(2^52), bit.tobit(2^53+3), bit.tobit(-2^60), bit.tobit(0/0), bit.tobit(1/0), bit.tobit("0x10"), bit.tobit(0xffffffff), bit.tobit(2^32+5), bit.tobit(-2^31-1), bit.tobit(2^51), bit.tobit(-2^51), bit.tobit(2^51+0.5), bit.tobit(-2^51 - 1), bit.tobit(2^63), bit.tobit(-2^63), bit.tobit(1e300), bit.tobit(-1e-300), bit.tobit(0.5), bit.tobit(-0.5), bit.tobit(4294967295.5)}, ",")`,
      "OK:2,2,-2,0,2,0,0,0,16,-1,5,2147483647,0,0,0,-2,0,0,-2013235812,0,0,0,0",
    ],
    [
      "computes logic operations",
      String.raw`return table.concat({bit.band(0xffffffff, 1), bit.bor(1,2,4,8,16,32,64,128), bit.bxor(1,2), bit.band(1), bit.bnot(0), bit.bnot(-1), bit.band(-1, 0xff00), bit.bor(0x80000000, 1), bit.bxor(-1, 0x0f0f0f0f)}, ",")`,
      "OK:1,255,3,1,-1,0,65280,-2147483647,-252645136",
    ],
    [
      "shifts and rotates",
      String.raw`return table.concat({bit.arshift(-256, 4), bit.rol(0x12345678, 4), bit.ror(0x12345678, 4), bit.bswap(0x12345678), bit.lshift(1, 31), bit.rshift(-1, 28), bit.lshift(1, 33), bit.rol(1, 0), bit.ror(1, 0), bit.rol(0x80000000, 1), bit.ror(1, 1), bit.arshift(0x80000000, 31), bit.arshift(0x7fffffff, 31), bit.rshift(0x80000000, 31), bit.lshift(3, 32+1), bit.arshift(-1, 0), bit.bswap(-1), bit.bswap(0xff)}, ",")`,
      "OK:-16,591751041,-2128394905,2018915346,-2147483648,15,2,1,1,1,-2147483648,-1,0,1,6,-1,-1,-16777216",
    ],
    [
      "formats hex",
      String.raw`return table.concat({bit.tohex(-1), bit.tohex(255, -4), bit.tohex(255, 0), bit.tohex(1, 20), bit.tohex(0xabcdef, 3), bit.tohex(0xabcdef, -3), bit.tohex(-1, -8), bit.tohex(0x12345678)}, ",")`,
      "OK:ffffffff,00FF,,00000001,def,DEF,FFFFFFFF,12345678",
    ],
    [
      "checks its arguments",
      String.raw`local t = {} for _, f in ipairs({function() bit.band("abc") end, function() bit.band() end, function() bit.tohex(1, nil) end, function() bit.bor(1, {}, 3) end, function() bit.lshift(1) end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #1 to 'band' (number expected, got string)|user_script:1: bad argument #1 to 'band' (number expected, got no value)|user_script:1: bad argument #2 to 'tohex' (number expected, got nil)|user_script:1: bad argument #2 to 'bor' (number expected, got table)|user_script:1: bad argument #2 to 'lshift' (number expected, got no value)",
    ],
    [
      "locates errors at the calling script line",
      String.raw`local x = bit.band("abc") return x`,
      "ERR:user_script:1: bad argument #1 to 'band' (number expected, got string)",
    ],
  ],
  compat: [
    [
      "tostring prints numbers as Lua 5.1 does",
      String.raw`return tostring(10/2) .. " " .. tostring(1/3) .. " " .. tostring(-(0.0)) .. " " .. tostring(1e15) .. " " .. tostring(2^53) .. " " .. tostring(123456789012345) .. " " .. tostring(0/0) .. " " .. tostring(-(0/0)) .. " " .. tostring(100) .. " " .. tostring(nil) .. tostring(true)`,
      "OK:5 0.33333333333333 -0 1e+15 9.007199254741e+15 1.2345678901234e+14 -nan nan 100 niltrue",
    ],
    [
      "tostring wants a value",
      String.raw`local x = tostring() return x`,
      "ERR:user_script:1: bad argument #1 to 'tostring' (value expected)",
    ],
    [
      "tonumber returns Lua 5.1 numbers",
      String.raw`return tostring(tonumber("5.0")) .. (tonumber("5.0") .. "") .. (tonumber("1e2") .. "") .. tostring(tonumber("z")) .. tostring(tonumber("ff", 16)) .. tostring(tonumber(" 10 ")) .. tostring(tonumber("0x10")) .. tostring(tonumber("10", 2)) .. (tonumber("123456789012345") .. "") .. " " .. tostring(tonumber("0x1p4")) .. " " .. tostring(tonumber("1e500")) .. " " .. tostring(tonumber(nil)) .. " " .. tostring(tonumber(true))`,
      "OK:55100nil255101621.2345678901234e+14 16 inf nil nil",
    ],
    [
      "tonumber wants a value",
      String.raw`local x = tonumber() return x`,
      "ERR:user_script:1: bad argument #1 to 'tonumber' (value expected)",
    ],
    [
      "unpack",
      String.raw`local t = {1, 2, 3} return table.concat({unpack(t)}, ",") .. "|" .. table.concat({unpack(t, 2)}, ",") .. "|" .. table.concat({unpack(t, 2, 3)}, ",") .. "|" .. select("#", unpack(t, 3, 2)) .. "|" .. select("#", unpack({}, 1, 3)) .. "|" .. unpack({1, 2, 3}, "2")`,
      "OK:1,2,3|2,3|2,3|0|3|2",
    ],
    [
      "unpack checks its arguments",
      String.raw`local t = {} for _, f in ipairs({function() unpack(nil) end, function() unpack() end, function() unpack({}, "a") end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #1 to 'unpack' (table expected, got nil)|user_script:1: bad argument #1 to 'unpack' (table expected, got no value)|user_script:1: bad argument #2 to 'unpack' (number expected, got string)",
    ],
    [
      "unpack returns what fits Lua 5.1's stack (Redis test: unpack with massive arguments)",
      String.raw`local a = {} for i = 1, 8000 do a[i] = 1 end local n1 = select("#", unpack(a, 1, 7999)) local ok, e = pcall(unpack, a) local ok2, e2 = pcall(unpack, a, 1, 7998) return n1 .. " " .. e .. " " .. tostring(ok2)`,
      "ERR:user_script:1: too many results to unpack",
    ],
    [
      "unpack reads raw",
      String.raw`local t = setmetatable({}, {__index = function(t, k) return k * 2 end}) return table.concat({unpack(t, 1, 3)}, ",")`,
      "OK:",
    ],
    [
      "loadstring compiles source text",
      String.raw`local f = loadstring("return 1 + 1") local f2, e2 = loadstring("return +") local f3, e3 = loadstring("x = ", "=mychunk") return f() .. " " .. tostring(f2) .. " " .. e2 .. " " .. tostring(f3) .. " " .. e3 .. " " .. table.concat({loadstring("return ...")(1, 2)}, ",")`,
      "OK:2 nil [string \"return +\"]:1: unexpected symbol near '+' nil mychunk:1: unexpected symbol near '<eof>' 1,2",
    ],
    [
      "loadstring refuses precompiled chunks (Redis test: Binary code loading failed)",
      String.raw`local ok, e = pcall(function() return loadstring(string.dump(function() return 1 end))() end) return e`,
      "OK:user_script:1: attempt to call a nil value",
    ],
    [
      "load takes a reader function only",
      String.raw`local parts = {"return ", "40", "+2"} local i = 0 local f = load(function() i = i + 1 return parts[i] end) local ok, e = pcall(load, "return 1") return f() .. " " .. e`,
      "OK:42 bad argument #1 to '?' (function expected, got string)",
    ],
    [
      "math has the Lua 5.1 functions",
      String.raw`return math.pow(2, 10) .. " " .. math.mod(7, 3) .. " " .. math.fmod(-7, 3) .. " " .. tostring(math.fmod(1, 0)) .. " " .. math.log10(1000) .. " " .. math.atan2(1, 1) .. " " .. math.ldexp(0.75, 4) .. " " .. table.concat({math.frexp(12)}, ",") .. " " .. table.concat({math.frexp(-0.1)}, ",") .. " " .. table.concat({math.frexp(0)}, ",") .. " " .. table.concat({math.frexp(5e-324)}, ",")`,
      "OK:1024 1 -1 -nan 3 0.78539816339745 12 0.75,4 -0.8,-3 0,0 0.5,-1073",
    ],
    [
      "math results concatenate as in Lua 5.1",
      String.raw`return math.sqrt(16) .. " " .. math.abs(-2.0) .. " " .. select(1, math.modf(3.5)) .. " " .. math.huge .. " " .. math.pi .. " " .. math.exp(0) .. " " .. math.log(1) .. " " .. math.sin(0) .. " " .. math.floor(-0.5) .. " " .. math.max(3, 7.0) .. " " .. math.min(2.5, 1) .. " " .. tostring(math.pow(2, 0.5)) .. " " .. tostring(math.ldexp(1, -1074)) .. " " .. tostring(math.ldexp(1, 1023)) .. " " .. tostring(math.ldexp(3, 1023)) .. " " .. tostring(math.sinh(1)) .. " " .. tostring(math.cosh(1)) .. " " .. tostring(math.tanh(0.5)) .. " " .. tostring(math.sinh(1e-7)) .. " " .. tostring(math.tanh(30))`,
      "OK:4 2 3 inf 3.1415926535898 1 0 0 -1 7 1 1.4142135623731 4.9406564584125e-324 8.9884656743116e+307 inf 1.1752011936438 1.5430806348152 0.46211715726001 1e-07 1",
    ],
    [
      "math functions check their arguments",
      String.raw`local t = {} for _, f in ipairs({function() math.sqrt() end, function() math.sqrt("a") end, function() math.floor({}) end, function() math.pow(1) end}) do local ok, e = pcall(f) t[#t + 1] = e end local x = math.sqrt() return table.concat(t, "|")`,
      "ERR:user_script:1: bad argument #1 to 'sqrt' (number expected, got no value)",
    ],
    [
      "math functions name themselves as called",
      String.raw`local x = math.sqrt() return x`,
      "ERR:user_script:1: bad argument #1 to 'sqrt' (number expected, got no value)",
    ],
    [
      "table has the Lua 5.1 functions",
      String.raw`local r = {} table.foreachi({"a", "b", "c"}, function(i, v) r[#r + 1] = i .. v end) local r2 = {} table.foreach({x = 1, y = 2}, function(k, v) r2[#r2 + 1] = k .. v end) return table.getn({1, 2, 3}) .. " " .. table.maxn({1, 2, [10] = 3, [2.5] = 1}) .. " " .. table.maxn({}) .. " " .. table.maxn({a = 1}) .. " " .. table.concat(r, ",") .. "|" .. tostring(table.foreachi({1, 2, 3}, function(i, v) if v == 2 then return "stop" .. i end end)) .. " " .. table.concat(r2, ",")`,
      "OK:3 10 0 0 1a,2b,3c|stop2 y2,x1",
    ],
    [
      "table.setn is obsolete",
      String.raw`local ok, e = pcall(table.setn, {}, 1) local ok2, e2 = pcall(table.getn) return e .. "|" .. e2`,
      "OK:'setn' is obsolete|bad argument #1 to '?' (table expected, got no value)",
    ],
    [
      "table.concat joins numbers as Lua 5.1 prints them",
      String.raw`return table.concat({1, 2.5, 10/2, "x", 1e15, -(0.0)}, ",") .. " " .. table.concat({1, 2, 3}, "-", 2) .. " " .. table.concat({1, 2, 3}, "-", 1.5, 2.9) .. " " .. table.concat({}) .. table.concat({1.5}, ",", 2) .. tostring(table.concat({1, 2}, 3)) .. tostring(table.concat({"a", "b"}, ", ", 1, 2))`,
      "OK:1,2.5,5,x,1e+15,-0 2-3 1-2 132a, b",
    ],
    [
      "table.concat reports invalid values",
      String.raw`local t = {} for _, f in ipairs({function() table.concat({1, {}, 3}) end, function() table.concat({1.5, {}, 3}) end, function() table.concat(nil) end, function() table.concat({1, 2}, ",", 1, 3) end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: invalid value (table) at index 2 in table for 'concat'|user_script:1: invalid value (table) at index 2 in table for 'concat'|user_script:1: bad argument #1 to 'concat' (table expected, got nil)|user_script:1: invalid value (nil) at index 3 in table for 'concat'",
    ],
    [
      "string.gfind is string.gmatch",
      String.raw`local r = {} for w in string.gfind("one two three", "%a+") do r[#r + 1] = w end return table.concat(r, ",")`,
      "OK:one,two,three",
    ],
    [
      "string.format formats numbers as Lua 5.1 does",
      String.raw`return string.format("%d|%5.2f|%s|%q|%x|%c|%i|%o|%X|%s|%s|%5s|%-5d|%%", 3.7, 1/3, 10/2, 5.0, 255.9, 65.2, -3.9, 8.5, 255, 1e15, 123, 1.5, 42) .. string.format("%d", 2^31) .. " " .. string.format("%d", -2^31) .. " " .. string.format("%5.1s|", "abc") .. string.format("%.3s", 1/3) .. string.format("%5.1s|%-3s|%s|%d%%", 1.25, 7, 2^53, 3)`,
      "OK:3| 0.33|5|\"5\"|ff|A|-3|10|FF|1e+15|123|  1.5|42   |%2147483648 -2147483648     a|0.3    1|7  |9.007199254741e+15|3%",
    ],
    [
      "string.format quotes and copies strings as Lua 5.1 does",
      String.raw`return hex(string.format("%q", "a\r\0\1\n\"\\z")) .. " " .. hex(string.format("[%s]", "a\0b") .. string.format("[%5q]", "x") .. string.format("[%.3s]", "ab\0cd")) .. " " .. string.format("%s %s %s", 1, 2.5, "x") .. string.format("%q", 1/3) .. string.format("%q", 7) .. #string.format("%s", string.rep("x", 120) .. "\0y")`,
      "OK:22615c725c303030015c0a5c225c5c7a22 5b615d5b2278225d5b61625d 1 2.5 x\"0.33333333333333\"\"7\"122",
    ],
    [
      "string.format reports errors as Lua 5.1 does",
      String.raw`local t = {} for _, f in ipairs({function() string.format("%d", "x") end, function() string.format("%d") end, function() string.format("%s") end, function() string.format("%y", 1) end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #2 to 'format' (number expected, got string)|user_script:1: bad argument #2 to 'format' (no value)|user_script:1: bad argument #2 to 'format' (no value)|user_script:1: invalid option '%y' to 'format'",
    ],
    [
      "string.format names itself as called",
      String.raw`local x = string.format("%d", "x") return x`,
      "ERR:user_script:1: bad argument #2 to 'format' (number expected, got string)",
    ],
    [
      "string functions truncate fractional arguments",
      String.raw`return ("hello"):sub(2.5) .. " " .. string.sub("hello", 1, 3.9) .. " " .. string.rep("ab", 2.7) .. " " .. string.byte("abc", 1.5) .. " " .. table.concat({string.byte("abc", 1, 2.2)}, ",") .. " " .. ("x"):rep(3)`,
      "OK:ello hel abab 97 97,98 xxx",
    ],
    [
      "string functions report errors as Lua 5.1 does",
      String.raw`local t = {} for _, f in ipairs({function() string.sub() end, function() ("x"):rep() end, function() string.byte() end, function() ("abc"):sub({}) end}) do local ok, e = pcall(f) t[#t + 1] = e end return table.concat(t, "|")`,
      "OK:user_script:1: bad argument #1 to 'sub' (string expected, got no value)|user_script:1: bad argument #1 to 'rep' (number expected, got no value)|user_script:1: bad argument #1 to 'byte' (string expected, got no value)|user_script:1: bad argument #1 to 'sub' (number expected, got table)",
    ],
    [
      "method calls name the bad self",
      String.raw`local x = ("x"):rep() return x`,
      "ERR:user_script:1: bad argument #1 to 'rep' (number expected, got no value)",
    ],
    [
      "_VERSION and gcinfo",
      String.raw`return _VERSION .. " " .. type(gcinfo()) .. " " .. tostring(gcinfo() > 0) .. " " .. tostring(gcinfo() == math.floor(gcinfo()))`,
      "OK:Lua 5.1 number true true",
    ],
    [
      "pairs visits small tables in Lua 5.1 order",
      String.raw`local function keys(t) local r = {} for k, v in pairs(t) do r[#r + 1] = k .. "=" .. v end return table.concat(r, ",") end return keys({x = 1, y = 2, z = 3}) .. " " .. keys({10, 20, 30, a = 1}) .. " " .. keys({x = 1, y = 2})`,
      "OK:y=2,x=1,z=3 1=10,2=20,3=30,a=1 y=2,x=1",
    ],
    [
      "pairs allows clearing fields while traversing",
      String.raw`local r = {} local t = {a = 1, b = 2, c = 3, d = 4} for k, v in pairs(t) do t[k] = nil r[#r + 1] = k end return #r .. tostring(next(t))`,
      "OK:4nil",
    ],
    [
      "pairs wants a table",
      String.raw`local x = pairs(nil) return x`,
      "ERR:user_script:1: bad argument #1 to 'pairs' (table expected, got nil)",
    ],
  ],
};

describe('Lua libraries as Redis 7.0 runs them', () => {
  let lua: LuaEngine;
  before(async () => {
    lua = await createLua({ compatFirst: true, hostNull: true });
  });
  after(() => lua.global.close());

  for (const [group, cases] of Object.entries(CASES)) {
    describe(group, () => {
      for (const [name, body, redisResult] of cases) {
        test(name, () => assert.equal(runScript(lua, body), redisResult));
      }
    });
  }
});

describe('Lua libraries loaded before compat.lua', () => {
  let lua: LuaEngine;
  before(async () => {
    lua = await createLua({ compatFirst: false, hostNull: true });
  });
  after(() => lua.global.close());

  for (const group of LIBRARIES) {
    test(`${group} behaves the same`, () => {
      for (const [name, body, redisResult] of CASES[group]) assert.equal(runScript(lua, body), redisResult, name);
    });
  }
});

describe('Lua support for the scripting engine', () => {
  let lua: LuaEngine;
  before(async () => {
    lua = await createLua({ compatFirst: true, hostNull: true });
  });
  after(() => lua.global.close());

  test('without a host null, cjson.null is a private sentinel that still round-trips', async () => {
    const bare = await createLua({ compatFirst: true, hostNull: false });
    try {
      assert.equal(
        runScript(bare, `return type(cjson.null) .. cjson.encode(cjson.decode('[null,1]')) .. tostring(cjson.decode('null') == cjson.null)`),
        'OK:table[null,1]true',
      );
    } finally {
      bare.global.close();
    }
  });

  test('library functions are marked so error handlers can skip their frames', () => {
    assert.equal(
      runScript(
        lua,
        `local function source(f) return debug.getinfo(f, 'S').source end
         local marked = {}
         for _, f in ipairs({cjson.encode, cmsgpack.unpack, struct.pack, bit.band, unpack, string.format}) do marked[#marked + 1] = tostring(__lua51.isLibrarySource(source(f))) end
         return table.concat(marked, ',') .. ' ' .. tostring(__lua51.isLibrarySource(source(1)))`,
      ),
      'OK:true,true,true,true,true,true false',
    );
  });

  test('lua51.load compiles text only and words syntax errors as Lua 5.1', () => {
    assert.equal(
      runScript(
        lua,
        `local env = {x = 7}
         local f = __lua51.load('return x', '=chunk', env)
         local g, e = __lua51.load('x = ', '=chunk')
         local h, e2 = __lua51.load(string.dump(function() end), '=chunk')
         return f() .. ' ' .. tostring(g) .. ' ' .. e .. ' ' .. tostring(h) .. ' ' .. e2`,
      ),
      "OK:7 nil chunk:1: unexpected symbol near '<eof>' nil attempt to load a binary chunk (mode is 't')",
    );
  });

  test('key order is deterministic and large tables are still traversed completely', () => {
    assert.equal(
      runScript(
        lua,
        `local t = {} for i = 1, 200 do t['k' .. i] = i end
         local keys, count = __lua51.keys(t)
         local seen, total = {}, 0
         for i = 1, count do seen[keys[i]] = true total = total + 1 end
         local small = {} for i = 1, 20 do small['k' .. i] = i end
         return count .. ' ' .. total .. ' ' .. tostring(seen.k1 and seen.k200) .. ' ' .. tostring(cjson.encode(small) == cjson.encode(small))`,
      ),
      'OK:200 200 true true',
    );
  });
});
