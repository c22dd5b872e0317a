-- LuaBitOp 1.0 ("bit") as Redis 7.0 ships it, for a Lua 5.4 VM.
-- Operands are Lua 5.1 numbers (doubles) reduced to 32 bits the way LuaBitOp
-- does it; results are signed 32-bit integers.
-- The chunk's argument is the lua51 support table (lua51.lua).

local lua51 = ...
lua51.registerLibrary()
local string, math = lua51.builtin.string, lua51.builtin.math

local math_type, tointeger = math.type, math.tointeger
local select = select
local spack, sunpack, format, sub = string.pack, string.unpack, string.format, string.sub
local checkNumber = lua51.checkNumber

-- LuaBitOp adds 2^52+2^51 so the low 32 mantissa bits hold the operand
-- rounded to nearest-even modulo 2^32.
local MAGIC = 6755399441055744.0
local TWO51 = 1 << 51
local MANTISSA_LOW, MANTISSA_HIGH = 1 << 52, 1 << 53

-- Converts argument `index` of function `fname` to an unsigned 32-bit integer.
local function barg(fname, index, count, value)
  local n = checkNumber(fname, index, count, value)
  if math_type(n) == "integer" and n > -TWO51 and n < TWO51 then
    return n & 0xffffffff
  end
  local biased = n + MAGIC
  local exact = tointeger(biased)
  if exact and exact >= MANTISSA_LOW and exact < MANTISSA_HIGH then
    return exact & 0xffffffff
  end
  -- Outside [2^52, 2^53) the mantissa is not the integer value itself.
  return sunpack("<I4", spack("<d", biased))
end

local function signed(b)
  return ((b & 0xffffffff) ~ 0x80000000) - 0x80000000
end

local function tobit(...)
  return signed(barg("tobit", 1, select("#", ...), (...)))
end

local function bnot(...)
  return signed(~barg("bnot", 1, select("#", ...), (...)))
end

local function band(...)
  local count = select("#", ...)
  local b = barg("band", 1, count, (...))
  for i = count, 2, -1 do b = b & barg("band", i, count, (select(i, ...))) end
  return signed(b)
end

local function bor(...)
  local count = select("#", ...)
  local b = barg("bor", 1, count, (...))
  for i = count, 2, -1 do b = b | barg("bor", i, count, (select(i, ...))) end
  return signed(b)
end

local function bxor(...)
  local count = select("#", ...)
  local b = barg("bxor", 1, count, (...))
  for i = count, 2, -1 do b = b ~ barg("bxor", i, count, (select(i, ...))) end
  return signed(b)
end

-- Returns the 32-bit operand and the shift count (mod 32) of a shift call.
local function shiftArgs(fname, ...)
  local count = select("#", ...)
  local value, amount = ...
  return barg(fname, 1, count, value), barg(fname, 2, count, amount) & 31
end

local function lshift(...)
  local b, n = shiftArgs("lshift", ...)
  return signed(b << n)
end

local function rshift(...)
  local b, n = shiftArgs("rshift", ...)
  return signed(b >> n)
end

local function arshift(...)
  local b, n = shiftArgs("arshift", ...)
  return signed(b) // (1 << n)
end

local function rol(...)
  local b, n = shiftArgs("rol", ...)
  return signed(b << n | b >> (32 - n))
end

local function ror(...)
  local b, n = shiftArgs("ror", ...)
  return signed(b >> n | b << (32 - n))
end

local function bswap(...)
  local b = barg("bswap", 1, select("#", ...), (...))
  return signed((b >> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24))
end

local function tohex(...)
  local count = select("#", ...)
  local value, digits = ...
  local b = barg("tohex", 1, count, value)
  local n = 8
  if count >= 2 then n = signed(barg("tohex", 2, count, digits)) end
  local pattern = "%08x"
  if n < 0 then n, pattern = -n, "%08X" end
  if n > 8 then n = 8 end
  return sub(format(pattern, b), 9 - n)
end

return {
  tobit = tobit,
  bnot = bnot,
  band = band,
  bor = bor,
  bxor = bxor,
  lshift = lshift,
  rshift = rshift,
  arshift = arshift,
  rol = rol,
  ror = ror,
  bswap = bswap,
  tohex = tohex,
}
