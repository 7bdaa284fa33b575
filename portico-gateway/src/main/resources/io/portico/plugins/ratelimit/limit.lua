-- Checks and counts one request against every limit of a key, atomically, in one round trip.
-- KEYS[i]: the base key of limit i (all keys of one call share a {hash tag}).
-- ARGV[1]: cost (negative, with counting 2, to give back);
-- ARGV[2]: 0 check and add, 1 check room for one unit, 2 add without checking;
-- then four values per limit: algorithm (0 sliding, 1 fixed, 2 token bucket), limit, window ms, burst.
-- Returns { allowed, retry-after ms, remaining 1, reset ms 1, remaining 2, reset ms 2, ... }.
-- The clock is the Redis server's, so every gateway instance agrees on the windows.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local counting = tonumber(ARGV[2])
local asked = cost
if counting == 1 then asked = 1 end
local n = #KEYS
local allowed = 1
local retry = 0
local level = {}
local idxs = {}
for i = 1, n do
  local b = 2 + (i - 1) * 4
  local algo = tonumber(ARGV[b + 1])
  local limit = tonumber(ARGV[b + 2])
  local w = tonumber(ARGV[b + 3])
  local burst = tonumber(ARGV[b + 4])
  if algo == 2 then
    local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
    if tat < now then tat = now end
    level[i] = tat
    local step = w / limit
    local over = tat + asked * step - now - burst * step
    if over > 0 then
      allowed = 0
      if math.ceil(over) > retry then retry = math.ceil(over) end
    end
  else
    local idx = math.floor(now / w)
    idxs[i] = idx
    local cur = tonumber(redis.call('GET', KEYS[i] .. ':' .. idx) or '0')
    local elapsed = now - idx * w
    local est = cur
    local prev = 0
    if algo == 0 then
      prev = tonumber(redis.call('GET', KEYS[i] .. ':' .. (idx - 1)) or '0')
      est = est + prev * (w - elapsed) / w
    end
    level[i] = est
    if est + asked > limit then
      allowed = 0
      local r = w - elapsed
      if algo == 0 and cur + asked <= limit and prev > 0 then
        r = math.max(1, math.ceil((1 - (limit - cur - asked) / prev) * w) - elapsed)
      end
      if r > retry then retry = r end
    end
  end
end
local add = counting == 2 or (counting == 0 and allowed == 1)
local out = { allowed, retry }
for i = 1, n do
  local b = 2 + (i - 1) * 4
  local algo = tonumber(ARGV[b + 1])
  local limit = tonumber(ARGV[b + 2])
  local w = tonumber(ARGV[b + 3])
  local burst = tonumber(ARGV[b + 4])
  if algo == 2 then
    local step = w / limit
    local tat = level[i]
    if add then
      tat = tat + cost * step
      redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PX', math.max(1000, math.ceil(tat - now) + 1000))
    end
    out[#out + 1] = math.max(0, math.floor((burst * step - (tat - now)) / step))
    out[#out + 1] = math.max(0, math.ceil(tat - now))
  else
    local est = level[i]
    if add then
      local ck = KEYS[i] .. ':' .. idxs[i]
      redis.call('INCRBY', ck, cost)
      local keep = w + 1000
      if algo == 0 then keep = 2 * w + 1000 end
      redis.call('PEXPIRE', ck, keep)
      est = est + cost
    end
    out[#out + 1] = math.max(0, math.floor(limit - est))
    out[#out + 1] = (idxs[i] + 1) * w - now
  end
end
return out
