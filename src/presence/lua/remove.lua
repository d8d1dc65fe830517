-- A connection closed cleanly: it stops counting at once.
-- ARGV: prefix, now, user, connection
local prefix, now, user = ARGV[1], tonumber(ARGV[2]), ARGV[3]
redis.call('HDEL', conns_key(prefix, user), ARGV[4])
redis.call('ZREM', timers_key(prefix), user .. '\t' .. ARGV[4])
return recompute(prefix, user, now)
