-- Recomputes the users whose connections are due (gone idle or expired), at
-- most `limit` connections per call. Any node may run it at any time.
-- ARGV: prefix, now, limit. Returns how many due connections it looked at.
local prefix, now, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local timers = timers_key(prefix)
local members = redis.call('ZRANGEBYSCORE', timers, '-inf', now, 'LIMIT', 0, limit)
local users = {}
for _, member in ipairs(members) do
  local user, conn = string.match(member, '^(.*)\t(.*)$')
  if user == nil or redis.call('HEXISTS', conns_key(prefix, user), conn) == 0 then
    redis.call('ZREM', timers, member)
  else
    users[user] = true
  end
end
for user in pairs(users) do recompute(prefix, user, now) end
return #members
