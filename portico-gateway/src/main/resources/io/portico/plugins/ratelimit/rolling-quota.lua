-- A rolling quota counter for one subject: a hash of slice index -> count, each slice a 60th of
-- the period; the use is the sum of the last 60 slices, older ones are removed.
-- KEYS[1]: the hash; ARGV[1]: cost; ARGV[2]: limit; ARGV[3]: the current slice index;
-- ARGV[4]: 1 to check and count, 0 to read; ARGV[5]: expire after (seconds).
-- Returns { allowed, used, oldest slice still counted (the current one when none) }.
local now = tonumber(ARGV[3])
local fields = redis.call('HGETALL', KEYS[1])
local used = 0
local oldest = now
for i = 1, #fields, 2 do
  local slice = tonumber(fields[i])
  if slice == nil or slice <= now - 60 then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    used = used + tonumber(fields[i + 1])
    if slice < oldest then oldest = slice end
  end
end
if ARGV[4] == '0' then return { 1, used, oldest } end
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return { 0, used, oldest } end
redis.call('HINCRBY', KEYS[1], ARGV[3], cost)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return { 1, used + cost, oldest }
