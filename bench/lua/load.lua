-- The load run's mix: each thread has ONE connection, so every response answers the request
-- this thread sent just before; each answer is logged with its session's tag and times.
-- Env: LOAD_SESSIONS (file: tag TAB host TAB path TAB cookie, re-read every second while the
-- run signs in new sessions), LOAD_LOG_DIR (one log per thread).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } timeval;
  int gettimeofday(timeval *tv, void *tz);
]]
local clock = ffi.new("timeval")
local function now()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) + tonumber(clock.tv_usec) / 1e6
end

local sessions_file = os.getenv("LOAD_SESSIONS")
local log_dir = os.getenv("LOAD_LOG_DIR")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

local function load_sessions()
  local found = {}
  for line in io.lines(sessions_file) do
    local tag, host, path, cookie = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    if tag then
      table.insert(found, {
        tag = tag,
        text = wrk.format("GET", path, { Host = host, Cookie = cookie }),
      })
    end
  end
  return found
end

function init(args)
  log = io.open(string.format("%s/thread-%d.log", log_dir, id), "w")
  log:setvbuf("line")
  sessions = load_sessions()
  loaded_at = now()
  turn = id
end

function request()
  local moment = now()
  if moment - loaded_at >= 1 then
    sessions = load_sessions()
    loaded_at = moment
  end
  turn = turn + 1
  current = sessions[(turn % #sessions) + 1]
  sent_at = now()
  return current.text
end

function response(status, headers, body)
  log:write(string.format("%.6f\t%.6f\t%s\t%d\t%s\n",
    sent_at, now(), current.tag, status, headers["Location"] or ""))
end
