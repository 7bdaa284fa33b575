-- A quota counter for one subject and period.
-- KEYS[1]: the counter; ARGV[1]: cost; ARGV[2]: limit; ARGV[3]: expire at (unix seconds);
-- ARGV[4]: 1 to check and count, 0 to read. Returns { allowed, used }.
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[4] == '0' then return { 1, used } end
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return { 0, used } end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return { 1, used }
