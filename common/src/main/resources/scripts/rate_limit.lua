-- Relay's rate limiter: GCRA (a token bucket that refills continuously), several limits decided
-- atomically in one call. Either every limit admits the request and all are charged, or none is.
--
-- KEYS[i]      one key per limit; all share one {hash tag}, so the call is Redis Cluster safe
-- KEYS[n+1]    with a record (ARGV[3] not ""): a key to SET when the request is admitted, same tag
-- ARGV[1]      cost in tokens
-- ARGV[2]      "now" in microseconds, or "" to use Redis server time (tests pass a clock)
-- ARGV[3]      "" for no record, else the record's time to live in milliseconds
-- ARGV[3+2i-1] emission interval of limit i in microseconds (1e6 / rate)
-- ARGV[3+2i]   burst tolerance of limit i in microseconds (interval * burst)
-- ARGV[last]   with a record: its value
--
-- The record lets a caller write what an admitted request must leave behind (the gateway's
-- accepted-message record) in the same round trip as the decision, and never for a refused one.
--
-- State per key: the theoretical arrival time (TAT) in microseconds, expiring once the bucket
-- would be full again, so idle keys cost no memory.
-- Returns {allowed (1|0), retry_after_us, remaining_1, reset_after_us_1, remaining_2, ...}.

local cost = tonumber(ARGV[1])
local record_ttl = ARGV[3]
local n = #KEYS
if record_ttl ~= "" then
  n = n - 1
end
local now
if ARGV[2] ~= "" then
  now = tonumber(ARGV[2])
else
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local allowed = 1
local retry_after = 0
local tats = {}
local new_tats = {}
local intervals = {}
local tolerances = {}

for i = 1, n do
  local key = KEYS[i]
  local interval = tonumber(ARGV[3 + 2 * i - 1])
  local tolerance = tonumber(ARGV[3 + 2 * i])
  local tat = tonumber(redis.call("GET", key)) or now
  if tat < now then
    tat = now
  end
  local new_tat = tat + cost * interval
  local allow_at = new_tat - tolerance
  if allow_at > now then
    allowed = 0
    if allow_at - now > retry_after then
      retry_after = allow_at - now
    end
  end
  tats[i], new_tats[i], intervals[i], tolerances[i] = tat, new_tat, interval, tolerance
end

-- Report each limit as it stands after the decision: charged if admitted, untouched if not.
local result = {0, 0}
for i = 1, n do
  local key = KEYS[i]
  local tat = tats[i]
  if allowed == 1 then
    tat = new_tats[i]
    local ttl_ms = math.ceil((tat - now) / 1000)
    if ttl_ms < 1 then
      ttl_ms = 1
    end
    redis.call("SET", key, string.format("%d", tat), "PX", ttl_ms)
  end
  result[2 + 2 * i - 1] = math.floor((tolerances[i] - (tat - now)) / intervals[i])
  result[2 + 2 * i] = tat - now
end

if allowed == 1 and record_ttl ~= "" then
  redis.call("SET", KEYS[n + 1], ARGV[#ARGV], "PX", record_ttl)
end

result[1] = allowed
result[2] = retry_after
return result
