-- The sandbox every script runs in, as Redis 7.0 sets it up: the `redis` library, an error
-- handler that turns every error into {err=, source=, line=}, read-only library tables, and a
-- global table that refuses new globals and reports unknown ones.
--
-- Called once per Lua state with `raw`, the JS side (src/scripting/engine.ts), whose C functions
-- become redis.call, redis.pcall, redis.log, redis.sha1hex and redis.setresp as they are: like
-- Redis's, they stay C functions, so a `return redis.call(...)` tail call keeps the script's
-- frame for error positions. raw.check() tells the count hook whether SCRIPT KILL came.
-- Returns what the engine keeps: the hidden globals (to set KEYS/ARGV), the error handler, the
-- annotation of redis.call errors, the hook arming, and a function that seals the globals.

local raw = ...
local getinfo, sethook = debug.getinfo, debug.sethook
local error, type, tostring, setmetatable, getmetatable, rawequal, next, select =
  error, type, tostring, setmetatable, getmetatable, rawequal, next, select
local READONLY = 'Attempt to modify a readonly table'

-- Tables scripts may read but never change, keyed by the proxy handed out.
local sealed = setmetatable({}, { __mode = 'k' })

local function refuse()
  error(READONLY, 2)
end

local function readonly(t)
  local proxy = {}
  local mt = {
    __index = t,
    __newindex = refuse,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
  }
  mt.__metatable = setmetatable({}, { __index = mt, __newindex = refuse })
  setmetatable(proxy, mt)
  sealed[proxy] = true
  sealed[mt.__metatable] = true
  return proxy
end

-- The frame an error belongs to: the innermost one of the user's code, not C nor one of our own
-- chunks (this sandbox and the libraries: src/scripting/lua/<name>.lua, loaded as "@<name>.lua").
local function user_frame(level)
  while true do
    local info = getinfo(level, 'Sl')
    if info == nil then return nil end
    if info.what ~= 'C' and not info.source:find('^@[%w_]+%.lua$') then return info end
    level = level + 1
  end
end

-- A failed redis.call's {err=} gets the position of the script line that called it.
local function annotate(err)
  local info = user_frame(2)
  if info then
    err.source = info.source
    err.line = info.currentline
  end
end

local redis = {
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REPL_NONE = 0, REPL_SLAVE = 1, REPL_REPLICA = 1, REPL_AOF = 2, REPL_ALL = 3,
  REDIS_VERSION = raw.version, REDIS_VERSION_NUM = raw.version_num,
  call = raw.call, pcall = raw.pcall, log = raw.log, sha1hex = raw.sha1hex, setresp = raw.setresp,
}

function redis.error_reply(message)
  if type(message) ~= 'string' then error('wrong number or type of arguments', 2) end
  if message:sub(1, 1) == '-' then message = message:sub(2) end
  if message == '' then message = 'ERR ' end -- what Redis 7.0 replies for an empty message
  return { err = message }
end

function redis.status_reply(message)
  if type(message) ~= 'string' then error('wrong number or type of arguments', 2) end
  return { ok = message }
end

function redis.set_repl(flags)
  if type(flags) ~= 'number' then error('Invalid flags passed to redis.set_repl()', 2) end
  if flags < 0 or flags > 3 then error('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.', 2) end
end

function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end

-- Errors become {err=, source=, line=}: the engine formats them as Redis does.
local function on_error(err)
  if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
  if err.source == nil then
    local info = user_frame(2)
    if info then
      err.source = info.source
      err.line = info.currentline
    end
  end
  return err
end

-- SCRIPT KILL: the count hook asks JS; once killed, it fires on every line so pcall can't hold on.
local function hook()
  if raw.check() then
    sethook(hook, 'l')
    error({ err = 'ERR Script killed by user with SCRIPT KILL...' }, 0)
  end
end

-- Armed on the coroutine scripts run in (given), or on the main state (function libraries load there).
local function arm_hook(co)
  if co then sethook(co, hook, '', 100000) else sethook(hook, '', 100000) end
end

-- Globals: scripts read the hidden table through an empty proxy that refuses writes.
local G = _G
G.redis = readonly(redis)
for _, unsafe in ipairs({ 'print', 'dofile', 'loadfile', 'require', 'package', 'io', 'os', 'utf8', 'debug', 'warn' }) do
  G[unsafe] = nil
end
G.KEYS = {}
G.ARGV = {}

local function seal_library(name)
  if type(G[name]) == 'table' then G[name] = readonly(G[name]) end
end

local function seal()
  for _, name in ipairs({ 'cjson', 'cmsgpack', 'bit', 'struct', 'string', 'math', 'table', 'coroutine' }) do
    seal_library(name)
  end
  local native_setmetatable, native_rawset = setmetatable, rawset
  -- Like Redis's C checks, these two report no position of their own (the error handler adds the script's).
  G.setmetatable = function(t, mt)
    if sealed[t] then error(READONLY, 0) end
    return native_setmetatable(t, mt)
  end
  G.rawset = function(t, k, v)
    if sealed[t] then error(READONLY, 0) end
    return native_rawset(t, k, v)
  end
  native_setmetatable(G, {
    __index = function(_, name)
      error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
    end,
  })
  local env = readonly(G)
  G._G = env
  return env
end

return G, on_error, annotate, arm_hook, seal
