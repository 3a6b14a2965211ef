import { RedisScript } from '../redis/redis-script';

/*
 * Presence in Redis (prefix P = ARGV[1], "cg:"):
 *   P sockets:<userId>          hash socketId → "<replicaId>|<connectedAt ms>"
 *   P summary:<userId>          JSON UserSummary while the user has a socket (callee look-up)
 *   P replica-sockets:<replica> set of "<userId> <socketId>" owned by that replica
 *   P replicas                  sorted set replicaId → last heartbeat (ms, Redis clock)
 * A user is online while their hash is not empty. A replica that stops heartbeating is
 * reaped by another one: its sockets are removed as if they had disconnected.
 */
const PRELUDE = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** ARGV: P, user, socket, replica, summary JSON → sockets the user has now. */
export const CONNECT = new RedisScript(`${PRELUDE}
redis.call('HSET', P .. 'sockets:' .. ARGV[2], ARGV[3], ARGV[4] .. '|' .. now_ms())
redis.call('SET', P .. 'summary:' .. ARGV[2], ARGV[5])
redis.call('SADD', P .. 'replica-sockets:' .. ARGV[4], ARGV[2] .. ' ' .. ARGV[3])
return redis.call('HLEN', P .. 'sockets:' .. ARGV[2])
`);

/** ARGV: P, user, socket, replica → sockets the user has left (-1: was not registered). */
export const DISCONNECT = new RedisScript(`${PRELUDE}
redis.call('SREM', P .. 'replica-sockets:' .. ARGV[4], ARGV[2] .. ' ' .. ARGV[3])
if redis.call('HDEL', P .. 'sockets:' .. ARGV[2], ARGV[3]) == 0 then return -1 end
local left = redis.call('HLEN', P .. 'sockets:' .. ARGV[2])
if left == 0 then redis.call('DEL', P .. 'summary:' .. ARGV[2]) end
return left
`);

/** ARGV: P, replica, dead after ms → replicas (other than this one) silent for longer. */
export const HEARTBEAT = new RedisScript(`${PRELUDE}
local now = now_ms()
redis.call('ZADD', P .. 'replicas', now, ARGV[2])
local silent = redis.call('ZRANGEBYSCORE', P .. 'replicas', '-inf', now - tonumber(ARGV[3]))
local dead = {}
for _, id in ipairs(silent) do
  if id ~= ARGV[2] then table.insert(dead, id) end
end
return dead
`);

/**
 * ARGV: P, dead replica → flat list user, socket, sockets left, newest other socket or ''.
 * The ZREM is the claim: of several replicas reaping at once only one gets the sockets.
 */
export const REAP = new RedisScript(`${PRELUDE}
if redis.call('ZREM', P .. 'replicas', ARGV[2]) == 0 then return {} end
local key = P .. 'replica-sockets:' .. ARGV[2]
local members = redis.call('SMEMBERS', key)
redis.call('DEL', key)
local out = {}
for _, entry in ipairs(members) do
  local user, socket = string.match(entry, '^(%S+) (%S+)$')
  if user and redis.call('HDEL', P .. 'sockets:' .. user, socket) == 1 then
    local rest = redis.call('HGETALL', P .. 'sockets:' .. user)
    local newest, newest_at = '', -1
    for i = 1, #rest, 2 do
      local at = tonumber(string.match(rest[i + 1], '|(%d+)$')) or 0
      if at > newest_at then newest, newest_at = rest[i], at end
    end
    if #rest == 0 then redis.call('DEL', P .. 'summary:' .. user) end
    table.insert(out, user)
    table.insert(out, socket)
    table.insert(out, #rest / 2)
    table.insert(out, newest)
  end
end
return out
`);

/** ARGV: P, user, socket, dead after ms → 1 when that socket is registered on a live replica. */
export const SOCKET_LIVE = new RedisScript(`${PRELUDE}
local entry = redis.call('HGET', P .. 'sockets:' .. ARGV[2], ARGV[3])
if not entry then return 0 end
local replica = string.match(entry, '^(.*)|%d+$')
local beat = redis.call('ZSCORE', P .. 'replicas', replica)
if not beat then return 0 end
if tonumber(beat) < now_ms() - tonumber(ARGV[4]) then return 0 end
return 1
`);
