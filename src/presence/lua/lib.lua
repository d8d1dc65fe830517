-- Shared by every presence script: prepended to each one when it is loaded.
-- Keys are named from the prefix (ARGV[1]), so one Redis server, not Cluster.
--   <prefix>presence:conns:<user>  hash: connection id -> "<node>\t<expiresAt>\t<idleAt>" (ms)
--   <prefix>presence:user:<user>   hash: status, lastSeen (ms)
--   <prefix>presence:timers        zset: "<user>\t<connection>" -> when it may next change (idle or expiry)
--   <prefix>presence:changes       channel: "<user>\t<status>\t<lastSeen>" on every status change

local function conns_key(prefix, user) return prefix .. 'presence:conns:' .. user end
local function user_key(prefix, user) return prefix .. 'presence:user:' .. user end
local function timers_key(prefix) return prefix .. 'presence:timers' end

local function parse(value)
  local node, expires_at, idle_at = string.match(value, '^(.*)\t(%-?%d+)\t(%-?%d+)$')
  return node, tonumber(expires_at), tonumber(idle_at)
end

-- The next time a connection's state may change: it goes idle, or it expires.
local function due(expires_at, idle_at, now)
  if idle_at > now and idle_at < expires_at then return idle_at end
  return expires_at
end

-- Drops the user's expired connections, derives the status from the others,
-- reschedules them, and announces the status when it changed. Atomic: when two
-- nodes sweep the same user, only the first sees (and announces) a change.
local function recompute(prefix, user, now)
  local conns = conns_key(prefix, user)
  local timers = timers_key(prefix)
  local fields = redis.call('HGETALL', conns)
  local count, online = 0, false
  for i = 1, #fields, 2 do
    local member = user .. '\t' .. fields[i]
    local _, expires_at, idle_at = parse(fields[i + 1])
    if expires_at == nil or expires_at <= now then
      redis.call('HDEL', conns, fields[i])
      redis.call('ZREM', timers, member)
    else
      count = count + 1
      if idle_at > now then online = true end
      redis.call('ZADD', timers, due(expires_at, idle_at, now), member)
    end
  end
  local status = 'offline'
  if count > 0 then
    if online then status = 'online' else status = 'idle' end
  end
  local key = user_key(prefix, user)
  local previous = redis.call('HGET', key, 'status') or 'offline'
  if previous ~= status then
    redis.call('HSET', key, 'status', status)
    local last_seen = redis.call('HGET', key, 'lastSeen') or ''
    redis.call('PUBLISH', prefix .. 'presence:changes', user .. '\t' .. status .. '\t' .. last_seen)
  end
  return status
end
