-- Support shared by the Redis Lua libraries (cjson, cmsgpack, struct, bit)
-- and compat.lua: the Lua 5.1 behaviours they need to reproduce on Lua 5.4.
-- The chunk's first argument is the value to use as JSON null: Redis uses a
-- NULL lightuserdata, which only the host can create.

local null = ...

local byte, format, gsub, spack, sunpack = string.byte, string.format, string.gsub, string.pack, string.unpack
local math_type, tointeger, mininteger = math.type, math.tointeger, math.mininteger
local next, rawget, type, tonumber, error, setmetatable, load = next, rawget, type, tonumber, error, setmetatable, load
local getinfo = debug and debug.getinfo

if null == nil then
  null = setmetatable({}, { __metatable = false })
end

local lua51 = { null = null }

local function copy(library)
  local functions = {}
  for name, value in next, library do functions[name] = value end
  return functions
end

-- The standard library as loaded, before compat.lua replaces functions for
-- scripts: the other chunks use these whatever order they are loaded in.
lua51.builtin = {
  string = copy(string), table = copy(table), math = copy(math),
  tonumber = tonumber, tostring = tostring, pairs = pairs, load = load,
}

---------------------------------------------------------------- numbers

-- Lua 5.1 numbers are doubles printed with %.14g. Integral values below 1e14
-- are returned as integers so that Lua 5.4's own number-to-string conversion
-- (used by `..`) prints them as 5.1 does; everything else is a float, which
-- 5.4 prints with %.14g too once the value needs an exponent or a fraction.
function lua51.number(v)
  local i = tointeger(v)
  if i and i > -1e14 and i < 1e14 and (i ~= 0 or 1 / v > 0) then return i end
  return v * 1.0
end

-- lua_tostring of a number in Lua 5.1.
function lua51.numberToString(v)
  return format("%.14g", v)
end

-- C's (long) cast of a double, as Lua 5.1's luaL_checkint/checkinteger do it;
-- out-of-range values give the x86-64 "integer indefinite" result.
function lua51.truncate(n)
  if math_type(n) == "integer" then return n end
  return tointeger(n >= 0 and n // 1 or -(-n // 1)) or mininteger
end

---------------------------------------------------------------- errors

-- Sources of the chunks whose frames error locations skip.
local librarySources = {}

-- Marks the calling chunk as library code: errors it raises are located at
-- the script line that called into it, as luaL_error does for C libraries.
function lua51.registerLibrary()
  if getinfo then librarySources[getinfo(2, "S").source] = true end
end
lua51.registerLibrary()

function lua51.isLibrarySource(source)
  return librarySources[source] == true
end

-- Level, counted from the function calling this one, of the outermost
-- library frame: the library function the script called.
local function entryLevel()
  local level = 2
  while true do
    local info = getinfo(level + 1, "S")
    if not info or not librarySources[info.source] then return level - 1 end
    level = level + 1
  end
end

-- A script's tail call into the library erased its frame, and with it the
-- line to report: the error then carries no location. (Library functions
-- make no tail calls to library code that may raise, so a tail-called entry
-- frame means the script's.)
function lua51.raise(message)
  if not getinfo then error(message, 0) end
  local level = entryLevel()
  if getinfo(level, "t").istailcall then error(message, 0) end
  error(message, level + 1)
end
local raise = lua51.raise

-- luaL_argerror: the function is named as the script called it ("?" when
-- called from C, e.g. through pcall); `fname` stands in when a tail call
-- erased that information.
function lua51.argError(index, fname, message)
  if getinfo then
    local entry = getinfo(entryLevel(), "nt")
    if entry.namewhat == "method" then
      index = index - 1
      if index == 0 then
        raise(format("calling '%s' on bad self (%s)", entry.name, message))
      end
    end
    fname = entry.name or (entry.istailcall and fname) or "?"
  end
  raise(format("bad argument #%d to '%s' (%s)", index, fname, message))
end
local argError = lua51.argError

-- luaL_typename: "no value" for an argument past the last one passed.
local function typeName(index, count, value)
  if index > count then return "no value" end
  return type(value)
end

function lua51.typeError(index, count, value, fname, expected)
  argError(index, fname, expected .. " expected, got " .. typeName(index, count, value))
end
local typeError = lua51.typeError

-- luaL_checklstring: numbers are accepted and converted the 5.1 way.
function lua51.checkString(fname, index, count, value)
  local t = type(value)
  if t == "string" then return value end
  if t == "number" then return format("%.14g", value) end
  typeError(index, count, value, fname, "string")
end

-- luaL_checknumber: numeric strings are accepted.
function lua51.checkNumber(fname, index, count, value)
  local n = tonumber(value)
  if n == nil then
    typeError(index, count, value, fname, "number")
  end
  return n
end

function lua51.checkInteger(fname, index, count, value)
  return lua51.truncate(lua51.checkNumber(fname, index, count, value))
end

---------------------------------------------------------------- chunks

-- Compiles Lua source text (never precompiled chunks, which Redis refuses),
-- wording syntax errors as 5.1 does where 5.4 differs. Without `env` the
-- chunk gets the global environment current at the time of the call.
function lua51.load(source, chunkname, env)
  local chunk, message
  if env == nil then
    chunk, message = load(source, chunkname, "t")
  else
    chunk, message = load(source, chunkname, "t", env)
  end
  if chunk then return chunk end
  return nil, (gsub(message, " near <eof>$", " near '<eof>'"))
end

---------------------------------------------------------------- traversal order

-- Lua 5.1's `next` visits the array part, then the hash nodes in node order;
-- JSON objects, msgpack maps and pairs() loops follow it in Redis. keys()
-- rebuilds that layout for the table's keys: the array part sized by 5.1's
-- rule, the hash part sized for the remaining keys and filled in sorted key
-- order. The real insertion history is unknown, so keys that collide in 5.1
-- may come out in another order than in Redis; without collisions the order
-- is exact. Larger tables (where collisions are the rule) keep 5.4's order.

local MAX_ARRAY_BITS = 26
local MAX_EMULATED_KEYS = 64
local MAX_CACHED_HASHES = 4096
local MAX_CACHED_KEY_LENGTH = 64

local function ceilLog2(x)
  local log, power = 0, 1
  while power < x do
    power = power << 1
    log = log + 1
  end
  return log
end

-- Hashes of recently seen string keys; dropped wholesale when full.
local hashCache, cachedHashes = {}, 0

-- Lua 5.1's string hash as Redis builds it (every byte is hashed).
local function stringHash(s)
  local h = hashCache[s]
  if h then return h end
  local length = #s
  h = length
  for i = length, 1, -1 do
    h = (h ~ ((h << 5) + (h >> 2) + byte(s, i))) & 0xffffffff
  end
  if length <= MAX_CACHED_KEY_LENGTH then
    if cachedHashes == MAX_CACHED_HASHES then hashCache, cachedHashes = {}, 0 end
    hashCache[s] = h
    cachedHashes = cachedHashes + 1
  end
  return h
end

-- The node a key hashes to in a 5.1 hash part of `size` nodes.
local function mainPosition(key, size)
  local t = type(key)
  if t == "string" then
    return stringHash(key) & (size - 1)
  elseif t == "number" then
    if key == 0 then return 0 end
    local low, high = sunpack("<I4I4", spack("<d", key))
    return ((low + high) & 0xffffffff) % ((size - 1) | 1)
  end
  return (key and 1 or 0) & (size - 1) -- boolean
end

-- Size of the array part 5.1's computesizes picks for these integer keys.
local function arrayPartSize(keysPerSlice, candidates)
  local below, size, power = 0, 0, 1
  for slice = 0, MAX_ARRAY_BITS do
    if power // 2 >= candidates then break end
    local inSlice = keysPerSlice[slice]
    if inSlice > 0 then
      below = below + inSlice
      if below > power // 2 then size = power end
    end
    if below == candidates then break end
    power = power * 2
  end
  return size
end

local HASHABLE_RANK = { number = 1, string = 2, boolean = 3 }

local function precedes(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return HASHABLE_RANK[ta] < HASHABLE_RANK[tb] end
  if ta == "boolean" then return b and not a end
  return a < b
end

-- Scratch space of keys(), which runs no foreign code and so is never re-entered.
local allKeys, hashKeys, nodeKeys, nodeMains, keysPerSlice = {}, {}, {}, {}, {}

-- Places the first `count` hashKeys, in sorted order, in the nodeKeys of a
-- 5.1 hash part of `size` nodes as luaH_newkey does.
local function placeHashKeys(count, size)
  for i = 2, count do -- insertion sort: at most MAX_EMULATED_KEYS keys
    local k, j = hashKeys[i], i - 1
    while j > 0 and precedes(k, hashKeys[j]) do
      hashKeys[j + 1] = hashKeys[j]
      j = j - 1
    end
    hashKeys[j + 1] = k
  end
  local lastFree = size
  for i = 1, count do
    local k = hashKeys[i]
    hashKeys[i] = nil
    local main = mainPosition(k, size)
    if nodeKeys[main] == nil then
      nodeKeys[main], nodeMains[main] = k, main
    else
      repeat lastFree = lastFree - 1 until nodeKeys[lastFree] == nil
      if nodeMains[main] ~= main then
        -- The occupant is out of its main position: it moves, the new key takes its place.
        nodeKeys[lastFree], nodeMains[lastFree] = nodeKeys[main], nodeMains[main]
        nodeKeys[main], nodeMains[main] = k, main
      else
        nodeKeys[lastFree], nodeMains[lastFree] = k, main
      end
    end
  end
end

-- Returns the keys of t in (emulated) Lua 5.1 `next` order, and their count.
function lua51.keys(t)
  local ordered, total, candidates, largest = {}, 0, 0, 0
  for k in next, t do
    total = total + 1
    allKeys[total] = k
    if math_type(k) == "integer" and k > 0 and k <= 1 << MAX_ARRAY_BITS then
      candidates = candidates + 1
      if k > largest then largest = k end
    end
  end
  if candidates == total and largest == total then -- a sequence: all in the array part
    for i = 1, total do
      ordered[i] = i
      allKeys[i] = nil
    end
    return ordered, total
  end
  local arraySize = 0
  if candidates > 0 then
    for slice = 0, MAX_ARRAY_BITS do keysPerSlice[slice] = 0 end
    for i = 1, total do
      local k = allKeys[i]
      if math_type(k) == "integer" and k > 0 and k <= 1 << MAX_ARRAY_BITS then
        local slice = ceilLog2(k)
        keysPerSlice[slice] = keysPerSlice[slice] + 1
      end
    end
    arraySize = arrayPartSize(keysPerSlice, candidates)
  end

  local count = 0
  for i = 1, arraySize do
    if rawget(t, i) ~= nil then
      count = count + 1
      ordered[count] = i
    end
  end
  if total - count > MAX_EMULATED_KEYS then
    for i = 1, total do
      ordered[i] = allKeys[i]
      allKeys[i] = nil
    end
    return ordered, total
  end

  -- Keys 5.1 hashes by address have no layout to rebuild: they go last.
  local hashed, byAddress = 0, total
  for i = 1, total do
    local k = allKeys[i]
    allKeys[i] = nil
    if math_type(k) ~= "integer" or k < 1 or k > arraySize then
      if HASHABLE_RANK[type(k)] then
        hashed = hashed + 1
        hashKeys[hashed] = k
      else
        ordered[byAddress] = k
        byAddress = byAddress - 1
      end
    end
  end
  if hashed > 0 then
    local size = 1 << ceilLog2(total - count)
    placeHashKeys(hashed, size)
    for node = 0, size - 1 do
      local k = nodeKeys[node]
      if k ~= nil then
        count = count + 1
        ordered[count] = k
        nodeKeys[node] = nil
      end
    end
  end
  return ordered, total
end

return lua51
