-- A node renews the expiry of its open connections, and registers again any
-- that Redis lost (a restart) or swept (the node was cut off too long).
-- ARGV: prefix, now, then (user, connection, "<node>\t<expiresAt>\t<idleAt>") triples.
-- Returns how many connections were registered again.
local prefix, now = ARGV[1], tonumber(ARGV[2])
local timers = timers_key(prefix)
local restored = {}
local count = 0
for i = 3, #ARGV, 3 do
  local user, conn, value = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local _, expires_at, idle_at = parse(value)
  if redis.call('HSET', conns_key(prefix, user), conn, value) == 1 then
    restored[user] = true
    count = count + 1
  end
  redis.call('ZADD', timers, due(expires_at, idle_at, now), user .. '\t' .. conn)
end
for user in pairs(restored) do recompute(prefix, user, now) end
return count
