-- One page, one session: sends the Host and Cookie headers and counts unexpected answers.
-- Env: BENCH_HOST, BENCH_PATH, BENCH_COOKIE (may be empty), BENCH_EXPECT (status),
-- BENCH_LOCATION (a 302's Location must start with it; may be empty).
-- Prints one BENCH_RESULT line.
local host = os.getenv("BENCH_HOST")
local path = os.getenv("BENCH_PATH") or "/"
local cookie = os.getenv("BENCH_COOKIE") or ""
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local location = os.getenv("BENCH_LOCATION") or ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  local headers = { Host = host }
  if cookie ~= "" then headers["Cookie"] = cookie end
  request_text = wrk.format("GET", path, headers)
end

function request()
  return request_text
end

function response(status, headers, body)
  local where = headers["Location"] or ""
  if status ~= expect or where:sub(1, #location) ~= location then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "unexpected": %d, '
      .. '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), total,
    errors.connect + errors.read + errors.write + errors.timeout))
end
