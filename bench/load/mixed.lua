-- wrk script for scripts/load-test.sh: a mix of POST /v1/pca bodies, with
-- latency percentiles and status counts per body kind.
--
-- Run with one connection per thread (wrk -tN -cN): each thread's Lua state
-- then has exactly one request in flight, so request() and response()
-- alternate and each response's latency is timed against its own request.
-- Every 20 requests of a connection: 1 medium, 1 large, 18 small (90/5/5 %),
-- each connection starting at a different point of the cycle.
--
-- env: LOAD_BODIES  directory with small.json, medium.json, large.json
-- done() prints one line "LOAD_JSON {...}". Latencies are this script's own
-- (request() to response()). wrk's own latency statistics are not used: with
-- this script (Debian's wrk 4.1) they came out impossible, their mean times
-- the request count exceeding connections x duration.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } load_timespec;
  int clock_gettime(int clk_id, load_timespec *tp);
]]
local ts = ffi.new("load_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local KINDS = { "small", "medium", "large" }
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- per thread
local requests = {}
local sent_kind, sent_at
-- Globals read by done() through thread:get(), which copies flat tables only
-- (a nested table crashes wrk 4.1): one histogram per kind.
hist_small, hist_medium, hist_large = {}, {}, {}
local hist = { small = hist_small, medium = hist_medium, large = hist_large }
count = { small = 0, medium = 0, large = 0 }
bad = { small = 0, medium = 0, large = 0 }
sum_us = { small = 0, medium = 0, large = 0 }

function init(args)
  local dir = os.getenv("LOAD_BODIES") or error("set LOAD_BODIES to the bodies' directory")
  for _, kind in ipairs(KINDS) do
    local f = assert(io.open(dir .. "/" .. kind .. ".json", "rb"))
    local body = f:read("*a")
    f:close()
    requests[kind] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
  end
  counter = (id or 0) * 7
end

function request()
  local slot = counter % 20
  counter = counter + 1
  sent_kind = (slot == 0 and "medium") or (slot == 10 and "large") or "small"
  sent_at = now_us()
  return requests[sent_kind]
end

local function bucket(us)
  if us < 10000 then return math.floor(us / 10) * 10 + 5 end        -- 10 us
  if us < 100000 then return math.floor(us / 100) * 100 + 50 end    -- 0.1 ms
  return math.floor(us / 1000) * 1000 + 500                         -- 1 ms
end

function response(status, headers, body)
  if sent_kind == nil then return end
  local us = now_us() - sent_at
  local b = bucket(us)
  sum_us[sent_kind] = sum_us[sent_kind] + us
  local h = hist[sent_kind]
  h[b] = (h[b] or 0) + 1
  count[sent_kind] = count[sent_kind] + 1
  if status < 200 or status > 299 then bad[sent_kind] = bad[sent_kind] + 1 end
  sent_kind = nil
end

local function percentile(h, total, q)
  local keys = {}
  for k in pairs(h) do table.insert(keys, k) end
  table.sort(keys)
  local need, seen = math.max(1, math.ceil(q * total)), 0
  for _, k in ipairs(keys) do
    seen = seen + h[k]
    if seen >= need then return k end
  end
  return 0
end

function done(summary, latency, reqs)
  local merged, n, nbad, sum = { all = {} }, { all = 0 }, { all = 0 }, { all = 0 }
  for _, kind in ipairs(KINDS) do merged[kind], n[kind], nbad[kind], sum[kind] = {}, 0, 0, 0 end
  for _, t in ipairs(threads) do
    local tc, tb, ts = t:get("count"), t:get("bad"), t:get("sum_us")
    for _, kind in ipairs(KINDS) do
      for k, v in pairs(t:get("hist_" .. kind)) do
        merged[kind][k] = (merged[kind][k] or 0) + v
        merged.all[k] = (merged.all[k] or 0) + v
      end
      n[kind], n.all = n[kind] + tc[kind], n.all + tc[kind]
      nbad[kind], nbad.all = nbad[kind] + tb[kind], nbad.all + tb[kind]
      sum[kind], sum.all = sum[kind] + ts[kind], sum.all + ts[kind]
    end
  end
  local secs = summary.duration / 1e6
  local parts = {}
  for _, kind in ipairs({ "all", "small", "medium", "large" }) do
    table.insert(parts, string.format(
      '"%s":{"responses":%d,"non_2xx":%d,"rps":%.1f,"mean_ms":%.3f,"p50_ms":%.3f,"p99_ms":%.3f}',
      kind, n[kind], nbad[kind], n[kind] / secs, sum[kind] / math.max(1, n[kind]) / 1000,
      percentile(merged[kind], n[kind], 0.50) / 1000, percentile(merged[kind], n[kind], 0.99) / 1000))
  end
  local e = summary.errors
  io.write(string.format(
    'LOAD_JSON {"requests":%d,"duration_s":%.2f,"rps":%.1f,"bytes_read":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},%s}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
