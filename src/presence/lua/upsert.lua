-- Writes one connection's state and recomputes its user.
-- ARGV: prefix, now, user, connection, "<node>\t<expiresAt>\t<idleAt>", lastSeen ('' keeps it)
local prefix, now, user = ARGV[1], tonumber(ARGV[2]), ARGV[3]
redis.call('HSET', conns_key(prefix, user), ARGV[4], ARGV[5])
if ARGV[6] ~= '' then
  local key = user_key(prefix, user)
  local previous = tonumber(redis.call('HGET', key, 'lastSeen') or '0')
  if tonumber(ARGV[6]) > previous then redis.call('HSET', key, 'lastSeen', ARGV[6]) end
end
return recompute(prefix, user, now)
