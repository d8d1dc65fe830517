-- The nodes holding a connection of any of the users.
-- ARGV: prefix, then user ids. Returns distinct node ids.
local seen, nodes = {}, {}
for i = 2, #ARGV do
  for _, value in ipairs(redis.call('HVALS', conns_key(ARGV[1], ARGV[i]))) do
    local node = parse(value)
    if node ~= nil and not seen[node] then
      seen[node] = true
      nodes[#nodes + 1] = node
    end
  end
end
return nodes
