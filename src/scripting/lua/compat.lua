-- Lua 5.1 behaviour that Redis scripts rely on and a Lua 5.4 VM lacks or
-- changed: the globals and library functions 5.4 dropped, 5.1 number
-- formatting where library functions turn numbers into text, and truncation
-- of fractional arguments where 5.4 insists on integers.
-- The chunk's arguments are the global table to install into and the lua51
-- support table (lua51.lua).
--
-- Out of reach from Lua: the VM's own number-to-string conversion, used by
-- `..` and error messages, prints integral floats as "5.0" where 5.1 prints
-- "5" (library results stay integers where 5.1 would print them as such, see
-- lua51.number). pairs follows 5.1's traversal order (lua51.keys); `next`
-- keeps 5.4's.

local G, lua51 = ...
lua51.registerLibrary()

local builtin = lua51.builtin
local string, table, math = builtin.string, builtin.table, builtin.math
local format, gsub, find, match, sub, byte, rep, gmatch =
  string.format, string.gsub, string.find, string.match, string.sub, string.byte,
  string.rep, string.gmatch
local spack, sunpack = string.pack, string.unpack
local concat, tunpack = table.concat, table.unpack
local math_type, fmod, log, exp, abs, atan, floor, huge =
  math.type, math.fmod, math.log, math.exp, math.abs, math.atan, math.floor, math.huge
local tostring, tonumber, pairs = builtin.tostring, builtin.tonumber, builtin.pairs
local type, select, next, rawget, rawlen, pcall, collectgarbage =
  G.type, G.select, G.next, G.rawget, G.rawlen, G.pcall, G.collectgarbage
local rawgetmetatable = G.debug.getmetatable
local numberToString, number51, truncate, orderedKeys =
  lua51.numberToString, lua51.number, lua51.truncate, lua51.keys
local raise, argError, typeError, compile = lua51.raise, lua51.argError, lua51.typeError, lua51.load
local checkString, checkNumber, checkInteger = lua51.checkString, lua51.checkNumber, lua51.checkInteger

-- Lua 5.1's LUAI_MAXCSTACK: how many values a C function may push.
local MAX_STACK_SLOTS = 8000

---------------------------------------------------------------- delegation

local function finish(fname, ok, ...)
  if ok then return ... end
  local message = ...
  if type(message) == "string" then
    local index, reason = match(message, "^bad argument #(%d+) to '[^']*' %((.*)%)$")
    -- Called from pcall, the function lost the name the script called it by.
    if index then argError(tonumber(index), fname, reason) end
    message = gsub(message, "^invalid conversion '%%.-(.)' to 'format'", "invalid option '%%%1' to 'format'")
  end
  raise(message)
end

-- Calls the 5.4 library function `f` (named `fname`) so that its errors are
-- located at the script line and name the function as the script called it.
local function call(fname, f, ...)
  return finish(fname, pcall(f, ...))
end

---------------------------------------------------------------- base library

local function tostring51(...)
  local v = ...
  if type(v) == "number" then return numberToString(v) end
  return (call("tostring", tostring, ...))
end

local function tonumber51(...)
  local n = call("tonumber", tonumber, ...)
  if n == nil then return nil end
  return number51(n)
end

local function unpack51(...)
  local count = select("#", ...)
  local t, i, j = ...
  if type(t) ~= "table" then typeError(1, count, t, "unpack", "table") end
  i = i == nil and 1 or checkInteger("unpack", 2, count, i)
  j = j == nil and rawlen(t) or checkInteger("unpack", 3, count, j)
  if i > j then return end
  local n = j - i + 1
  if n <= 0 or n + count > MAX_STACK_SLOTS then raise("too many results to unpack") end
  if rawgetmetatable(t) == nil then return tunpack(t, i, j) end
  -- Lua 5.1 reads the elements raw; table.unpack would run __index.
  local values = {}
  for k = i, j do values[k - i + 1] = rawget(t, k) end
  return tunpack(values, 1, n)
end

local function loadstring51(...)
  local count = select("#", ...)
  local source, chunkname = ...
  source = checkString("loadstring", 1, count, source)
  if chunkname == nil then chunkname = source else chunkname = checkString("loadstring", 2, count, chunkname) end
  return compile(source, chunkname)
end

-- Lua 5.1's load only takes a reader function.
local function load51(...)
  local count = select("#", ...)
  local reader, chunkname = ...
  if type(reader) ~= "function" then typeError(1, count, reader, "load", "function") end
  if chunkname == nil then chunkname = "=(load)" else chunkname = checkString("load", 2, count, chunkname) end
  return compile(reader, chunkname)
end

local function gcinfo51()
  return floor(collectgarbage("count"))
end

-- pairs in Lua 5.1's traversal order, so replies built from it come out in
-- the order Redis gives (see lua51.keys).
local function pairs51(...)
  local t = ...
  if type(t) ~= "table" then typeError(1, select("#", ...), t, "pairs", "table") end
  local metatable = rawgetmetatable(t)
  if metatable and metatable.__pairs then
    local iterator, state, control = call("pairs", pairs, t)
    return iterator, state, control
  end
  local keys, count = orderedKeys(t)
  local i = 0
  return function()
    while i < count do
      i = i + 1
      local k = keys[i]
      local v = rawget(t, k)
      if v ~= nil then return k, v end
    end
  end, t, nil
end

---------------------------------------------------------------- math

-- Math results follow the 5.1 number model (lua51.number) so that `..`
-- prints them as Redis does: "4", not "4.0".
local function normalized(a, b)
  if b == nil then return number51(a) end
  return number51(a), number51(b)
end

local function mathFunction(fname, f)
  return function(...)
    return normalized(call(fname, f, ...))
  end
end

-- Lua 5.1 computes fmod on doubles: a zero divisor gives nan, not an error.
local function fmod51(...)
  local count = select("#", ...)
  local a, b = ...
  return number51(fmod(checkNumber("fmod", 1, count, a) * 1.0, checkNumber("fmod", 2, count, b) * 1.0))
end

local function pow51(...)
  local count = select("#", ...)
  local x, y = ...
  return number51(checkNumber("pow", 1, count, x) ^ checkNumber("pow", 2, count, y))
end

local function log1051(...)
  return number51(log(checkNumber("log10", 1, select("#", ...), (...)), 10))
end

local function atan251(...)
  local count = select("#", ...)
  local y, x = ...
  return number51(atan(checkNumber("atan2", 1, count, y), checkNumber("atan2", 2, count, x)))
end

local function ldexp51(...)
  local count = select("#", ...)
  local m, e = ...
  m = checkNumber("ldexp", 1, count, m) * 1.0
  e = checkInteger("ldexp", 2, count, e)
  -- Two steps keep 2^e finite where m * 2^e still is.
  local half = e // 2
  return number51(m * 2.0 ^ half * 2.0 ^ (e - half))
end

-- Splits x into m * 2^e with 0.5 <= |m| < 1, from its IEEE-754 fields.
local function frexp51(...)
  local x = checkNumber("frexp", 1, select("#", ...), (...)) * 1.0
  if x == 0 or x ~= x or x == huge or x == -huge then return number51(x), 0 end
  local bits = sunpack("<i8", spack("<d", x))
  local exponent = (bits >> 52) & 0x7ff
  local shift = 0
  if exponent == 0 then -- subnormal: scale into the normal range first
    bits = sunpack("<i8", spack("<d", x * 2.0 ^ 54))
    exponent, shift = (bits >> 52) & 0x7ff, 54
  end
  local mantissa = sunpack("<d", spack("<i8", (bits & ~(0x7ff << 52)) | (1022 << 52)))
  return mantissa, exponent - 1022 - shift
end

local function sinh51(...)
  local x = checkNumber("sinh", 1, select("#", ...), (...)) * 1.0
  if abs(x) < 1e-5 then return number51(x + x * x * x / 6) end
  return number51((exp(x) - exp(-x)) / 2)
end

local function cosh51(...)
  local x = checkNumber("cosh", 1, select("#", ...), (...)) * 1.0
  return number51((exp(x) + exp(-x)) / 2)
end

local function tanh51(...)
  local x = checkNumber("tanh", 1, select("#", ...), (...)) * 1.0
  if abs(x) < 1e-5 then return number51(x - x * x * x / 3) end
  if x > 20 then return 1 elseif x < -20 then return -1 end
  local e2 = exp(2 * x)
  return number51((e2 - 1) / (e2 + 1))
end

---------------------------------------------------------------- table

local function checkTable(fname, count, t)
  if type(t) ~= "table" then typeError(1, count, t, fname, "table") end
end

local function getn51(...)
  local t = ...
  checkTable("getn", select("#", ...), t)
  return rawlen(t)
end

local function setn51(...)
  checkTable("setn", select("#", ...), (...))
  raise("'setn' is obsolete")
end

local function maxn51(...)
  local t = ...
  checkTable("maxn", select("#", ...), t)
  local max = 0
  for k in next, t do
    if type(k) == "number" and k > max then max = k end
  end
  return max
end

local function foreach51(...)
  local count = select("#", ...)
  local t, f = ...
  checkTable("foreach", count, t)
  if type(f) ~= "function" then typeError(2, count, f, "foreach", "function") end
  local keys, n = orderedKeys(t)
  for i = 1, n do
    local k = keys[i]
    local v = rawget(t, k)
    if v ~= nil then
      local result = f(k, v)
      if result ~= nil then return result end
    end
  end
end

local function foreachi51(...)
  local count = select("#", ...)
  local t, f = ...
  checkTable("foreachi", count, t)
  if type(f) ~= "function" then typeError(2, count, f, "foreachi", "function") end
  for i = 1, rawlen(t) do
    local result = f(i, rawget(t, i))
    if result ~= nil then return result end
  end
end

-- Numbers are joined in their 5.1 text form.
local function concat51(...)
  local t, separator, i, j = ...
  if type(t) ~= "table" then return (call("concat", concat, ...)) end
  if math_type(i) == "float" or math_type(j) == "float" then
    local count = select("#", ...)
    if i ~= nil then i = checkInteger("concat", 3, count, i) end
    if j ~= nil then j = checkInteger("concat", 4, count, j) end
    return concat51(t, separator, i, j)
  end
  local first, last = i or 1, j or rawlen(t)
  if math_type(first) ~= "integer" or math_type(last) ~= "integer" then return (call("concat", concat, ...)) end
  for k = first, last do
    local v = rawget(t, k)
    if v == nil then break end -- concat itself reports the invalid value
    if math_type(v) == "float" then
      local parts = {}
      for m = first, last do
        v = rawget(t, m)
        if type(v) == "number" then
          v = numberToString(v)
        elseif type(v) ~= "string" then
          return (call("concat", concat, ...))
        end
        parts[m - first + 1] = v
      end
      return (call("concat", concat, parts, separator, 1, last - first + 1))
    end
  end
  return (call("concat", concat, ...))
end

---------------------------------------------------------------- string

local INTEGER_CONVERSIONS = { d = true, i = true, o = true, u = true, x = true, X = true, c = true }
local QUOTED = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\\n", ["\r"] = "\\r", ["\0"] = "\\000" }

-- %q as Lua 5.1 writes it (5.4 escapes every control character).
local function quoted(s)
  return '"' .. gsub(s, '["\\\n\r\0]', QUOTED) .. '"'
end

-- Arguments and directives Lua 5.1 formats differently, rewritten so that
-- 5.4's format produces 5.1's text: numbers print as %.14g under %s and %q,
-- integer conversions truncate fractions, %q quotes the 5.1 way (ignoring
-- any width), and %s stops at a NUL as C's printf does unless Lua 5.1 copies
-- the string whole (100 bytes or more, no precision).
local function format51(...)
  local fmt = ...
  if type(fmt) ~= "string" then return (call("format", format, ...)) end
  local args, pieces, pieceCount = nil, nil, 0
  local argument, pos, copied = 1, 1, 1
  while true do
    local at = find(fmt, "%", pos, true)
    if not at then break end
    if byte(fmt, at + 1) == 37 then
      pos = at + 2
    else
      local spec, conversion, after = match(fmt, "^([-+ #0]*%d*%.?%d*)(.)()", at + 1)
      if not spec then break end
      argument = argument + 1
      local v = select(argument, ...)
      local replacement
      if conversion == "q" then
        if type(v) == "number" then v = numberToString(v) end
        if type(v) == "string" then
          replacement = quoted(v)
          pieces = pieces or {}
          pieces[pieceCount + 1] = sub(fmt, copied, at - 1)
          pieces[pieceCount + 2] = "%s"
          pieceCount = pieceCount + 2
          copied = after
        end
      elseif type(v) == "number" then
        if conversion == "s" then
          replacement = numberToString(v)
        elseif math_type(v) == "float" and INTEGER_CONVERSIONS[conversion] then
          replacement = truncate(v)
        end
      elseif conversion == "s" and type(v) == "string" then
        local nul = find(v, "\0", 1, true)
        if nul and (#v < 100 or find(spec, ".", 1, true)) then replacement = sub(v, 1, nul - 1) end
      end
      if replacement ~= nil then
        args = args or { ... }
        args[argument] = replacement
      end
      pos = after
    end
  end
  if not args then return (call("format", format, ...)) end
  if pieces then
    pieces[pieceCount + 1] = sub(fmt, copied)
    args[1] = concat(pieces)
  end
  return (call("format", format, tunpack(args, 1, select("#", ...))))
end

-- Lua 5.1 truncates fractional positions and counts instead of failing.
-- Well-formed calls go straight to the 5.4 function; the others are made
-- from this frame through call(), which reports them as Lua 5.1 does.

local function sub51(...)
  local s, i, j = ...
  if math_type(i) == "float" then i = truncate(i) end
  if math_type(j) == "float" then j = truncate(j) end
  if type(s) == "string" and math_type(i) == "integer" and (j == nil or math_type(j) == "integer") then
    return sub(s, i, j)
  end
  if select("#", ...) < 2 then return (call("sub", sub, ...)) end
  return (call("sub", sub, s, i, j))
end

local function byte51(...)
  local s, i, j = ...
  if math_type(i) == "float" then i = truncate(i) end
  if math_type(j) == "float" then j = truncate(j) end
  if type(s) == "string" and (i == nil or math_type(i) == "integer") and (j == nil or math_type(j) == "integer") then
    return byte(s, i, j)
  end
  if select("#", ...) < 2 then return tunpack({ call("byte", byte, ...) }) end
  return tunpack({ call("byte", byte, s, i, j) })
end

local function rep51(...)
  local s, n, separator = ...
  if math_type(n) == "float" then n = truncate(n) end
  if type(s) == "string" and math_type(n) == "integer" and separator == nil then return rep(s, n) end
  if select("#", ...) < 2 then return (call("rep", rep, ...)) end
  return (call("rep", rep, s, n, separator))
end

---------------------------------------------------------------- install

G._VERSION = "Lua 5.1"
G.tostring = tostring51
G.tonumber = tonumber51
G.unpack = unpack51
G.loadstring = loadstring51
G.load = load51
G.gcinfo = gcinfo51
G.pairs = pairs51

-- The Redis seeded math.random/randomseed are the host's to install.
local KEEP_AS_IS = { random = true, randomseed = true, type = true, tointeger = true, ult = true }
local scriptMath, scriptTable, scriptString = G.math, G.table, G.string
for name, f in next, math do
  if type(f) == "function" and not KEEP_AS_IS[name] then scriptMath[name] = mathFunction(name, f) end
end
scriptMath.fmod = fmod51
scriptMath.mod = fmod51
scriptMath.pow = pow51
scriptMath.log10 = log1051
scriptMath.atan2 = atan251
scriptMath.ldexp = ldexp51
scriptMath.frexp = frexp51
scriptMath.sinh = sinh51
scriptMath.cosh = cosh51
scriptMath.tanh = tanh51

scriptTable.getn = getn51
scriptTable.setn = setn51
scriptTable.maxn = maxn51
scriptTable.foreach = foreach51
scriptTable.foreachi = foreachi51
scriptTable.concat = concat51

scriptString.gfind = gmatch
scriptString.format = format51
scriptString.sub = sub51
scriptString.byte = byte51
scriptString.rep = rep51
