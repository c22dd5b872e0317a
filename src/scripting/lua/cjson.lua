-- Lua CJSON 2.1.0 as Redis 7.0 ships it (encode/decode plus the
-- configuration functions), for a Lua 5.4 VM.
-- The chunk's argument is the lua51 support table (lua51.lua).

local lua51 = ...
lua51.registerLibrary()
local string, table, math = lua51.builtin.string, lua51.builtin.table, lua51.builtin.math

local byte, char, sub, find, match, format, gsub, lower =
  string.byte, string.char, string.sub, string.find, string.match,
  string.format, string.gsub, string.lower
local concat = table.concat
local math_type, huge = math.type, math.huge
local next, rawget, rawequal, type, select = next, rawget, rawequal, type, select
local tonumber = lua51.builtin.tonumber
local utf8char = utf8.char
local sunpack = string.unpack
local null, number51, orderedKeys = lua51.null, lua51.number, lua51.keys
local raise, argError, checkString, checkInteger =
  lua51.raise, lua51.argError, lua51.checkString, lua51.checkInteger

-- NaN values with the sign strtod gives for "nan" and "-nan".
local POSITIVE_NAN = sunpack(">d", "\x7f\xf8\0\0\0\0\0\0")
local NEGATIVE_NAN = sunpack(">d", "\xff\xf8\0\0\0\0\0\0")

-- The bytes lua-cjson escapes; everything else (including bytes >= 0x80) is copied.
local ESCAPED = "[\0-\31\"\\/\127]"
local ESCAPES = {
  ["\b"] = "\\b", ["\t"] = "\\t", ["\n"] = "\\n", ["\f"] = "\\f", ["\r"] = "\\r",
  ['"'] = '\\"', ["\\"] = "\\\\", ["/"] = "\\/", ["\127"] = "\\u007f",
}
for code = 0, 31 do
  local c = char(code)
  if not ESCAPES[c] then ESCAPES[c] = format("\\u%04x", code) end
end

local UNESCAPES = {
  [34] = '"', [92] = "\\", [47] = "/", [98] = "\b", [116] = "\t",
  [110] = "\n", [102] = "\f", [114] = "\r",
}

-- Token types, numbered like lua-cjson's so error messages name them alike.
local T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END, T_STRING, T_NUMBER,
      T_BOOLEAN, T_NULL, T_COLON, T_COMMA, T_END, T_ERROR = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13
local TOKEN_NAMES = {
  "T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER",
  "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR",
}
local SINGLE_CHAR_TOKENS = {
  [123] = T_OBJ_BEGIN, [125] = T_OBJ_END, [91] = T_ARR_BEGIN, [93] = T_ARR_END,
  [44] = T_COMMA, [58] = T_COLON,
}

-- Option names by setting, as lua-cjson numbers them.
local ON_OFF = { [0] = "off", "on" }
local ON_OFF_NULL = { [0] = "off", "on", "null" }

local function newModule()
  local sparseConvert, sparseRatio, sparseSafe = 0, 2, 10
  local encodeMaxDepth, decodeMaxDepth = 1000, 1000
  local encodeInvalidNumbers, decodeInvalidNumbers = 0, 1 -- 0 off, 1 on, 2 "null"
  local encodeKeepBuffer, numberPrecision, numberFormat = 1, 14, "%.14g"

  ---------------------------------------------------------------- options

  local function checkArgCount(fname, max, count)
    if count > max then argError(max + 1, fname, "found too many arguments") end
  end

  local function integerOption(fname, index, value, current, min, max)
    if value == nil then return current end
    local n = checkInteger(fname, index, index, value)
    if n < min or n > max then
      argError(1, fname, format("expected integer between %d and %d", min, max))
    end
    return n
  end

  local function enumOption(fname, index, value, current, options)
    if value == nil then return current end
    if type(value) == "boolean" then return value and 1 or 0 end
    local name = checkString(fname, index, index, value)
    for setting = 0, #options do
      if options[setting] == name then return setting end
    end
    argError(index, fname, format("invalid option '%s'", name))
  end

  local function enumResult(setting, options)
    if setting <= 1 then return setting == 1 end
    return options[setting]
  end

  local function encode_sparse_array(...)
    local count = select("#", ...)
    checkArgCount("encode_sparse_array", 3, count)
    local convert, ratio, safe = ...
    sparseConvert = enumOption("encode_sparse_array", 1, convert, sparseConvert, ON_OFF)
    sparseRatio = integerOption("encode_sparse_array", 2, ratio, sparseRatio, 0, 0x7fffffff)
    sparseSafe = integerOption("encode_sparse_array", 3, safe, sparseSafe, 0, 0x7fffffff)
    return sparseConvert == 1, sparseRatio, sparseSafe
  end

  local function encode_max_depth(...)
    checkArgCount("encode_max_depth", 1, select("#", ...))
    encodeMaxDepth = integerOption("encode_max_depth", 1, ..., encodeMaxDepth, 1, 0x7fffffff)
    return encodeMaxDepth
  end

  local function decode_max_depth(...)
    checkArgCount("decode_max_depth", 1, select("#", ...))
    decodeMaxDepth = integerOption("decode_max_depth", 1, ..., decodeMaxDepth, 1, 0x7fffffff)
    return decodeMaxDepth
  end

  local function encode_number_precision(...)
    checkArgCount("encode_number_precision", 1, select("#", ...))
    numberPrecision = integerOption("encode_number_precision", 1, ..., numberPrecision, 1, 14)
    numberFormat = "%." .. numberPrecision .. "g"
    return numberPrecision
  end

  local function encode_keep_buffer(...)
    checkArgCount("encode_keep_buffer", 1, select("#", ...))
    encodeKeepBuffer = enumOption("encode_keep_buffer", 1, ..., encodeKeepBuffer, ON_OFF)
    return enumResult(encodeKeepBuffer, ON_OFF)
  end

  local function encode_invalid_numbers(...)
    checkArgCount("encode_invalid_numbers", 1, select("#", ...))
    encodeInvalidNumbers = enumOption("encode_invalid_numbers", 1, ..., encodeInvalidNumbers, ON_OFF_NULL)
    return enumResult(encodeInvalidNumbers, ON_OFF_NULL)
  end

  local function decode_invalid_numbers(...)
    checkArgCount("decode_invalid_numbers", 1, select("#", ...))
    decodeInvalidNumbers = enumOption("decode_invalid_numbers", 1, ..., decodeInvalidNumbers, ON_OFF)
    return enumResult(decodeInvalidNumbers, ON_OFF)
  end

  ---------------------------------------------------------------- encoding

  -- Output pieces; with encode_keep_buffer on the table is reused across calls.
  local buffer, pieces = {}, 0

  local function appendString(s)
    if find(s, ESCAPED) then s = gsub(s, ESCAPED, ESCAPES) end
    buffer[pieces + 1] = '"'
    buffer[pieces + 2] = s
    buffer[pieces + 3] = '"'
    pieces = pieces + 3
  end

  local function numberText(num)
    if num ~= num or num == huge or num == -huge then
      if encodeInvalidNumbers == 0 then
        raise("Cannot serialise number: must not be NaN or Inf")
      elseif encodeInvalidNumbers == 2 then
        return "null"
      elseif num ~= num then
        return "nan"
      end
    end
    return format(numberFormat, num)
  end

  -- Length of the table if it is a JSON array, or -1 for an object.
  local function arrayLength(t)
    local max, items = 0, 0
    for k in next, t do
      if math_type(k) ~= "integer" or k < 1 then return -1 end
      if k > max then max = k end
      items = items + 1
    end
    if sparseRatio > 0 and max > items * sparseRatio and max > sparseSafe then
      if sparseConvert == 0 then
        raise("Cannot serialise table: excessively sparse array")
      end
      return -1
    end
    return max
  end

  local appendValue

  local function appendTable(t, depth)
    if depth > encodeMaxDepth then
      raise(format("Cannot serialise, excessive nesting (%d)", depth))
    end
    local length = arrayLength(t)
    if length > 0 then
      pieces = pieces + 1
      buffer[pieces] = "["
      for i = 1, length do
        if i > 1 then pieces = pieces + 1; buffer[pieces] = "," end
        appendValue(rawget(t, i), depth)
      end
      pieces = pieces + 1
      buffer[pieces] = "]"
      return
    end
    pieces = pieces + 1
    buffer[pieces] = "{"
    local keys, count = orderedKeys(t)
    for i = 1, count do
      if i > 1 then pieces = pieces + 1; buffer[pieces] = "," end
      local k = keys[i]
      local keyType = type(k)
      if keyType == "string" then
        appendString(k)
        pieces = pieces + 1
        buffer[pieces] = ":"
      elseif keyType == "number" then
        buffer[pieces + 1] = '"'
        buffer[pieces + 2] = numberText(k)
        buffer[pieces + 3] = '":'
        pieces = pieces + 3
      else
        raise("Cannot serialise " .. keyType .. ": table key must be a number or string")
      end
      appendValue(rawget(t, k), depth)
    end
    pieces = pieces + 1
    buffer[pieces] = "}"
  end

  appendValue = function(v, depth)
    local t = type(v)
    if t == "string" then
      appendString(v)
    elseif t == "table" and not rawequal(v, null) then
      appendTable(v, depth + 1)
    else
      pieces = pieces + 1
      if t == "number" then
        buffer[pieces] = numberText(v)
      elseif t == "boolean" then
        buffer[pieces] = v and "true" or "false"
      elseif v == nil or rawequal(v, null) then
        buffer[pieces] = "null"
      else
        raise("Cannot serialise " .. t .. ": type not supported")
      end
    end
  end

  local function encode(...)
    if select("#", ...) ~= 1 then argError(1, "encode", "expected 1 argument") end
    if encodeKeepBuffer == 0 then buffer = {} end
    pieces = 0
    appendValue(..., 0)
    return concat(buffer, "", 1, pieces)
  end

  ---------------------------------------------------------------- decoding

  -- Parser state for the decode call in progress.
  local json, jsonLength, pos, depth = "", 0, 1, 0
  local scratch = {}

  -- lua-cjson's check for numbers strict JSON forbids but strtod accepts.
  local function isInvalidNumber(p)
    local c = byte(json, p)
    if c == 43 then return true end -- '+'
    if c == 45 then p = p + 1; c = byte(json, p) end -- '-'
    if c == 48 then -- '0'
      local following = byte(json, p + 1) or 0
      return following | 0x20 == 120 or (following >= 48 and following <= 57) -- hex or leading zero
    end
    if c == nil or c <= 57 then return false end
    local word = lower(sub(json, p, p + 2))
    return word == "inf" or word == "nan"
  end

  -- Parses the longest prefix strtod would accept at p: returns the number
  -- and the position after it, or nothing.
  local function strtod(p)
    local q = p
    local c = byte(json, q)
    local negative = c == 45
    if c == 43 or c == 45 then q = q + 1 end
    local word = lower(sub(json, q, q + 7))
    local prefix = sub(word, 1, 3)
    if prefix == "inf" then
      return negative and -huge or huge, word == "infinity" and q + 8 or q + 3
    elseif prefix == "nan" then
      return negative and NEGATIVE_NAN or POSITIVE_NAN, match(json, "^%([%w_]*%)()", q + 3) or q + 3
    end
    local value, stop
    if sub(word, 1, 2) == "0x" then
      local digits, after = match(json, "^(%x*%.?%x*)()", q + 2)
      if not find(digits, "%x") then
        return negative and -0.0 or 0, q + 1 -- only the "0" is a number
      end
      stop = match(json, "^[pP][+-]?%d+()", after)
      -- A binary exponent keeps tonumber from reading it as a wrapping integer.
      value = tonumber(sub(json, p, (stop or after) - 1) .. (stop and "" or "p0"))
      stop = stop or after
    else
      local digits, after = match(json, "^(%d*%.?%d*)()", q)
      if not find(digits, "%d") then return end
      stop = match(json, "^[eE][+-]?%d+()", after) or after
      value = tonumber(sub(json, p, stop - 1)) + 0.0
    end
    if value == 0 and negative then value = -0.0 end
    return value, stop
  end

  local function numberToken(p)
    local value, stop = strtod(p)
    if not value then return T_ERROR, "invalid number", p end
    pos = stop
    return T_NUMBER, number51(value), p
  end

  -- Decodes the \uXXXX escape (or surrogate pair) at p to UTF-8; returns it
  -- and the escape's length, or nothing when it is invalid.
  local function unicodeEscape(p)
    local hex = match(json, "^%x%x%x%x", p + 2)
    if not hex then return end
    local codepoint = tonumber(hex, 16)
    if codepoint & 0xF800 ~= 0xD800 then return utf8char(codepoint), 6 end
    if codepoint & 0x400 ~= 0 or sub(json, p + 6, p + 7) ~= "\\u" then return end
    local lowHex = match(json, "^%x%x%x%x", p + 8)
    if not lowHex then return end
    local low = tonumber(lowHex, 16)
    if low & 0xFC00 ~= 0xDC00 then return end
    return utf8char((((codepoint & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000), 12
  end

  local function stringToken(p)
    local from, parts = p + 1, 0
    while true do
      local at = find(json, "[\0\"\\]", from)
      if not at then
        pos = jsonLength + 1
        return T_ERROR, "unexpected end of string", pos
      end
      local c = byte(json, at)
      if c == 0 then
        pos = at
        return T_ERROR, "unexpected end of string", at
      end
      local s = sub(json, from, at - 1)
      if c == 34 then -- closing quote
        pos = at + 1
        if parts > 0 then
          scratch[parts + 1] = s
          s = concat(scratch, "", 1, parts + 1)
          for i = 1, parts + 1 do scratch[i] = nil end
        end
        return T_STRING, s, p
      end
      scratch[parts + 1] = s
      local escape = byte(json, at + 1)
      local decoded, length
      if escape == 117 then -- 'u'
        decoded, length = unicodeEscape(at)
        if not decoded then
          pos = at
          return T_ERROR, "invalid unicode escape code", at
        end
      else
        decoded, length = UNESCAPES[escape], 2
        if not decoded then
          pos = at
          return T_ERROR, "invalid escape code", at
        end
      end
      scratch[parts + 2] = decoded
      parts = parts + 2
      from = at + length
    end
  end

  -- Returns the next token as type, value, 1-based position.
  local function nextToken()
    local p = find(json, "[^ \t\n\r]", pos)
    if not p then
      pos = jsonLength + 1
      return T_END, nil, pos
    end
    pos = p
    local c = byte(json, p)
    local single = SINGLE_CHAR_TOKENS[c]
    if single then
      pos = p + 1
      return single, nil, p
    end
    if c == 0 then return T_END, nil, p end
    if c == 34 then return stringToken(p) end
    if c == 45 or (c >= 48 and c <= 57) then
      if decodeInvalidNumbers == 0 and isInvalidNumber(p) then
        return T_ERROR, "invalid number", p
      end
      return numberToken(p)
    end
    if sub(json, p, p + 3) == "true" then
      pos = p + 4
      return T_BOOLEAN, true, p
    elseif sub(json, p, p + 4) == "false" then
      pos = p + 5
      return T_BOOLEAN, false, p
    elseif sub(json, p, p + 3) == "null" then
      pos = p + 4
      return T_NULL, nil, p
    end
    if decodeInvalidNumbers == 1 and (c == 43 or c == 73 or c == 105 or c == 78 or c == 110)
        and isInvalidNumber(p) then
      return numberToken(p)
    end
    return T_ERROR, "invalid token", p
  end

  local function parseError(expected, tokenType, tokenValue, tokenPos)
    local found = tokenType == T_ERROR and tokenValue or TOKEN_NAMES[tokenType]
    raise(format("Expected %s but found %s at character %d", expected, found, tokenPos))
  end

  local function descend()
    depth = depth + 1
    if depth > decodeMaxDepth then
      raise(format("Found too many nested data structures (%d) at character %d", depth, pos - 1))
    end
  end

  local processValue

  local function parseObject()
    descend()
    local object = {}
    local tokenType, value, p = nextToken()
    if tokenType == T_OBJ_END then
      depth = depth - 1
      return object
    end
    while true do
      if tokenType ~= T_STRING then parseError("object key string", tokenType, value, p) end
      local key = value
      tokenType, value, p = nextToken()
      if tokenType ~= T_COLON then parseError("colon", tokenType, value, p) end
      object[key] = processValue(nextToken())
      tokenType, value, p = nextToken()
      if tokenType == T_OBJ_END then
        depth = depth - 1
        return object
      end
      if tokenType ~= T_COMMA then parseError("comma or object end", tokenType, value, p) end
      tokenType, value, p = nextToken()
    end
  end

  local function parseArray()
    descend()
    local array = {}
    local tokenType, value, p = nextToken()
    if tokenType == T_ARR_END then
      depth = depth - 1
      return array
    end
    local i = 1
    while true do
      array[i] = processValue(tokenType, value, p)
      tokenType, value, p = nextToken()
      if tokenType == T_ARR_END then
        depth = depth - 1
        return array
      end
      if tokenType ~= T_COMMA then parseError("comma or array end", tokenType, value, p) end
      tokenType, value, p = nextToken()
      i = i + 1
    end
  end

  processValue = function(tokenType, value, p)
    if tokenType == T_STRING or tokenType == T_NUMBER or tokenType == T_BOOLEAN then
      return value
    elseif tokenType == T_OBJ_BEGIN then
      return parseObject()
    elseif tokenType == T_ARR_BEGIN then
      return parseArray()
    elseif tokenType == T_NULL then
      return null
    end
    parseError("value", tokenType, value, p)
  end

  local function decode(...)
    local count = select("#", ...)
    if count ~= 1 then argError(1, "decode", "expected 1 argument") end
    local text = checkString("decode", 1, count, ...)
    if #text >= 2 and (byte(text, 1) == 0 or byte(text, 2) == 0) then
      raise("JSON parser does not support UTF-16 or UTF-32")
    end
    json, jsonLength, pos, depth = text, #text, 1, 0
    local value = processValue(nextToken())
    local tokenType, tokenValue, p = nextToken()
    if tokenType ~= T_END then parseError("the end", tokenType, tokenValue, p) end
    json = ""
    return value
  end

  return {
    encode = encode,
    decode = decode,
    encode_sparse_array = encode_sparse_array,
    encode_max_depth = encode_max_depth,
    decode_max_depth = decode_max_depth,
    encode_number_precision = encode_number_precision,
    encode_keep_buffer = encode_keep_buffer,
    encode_invalid_numbers = encode_invalid_numbers,
    decode_invalid_numbers = decode_invalid_numbers,
    new = newModule,
    null = null,
    _NAME = "cjson",
    _VERSION = "2.1.0",
  }
end

return newModule()
