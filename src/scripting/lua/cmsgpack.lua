-- lua-cmsgpack 0.4.0 ("cmsgpack") as Redis 7.0 ships it, for a Lua 5.4 VM.
-- Lua 5.1 numbers are doubles, so integral floats pack as integers and
-- unpacked numbers follow the Lua 5.1 value model (lua51.number).
-- The chunk's argument is the lua51 support table (lua51.lua).

local lua51 = ...
lua51.registerLibrary()
local string, table, math = lua51.builtin.string, lua51.builtin.table, lua51.builtin.math

local byte, char, sub, spack, sunpack, format =
  string.byte, string.char, string.sub, string.pack, string.unpack, string.format
local concat, tunpack = table.concat, table.unpack
local math_type, tointeger = math.type, math.tointeger
local next, rawget, type, select, error = next, rawget, type, select, error
local number51, orderedKeys, raise, argError = lua51.number, lua51.keys, lua51.raise, lua51.argError
local checkString, checkInteger = lua51.checkString, lua51.checkInteger

-- Tables nested deeper than this pack as nil, which also stops cycles.
local MAX_NESTING = 16
-- Lua 5.1's C stack limit (LUAI_MAXCSTACK), which bounds what unpack can return.
local MAX_STACK_SLOTS = 8000

local FIXED_BYTES = {}
for b = 0, 255 do FIXED_BYTES[b] = char(b) end

---------------------------------------------------------------- packing

-- Output pieces of the pack call in progress.
local buffer, pieces = {}, 0

local function put(s)
  pieces = pieces + 1
  buffer[pieces] = s
end

local function packInteger(n)
  if n >= 0 then
    if n <= 127 then put(FIXED_BYTES[n])
    elseif n <= 0xff then put(spack(">BB", 0xcc, n))
    elseif n <= 0xffff then put(spack(">BI2", 0xcd, n))
    elseif n <= 0xffffffff then put(spack(">BI4", 0xce, n))
    else put(spack(">Bi8", 0xcf, n)) end
  else
    if n >= -32 then put(FIXED_BYTES[n & 0xff])
    elseif n >= -128 then put(spack(">Bi1", 0xd0, n))
    elseif n >= -32768 then put(spack(">Bi2", 0xd1, n))
    elseif n >= -2147483648 then put(spack(">Bi4", 0xd2, n))
    else put(spack(">Bi8", 0xd3, n)) end
  end
end

local function packFloat(d)
  local n = tointeger(d)
  if n then return packInteger(n) end
  local single = spack(">f", d)
  if sunpack(">f", single) == d then
    put("\xca")
    put(single)
  else
    put(spack(">Bd", 0xcb, d))
  end
end

local function packString(s)
  local length = #s
  if length < 32 then put(FIXED_BYTES[0xa0 | length])
  elseif length <= 0xff then put(spack(">BB", 0xd9, length))
  elseif length <= 0xffff then put(spack(">BI2", 0xda, length))
  else put(spack(">BI4", 0xdb, length)) end
  put(s)
end

local function collectionHeader(count, fix, header16, header32)
  if count <= 15 then return FIXED_BYTES[fix | count] end
  if count <= 0xffff then return spack(">BI2", header16, count) end
  return spack(">BI4", header32, count)
end

-- A table is an array when its keys are exactly 1..n (n counting its keys).
local function arrayLength(t)
  local count, max = 0, 0
  for k in next, t do
    if math_type(k) ~= "integer" or k <= 0 or k > 0x7fffffff then return nil end
    if k > max then max = k end
    count = count + 1
  end
  if max == count then return count end
end

local packValue

local function packTable(t, level)
  local length = arrayLength(t)
  if length then
    put(collectionHeader(length, 0x90, 0xdc, 0xdd))
    for i = 1, length do packValue(rawget(t, i), level + 1) end
    return
  end
  local keys, count = orderedKeys(t)
  put(collectionHeader(count, 0x80, 0xde, 0xdf))
  for i = 1, count do
    local k = keys[i]
    packValue(k, level + 1)
    packValue(rawget(t, k), level + 1)
  end
end

packValue = function(v, level)
  local t = type(v)
  if t == "string" then packString(v)
  elseif t == "number" then
    if math_type(v) == "integer" then packInteger(v) else packFloat(v) end
  elseif t == "boolean" then put(v and "\xc3" or "\xc2")
  elseif t == "table" and level < MAX_NESTING then packTable(v, level)
  else put("\xc0") end
end

local function pack(...)
  local count = select("#", ...)
  if count == 0 then argError(0, "pack", "MessagePack pack needs input.") end
  pieces = 0
  for i = 1, count do packValue((select(i, ...)), 0) end
  local packed = concat(buffer, "", 1, pieces)
  buffer = {}
  return packed
end

---------------------------------------------------------------- unpacking

-- State of the unpack call in progress: input, next byte position, the
-- error lua-cmsgpack would flag in its cursor, and Lua 5.1 stack slots in use.
local input, inputLength, cursor, cursorError, slots = "", 0, 1, nil, 0
local MISSING_BYTES, BAD_FORMAT = "Missing bytes in input.", "Bad data format in input."

local function checkSlots(message)
  if slots + 1 > MAX_STACK_SLOTS then raise("stack overflow (" .. message .. ")") end
end

-- Returns true when `count` more bytes are available at the cursor.
local function need(count)
  if inputLength - cursor + 1 < count then
    cursorError = MISSING_BYTES
    return false
  end
  return true
end

local function readString(headerLength, length)
  if not need(headerLength + length) then return end
  local from = cursor + headerLength
  cursor = from + length
  return sub(input, from, cursor - 1)
end

local unpackValue

local function unpackArray(length)
  local base = slots
  slots = base + 1
  checkSlots("in function mp_decode_to_lua_array")
  local array = {}
  slots = base + 2
  for i = 1, length do
    local v = unpackValue()
    if cursorError then break end
    array[i] = v
  end
  slots = base
  return array
end

local function unpackMap(length)
  local base = slots
  local map = {}
  for _ = 1, length do
    slots = base + 1
    local k = unpackValue()
    if cursorError then break end
    slots = base + 2
    local v = unpackValue()
    if cursorError then break end
    -- lua_settable's own errors, which carry no location.
    if k == nil then error("table index is nil", 0) end
    if k ~= k then error("table index is NaN", 0) end
    map[k] = v
  end
  slots = base
  return map
end

-- Reads a big-endian field of `format` after the type byte, or flags missing bytes.
local function readField(fieldFormat, size)
  if not need(1 + size) then return end
  local v = sunpack(fieldFormat, input, cursor + 1)
  cursor = cursor + 1 + size
  return v
end

unpackValue = function()
  if not need(1) then return end
  checkSlots("too many return values at once; use unpack_one or unpack_limit instead.")
  local b = byte(input, cursor)
  if b <= 0x7f then
    cursor = cursor + 1
    return b
  elseif b >= 0xe0 then
    cursor = cursor + 1
    return b - 0x100
  elseif b >= 0xa0 and b <= 0xbf then
    return readString(1, b & 0x1f)
  elseif b <= 0x8f then
    cursor = cursor + 1
    return unpackMap(b & 0x0f)
  elseif b <= 0x9f then
    cursor = cursor + 1
    return unpackArray(b & 0x0f)
  elseif b == 0xc0 then
    cursor = cursor + 1
    return nil
  elseif b == 0xc2 or b == 0xc3 then
    cursor = cursor + 1
    return b == 0xc3
  elseif b == 0xcc then return readField(">I1", 1)
  elseif b == 0xcd then return readField(">I2", 2)
  elseif b == 0xce then return readField(">I4", 4)
  -- Redis pushes uint64 through a signed lua_Integer, so it wraps like int64.
  elseif b == 0xcf or b == 0xd3 then
    local v = readField(">i8", 8)
    return v and number51(v)
  elseif b == 0xd0 then return readField(">i1", 1)
  elseif b == 0xd1 then return readField(">i2", 2)
  elseif b == 0xd2 then return readField(">i4", 4)
  elseif b == 0xca then
    local v = readField(">f", 4)
    return v and number51(v)
  elseif b == 0xcb then
    local v = readField(">d", 8)
    return v and number51(v)
  elseif b == 0xd9 then
    local length = readField(">I1", 1)
    return length and readString(0, length)
  elseif b == 0xda then
    local length = readField(">I2", 2)
    return length and readString(0, length)
  elseif b == 0xdb then
    local length = readField(">I4", 4)
    return length and readString(0, length)
  elseif b == 0xdc then
    local length = readField(">I2", 2)
    return length and unpackArray(length)
  elseif b == 0xdd then
    local length = readField(">I4", 4)
    return length and unpackArray(length)
  elseif b == 0xde then
    local length = readField(">I2", 2)
    return length and unpackMap(length)
  elseif b == 0xdf then
    local length = readField(">I4", 4)
    return length and unpackMap(length)
  end
  cursorError = BAD_FORMAT
end

local function optInteger(fname, index, count, value)
  if value == nil then return 0 end
  return checkInteger(fname, index, count, value)
end

-- Unpacks up to `limit` objects starting at the 0-based `offset` (limit and
-- offset both 0: everything). Returns them as a list, their count, and the
-- offset after them (-1 at the end of the input).
local function unpackFrom(packed, limit, offset)
  local length = #packed
  if offset < 0 or limit < 0 then
    raise(format("Invalid request to unpack with offset of %d and limit of %d.", offset, length))
  elseif offset > length then
    raise(format("Start offset %d greater than input length %d.", offset, length))
  end
  if limit == 0 and offset == 0 then limit = math.maxinteger end
  input, inputLength, cursor, cursorError, slots = packed, length, offset + 1, nil, 1
  local results, count = {}, 0
  while cursor <= inputLength and count < limit do
    local v = unpackValue()
    if cursorError then
      input = ""
      raise(cursorError)
    end
    count = count + 1
    results[count] = v
    slots = slots + 1
  end
  input = ""
  local nextOffset = cursor - 1
  if nextOffset == length then nextOffset = -1 end
  return results, count, nextOffset
end

-- The public functions make no tail calls into library code, so that errors
-- find the script's frame (see lua51.raise).

local function unpack(...)
  local results, count = unpackFrom(checkString("unpack", 1, select("#", ...), (...)), 0, 0)
  return tunpack(results, 1, count)
end

local function unpack_one(...)
  local count = select("#", ...)
  local packed, offset = ...
  offset = optInteger("unpack_one", 2, count, offset)
  local results, resultCount, nextOffset = unpackFrom(checkString("unpack_one", 1, count, packed), 1, offset)
  return nextOffset, tunpack(results, 1, resultCount)
end

-- The next offset comes first, unless limit and offset are both 0.
local function unpack_limit(...)
  local count = select("#", ...)
  local packed, limit, offset = ...
  limit = checkInteger("unpack_limit", 2, count, limit)
  offset = optInteger("unpack_limit", 3, count, offset)
  local results, resultCount, nextOffset = unpackFrom(checkString("unpack_limit", 1, count, packed), limit, offset)
  if limit == 0 and offset == 0 then return tunpack(results, 1, resultCount) end
  checkSlots("in function mp_unpack_full")
  return nextOffset, tunpack(results, 1, resultCount)
end

return {
  pack = pack,
  unpack = unpack,
  unpack_one = unpack_one,
  unpack_limit = unpack_limit,
  _NAME = "cmsgpack",
  _VERSION = "lua-cmsgpack 0.4.0",
  _COPYRIGHT = "Copyright (C) 2012, Salvatore Sanfilippo",
  _DESCRIPTION = "MessagePack C implementation for Lua",
}
