// Lua scripts that keep an entry, its access time and its size in step on Redis. Keys:
//   KEYS[1] <ns>v:<key>   the frame (same bytes as the embedded store's), with PX expiry
//   KEYS[2] <ns>lru       sorted set: key -> last access (epoch us); the head is the LRU entry
//   KEYS[3] <ns>size      hash: key -> frame bytes
//   KEYS[4] <ns>bytes     the sum of that hash
//   KEYS[5] <ns>limits    "maxEntries=N, maxBytes=M": the limits the namespace is kept to, set by
//                         the first writer and refreshed (PX) by every write under the same limits
// An entry Redis expired (or a maxmemory policy removed) leaves its lru/size rows behind until
// a lookup or an eviction meets them; they are then dropped and counted as expired.
// The scripts name value keys they compute (<ns>v:<head>), so they need one Redis node, not
// Redis Cluster.

/** ARGV: now, key. Returns the frame, 1 when the entry was there but expired, 0 when never there. */
export const GET_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('ZADD', KEYS[2], 'XX', ARGV[1], ARGV[2])
  return v
end
local size = redis.call('HGET', KEYS[3], ARGV[2])
if size then
  redis.call('HDEL', KEYS[3], ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('DECRBY', KEYS[4], size)
  return 1
end
return 0
`;

/**
 * ARGV: frame, ttlMs (0: none), now, key, bytes, maxEntries, maxBytes (0: none), value prefix,
 * limits description, how long the limits record lives (ms).
 * When the namespace is kept to other limits: writes and evicts nothing, returns { -1, 0, 0, theirs }.
 * Else stores the entry, then removes least recently used ones until both limits hold.
 * Returns { evicted by count, evicted by bytes, expired rows dropped }.
 */
export const SET_SCRIPT = `
local limits = redis.call('GET', KEYS[5])
if limits and limits ~= ARGV[9] then return { -1, 0, 0, limits } end
redis.call('SET', KEYS[5], ARGV[9], 'PX', ARGV[10])
local old = redis.call('HGET', KEYS[3], ARGV[4])
if old then redis.call('DECRBY', KEYS[4], old) end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
local total = redis.call('INCRBY', KEYS[4], ARGV[5])
local maxEntries = tonumber(ARGV[6])
local maxBytes = tonumber(ARGV[7])
local byCount, byBytes, expired = 0, 0, 0
while true do
  local overCount = redis.call('ZCARD', KEYS[2]) > maxEntries
  local overBytes = maxBytes > 0 and total > maxBytes
  if not overCount and not overBytes then break end
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not head or head == ARGV[4] then break end
  local size = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
  total = redis.call('DECRBY', KEYS[4], size)
  if redis.call('DEL', ARGV[8] .. head) == 0 then
    expired = expired + 1
  elseif overCount then
    byCount = byCount + 1
  else
    byBytes = byBytes + 1
  end
end
return { byCount, byBytes, expired }
`;

/** ARGV: key. Returns 1 when a value was removed. */
export const DELETE_SCRIPT = `
local size = redis.call('HGET', KEYS[3], ARGV[1])
if size then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('DECRBY', KEYS[4], size)
end
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`;
