-- The environment of function libraries (Redis 7.0 FUNCTION LOAD / FCALL).
--
-- While a library's code runs at load time its only global is `redis`, holding just
-- register_function, log, the LOG_* levels and the version fields; anything else is a
-- "nonexistent global variable", as in Redis. When its functions run later they see the
-- globals of scripts, except KEYS and ARGV (functions get keys and args as parameters).
-- Neither view accepts new globals, and rawset/setmetatable can't get around that.
--
-- Called once per Lua state, after redis.lua sealed the globals, with the hidden globals
-- table and register_function (a C function of the engine). Returns the environment (the
-- engine makes it the _ENV of each library it compiles) and set_loading(flag).

local G, register_function = ...
local error, rawget, setmetatable, getmetatable = error, rawget, setmetatable, getmetatable
local READONLY = 'Attempt to modify a readonly table'

-- The errors come from redis.lua's own raisers (a tail call, or the metamethod itself): the
-- error handler skips redis.lua's frames when it looks for the script line to report.
local nonexistent = getmetatable(G).__index -- (_, name): "nonexistent global variable"
local refuse = getmetatable(G.redis).__newindex -- "Attempt to modify a readonly table"

local api = {
  register_function = register_function,
  log = G.redis.log,
  LOG_DEBUG = G.redis.LOG_DEBUG, LOG_VERBOSE = G.redis.LOG_VERBOSE,
  LOG_NOTICE = G.redis.LOG_NOTICE, LOG_WARNING = G.redis.LOG_WARNING,
  REDIS_VERSION = G.redis.REDIS_VERSION, REDIS_VERSION_NUM = G.redis.REDIS_VERSION_NUM,
}

-- The `redis` a library sees at load time.
local library_redis = setmetatable({}, {
  __index = function(_, name)
    local value = api[name]
    if value ~= nil then return value end
    return nonexistent(nil, name)
  end,
  __newindex = refuse,
  __metatable = false,
})

local function library_global(_, name)
  if name == 'redis' then return library_redis end
  return nonexistent(nil, name)
end

local function runtime_global(_, name)
  if name ~= 'KEYS' and name ~= 'ARGV' then
    local value = rawget(G, name)
    if value ~= nil then return value end
  end
  return nonexistent(nil, name)
end

local env_mt = { __index = runtime_global, __newindex = refuse, __metatable = false }
local env = setmetatable({}, env_mt)

-- _ENV is reachable from Lua 5.4 code: keep the sealed rawset and setmetatable off these tables
-- too (with no position of their own, as redis.lua's).
local sealed_rawset, sealed_setmetatable = G.rawset, G.setmetatable
G.rawset = function(t, k, v)
  if t == env or t == library_redis then error(READONLY, 0) end
  return sealed_rawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if t == env or t == library_redis then error(READONLY, 0) end
  return sealed_setmetatable(t, mt)
end

local function set_loading(loading)
  env_mt.__index = loading and library_global or runtime_global
end

return env, set_loading
