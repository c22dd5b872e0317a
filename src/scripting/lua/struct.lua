-- Roberto Ierusalimschy's struct library as Redis 7.0 ships it, for a Lua 5.4
-- VM, with the sizes of Redis's x86-64 build: native order little endian,
-- short 2, int 4, long and size_t 8, default maximum alignment 8.
-- The chunk's argument is the lua51 support table (lua51.lua).
--
-- Format: > < big/little endian, ![n] alignment, x padding byte,
-- b/B h/H l/L T i[n]/I[n] signed/unsigned integers, f d floats,
-- c[n] fixed string (c0: whole string / previous number), s zero-terminated
-- string, ' ' ignored.

local lua51 = ...
lua51.registerLibrary()
local string, table, math = lua51.builtin.string, lua51.builtin.table, lua51.builtin.math

local byte, char, sub, find, rep, format, spack, sunpack =
  string.byte, string.char, string.sub, string.find, string.rep,
  string.format, string.pack, string.unpack
local concat, tunpack = table.concat, table.unpack
local math_type, tointeger = math.type, math.tointeger
local select = select
local tonumber = lua51.builtin.tonumber
local number51, truncate, raise, argError = lua51.number, lua51.truncate, lua51.raise, lua51.argError
local checkString, checkNumber, checkInteger = lua51.checkString, lua51.checkNumber, lua51.checkInteger

local INT_MAX = 0x7fffffff
local MAX_INT_SIZE = 32
local MAX_ALIGN = 8
local TWO63, TWO64 = 2.0 ^ 63, 2.0 ^ 64

local FIXED_SIZES = {
  [98] = 1, [66] = 1, -- b B
  [104] = 2, [72] = 2, -- h H
  [108] = 8, [76] = 8, -- l L
  [84] = 8, -- T
  [102] = 4, [100] = 8, -- f d
  [120] = 1, -- x
}
local INTEGER_OPTIONS = { [98] = true, [66] = true, [104] = true, [72] = true, [108] = true,
  [76] = true, [84] = true, [105] = true, [73] = true }
local OPT_c, OPT_s, OPT_i, OPT_I, OPT_x, OPT_f, OPT_d = 99, 115, 105, 73, 120, 102, 100

-- Reads the decimal count at fmt[pos]; returns it (or `default`) and the next position.
local function readCount(fmt, pos, default)
  local d = byte(fmt, pos)
  if not d or d < 48 or d > 57 then return default, pos end
  local value = 0
  repeat
    d = d - 48
    if value > INT_MAX // 10 or value * 10 > INT_MAX - d then
      raise("integral size overflow")
    end
    value = value * 10 + d
    pos = pos + 1
    d = byte(fmt, pos)
  until not d or d < 48 or d > 57
  return value, pos
end

-- Size of option `opt` (whose count digits start at pos) and the next position.
local function optionSize(opt, fmt, pos)
  local size = FIXED_SIZES[opt]
  if size then return size, pos end
  if opt == OPT_c then return readCount(fmt, pos, 1) end
  if opt == OPT_i or opt == OPT_I then
    size, pos = readCount(fmt, pos, 4)
    if size > MAX_INT_SIZE then
      raise(format("integral size %d is larger than limit of %d", size, MAX_INT_SIZE))
    end
    return size, pos
  end
  return 0, pos
end

-- Padding needed before an element of `size` bytes at offset `offset`.
local function paddingFor(offset, align, opt, size)
  if size == 0 or opt == OPT_c then return 0 end
  if size > align then size = align end
  return (size - (offset & (size - 1))) & (size - 1)
end

-- Applies an endianness/alignment option; returns little, align, next position.
local function controlOption(fname, opt, fmt, pos, little, align)
  if opt == 32 then return little, align, pos end -- ' '
  if opt == 62 then return false, align, pos end -- '>'
  if opt == 60 then return true, align, pos end -- '<'
  if opt == 33 then -- '!'
    local a
    a, pos = readCount(fmt, pos, MAX_ALIGN)
    if a <= 0 or a & (a - 1) ~= 0 then raise(format("alignment %d is not a power of 2", a)) end
    return little, a, pos
  end
  argError(1, fname, format("invalid format option '%s'", char(opt)))
end

-- The format up to its first NUL, as the C library reads it.
local function formatString(fname, count, fmt)
  fmt = checkString(fname, 1, count, fmt)
  local nul = find(fmt, "\0", 1, true)
  if nul then fmt = sub(fmt, 1, nul - 1) end
  return fmt
end

-- The 64-bit pattern C's (unsigned long) conversion of a Lua 5.1 number gives on x86-64.
local function integerBits(n)
  if math_type(n) == "integer" then return n end
  if n ~= n then return math.mininteger end
  if n < TWO63 then return truncate(n) end
  if n < TWO64 then return tointeger((n - TWO64) // 1) end
  return 0
end

local function packInteger(bits, size, little)
  local order = little and "<" or ">"
  if size == 0 then return "" end
  if size < 8 then
    return spack(order .. "I" .. size, bits & ((1 << (8 * size)) - 1))
  end
  local packed = spack(order .. "i8", bits)
  if size == 8 then return packed end
  -- Only 64 bits are shifted out; the remaining bytes stay zero.
  if little then return packed .. rep("\0", size - 8) end
  return rep("\0", size - 8) .. packed
end

local function pack(...)
  local count = select("#", ...)
  local fmt = formatString("pack", count, (...))
  -- The C library keeps a nil above its arguments: a missing one reads as nil.
  local stackTop = count + 1
  local little, align = true, 1
  local pieces, total, arg = {}, 0, 2
  local pos = 1
  while pos <= #fmt do
    local opt = byte(fmt, pos)
    local size
    size, pos = optionSize(opt, fmt, pos + 1)
    local padding = paddingFor(total, align, opt, size)
    if padding > 0 then
      pieces[#pieces + 1] = rep("\0", padding)
      total = total + padding
    end
    if INTEGER_OPTIONS[opt] then
      local n = checkNumber("pack", arg, stackTop, (select(arg, ...)))
      pieces[#pieces + 1] = packInteger(integerBits(n), size, little)
      arg = arg + 1
    elseif opt == OPT_x then
      pieces[#pieces + 1] = "\0"
    elseif opt == OPT_f or opt == OPT_d then
      local n = checkNumber("pack", arg, stackTop, (select(arg, ...)))
      pieces[#pieces + 1] = spack((little and "<" or ">") .. char(opt), n)
      arg = arg + 1
    elseif opt == OPT_c or opt == OPT_s then
      local s = checkString("pack", arg, stackTop, (select(arg, ...)))
      arg = arg + 1
      if size == 0 then size = #s end
      if #s < size then argError(arg, "pack", "string too short") end
      pieces[#pieces + 1] = sub(s, 1, size)
      if opt == OPT_s then
        pieces[#pieces + 1] = "\0"
        size = size + 1
      end
    else
      little, align, pos = controlOption("pack", opt, fmt, pos, little, align)
    end
    total = total + size
  end
  return concat(pieces)
end

-- The integer of `size` bytes at 0-based `offset`, as a Lua 5.1 number.
local function readInteger(data, offset, size, little, signed)
  local order = little and "<" or ">"
  if size == 0 then return 0 end
  if size < 8 then
    return number51(sunpack(order .. (signed and "i" or "I") .. size, data, offset + 1))
  end
  -- Only the last 8 bytes read survive the C library's 64-bit shifts.
  local bits = sunpack(order .. "i8", data, little and offset + 1 or offset + size - 7)
  if signed then
    -- Sign extension with the x86 shift count (mod 64) the C code ends up using.
    local mask = -1 << ((size * 8 - 1) & 63)
    if bits & mask ~= 0 then bits = bits | mask end
    return number51(bits)
  end
  if bits >= 0 then return number51(bits) end
  -- Unsigned 64-bit value to double; the kept low bit makes rounding exact.
  return number51(((bits >> 1) | (bits & 1)) * 2.0)
end

local function unpack(...)
  local count = select("#", ...)
  local fmt, data, init = ...
  fmt = formatString("unpack", count, fmt)
  data = checkString("unpack", 2, count, data)
  local offset = 0
  if init ~= nil then offset = checkInteger("unpack", 3, count, init) - 1 end
  if offset == -1 then argError(3, "unpack", "offset must be 1 or greater") end
  -- A negative offset is a huge size_t in C: no element fits after it.
  local dataLength = #data
  local little, align = true, 1
  local results, n = {}, 0
  local pos = 1
  while pos <= #fmt do
    local opt = byte(fmt, pos)
    local size
    size, pos = optionSize(opt, fmt, pos + 1)
    offset = offset + paddingFor(offset, align, opt, size)
    if offset < 0 or size > dataLength or offset > dataLength - size then
      argError(2, "unpack", "data string too short")
    end
    if INTEGER_OPTIONS[opt] then
      local lower = opt >= 97
      n = n + 1
      results[n] = readInteger(data, offset, size, little, lower)
    elseif opt == OPT_f or opt == OPT_d then
      n = n + 1
      results[n] = number51(sunpack((little and "<" or ">") .. char(opt), data, offset + 1))
    elseif opt == OPT_c then
      if size == 0 then
        local previous = results[n]
        if n == 0 or tonumber(previous) == nil then
          raise("format 'c0' needs a previous size")
        end
        size = truncate(tonumber(previous))
        n = n - 1
        if size < 0 or size > dataLength or offset > dataLength - size then
          argError(2, "unpack", "data string too short")
        end
      end
      n = n + 1
      results[n] = sub(data, offset + 1, offset + size)
    elseif opt == OPT_s then
      local nul = find(data, "\0", offset + 1, true)
      if not nul then raise("unfinished string in data") end
      size = nul - offset
      n = n + 1
      results[n] = sub(data, offset + 1, nul - 1)
    elseif opt ~= OPT_x then
      little, align, pos = controlOption("unpack", opt, fmt, pos, little, align)
    end
    offset = offset + size
  end
  n = n + 1
  results[n] = offset + 1
  return tunpack(results, 1, n)
end

local function size(...)
  local fmt = formatString("size", select("#", ...), (...))
  local little, align = true, 1
  local total = 0
  local pos = 1
  while pos <= #fmt do
    local opt = byte(fmt, pos)
    local optSize
    optSize, pos = optionSize(opt, fmt, pos + 1)
    total = total + paddingFor(total, align, opt, optSize)
    if opt == OPT_s then
      argError(1, "size", "option 's' has no fixed size")
    elseif opt == OPT_c and optSize == 0 then
      argError(1, "size", "option 'c0' has no fixed size")
    end
    if not find(char(opt), "^%w") then
      little, align, pos = controlOption("size", opt, fmt, pos, little, align)
    end
    total = total + optSize
  end
  return total
end

return {
  pack = pack,
  unpack = unpack,
  size = size,
}
