import { RedisScript } from '../redis/redis-script';

/*
 * The call-session transitions as Lua scripts. Each runs atomically inside Redis, so the
 * check and the write of one transition can never interleave with another replica's.
 * Keys (prefix P = ARGV[1], "cg:"):
 *   P call:<id>          JSON CallSession
 *   P user-call:<userId> id of the call that user is in
 *   P calls:ringing / P calls:active   sets of call ids (gauges)
 *   P deadlines          sorted set: "ring:<id>" / "grace:<id>:<userId>" → due (ms, Redis clock)
 * Keys are derived inside the scripts from the session they read, so this layout needs one
 * Redis (primary + replicas, or Sentinel), not Redis Cluster.
 */
const PRELUDE = `
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function load(id)
  local raw = redis.call('GET', P .. 'call:' .. id)
  if not raw then return nil, nil end
  return cjson.decode(raw), raw
end
local function role_of(s, user)
  if s.caller.id == user then return 'callerSocketId' end
  if s.callee.id == user then return 'calleeSocketId' end
  return nil
end
local function carrier(s, field)
  local v = s[field]
  if v == cjson.null or v == nil then return '' end
  return v
end
local function remove(s)
  redis.call('DEL', P .. 'call:' .. s.id)
  for _, user in ipairs({ s.caller.id, s.callee.id }) do
    if redis.call('GET', P .. 'user-call:' .. user) == s.id then
      redis.call('DEL', P .. 'user-call:' .. user)
    end
    redis.call('ZREM', P .. 'deadlines', 'grace:' .. s.id .. ':' .. user)
  end
  redis.call('ZREM', P .. 'deadlines', 'ring:' .. s.id)
  redis.call('SREM', P .. 'calls:ringing', s.id)
  redis.call('SREM', P .. 'calls:active', s.id)
end
local function member_call(user)
  local id = redis.call('GET', P .. 'user-call:' .. user)
  if not id then return nil end
  local raw = redis.call('GET', P .. 'call:' .. id)
  if not raw then redis.call('DEL', P .. 'user-call:' .. user) end
  return raw
end
`;

function script(body: string): RedisScript {
  return new RedisScript(PRELUDE + body);
}

/** ARGV: P, id → session JSON or nil. */
export const FIND_BY_USER = script(`
return member_call(ARGV[2])
`);

/** ARGV: P, session JSON, ring timeout ms → {'created'} | {'busy'} | {'member', JSON}. */
export const CREATE = script(`
local s = cjson.decode(ARGV[2])
local own = member_call(s.caller.id)
if own then return { 'member', own } end
if member_call(s.callee.id) then return { 'busy' } end
redis.call('SET', P .. 'call:' .. s.id, ARGV[2])
redis.call('SET', P .. 'user-call:' .. s.caller.id, s.id)
redis.call('SET', P .. 'user-call:' .. s.callee.id, s.id)
redis.call('SADD', P .. 'calls:ringing', s.id)
redis.call('ZADD', P .. 'deadlines', now_ms() + tonumber(ARGV[3]), 'ring:' .. s.id)
return { 'created' }
`);

/** ARGV: P, id, user, socket, answeredAt → {'accepted', JSON} | {'gone'|'not_callee'|'already_answered'}. */
export const ACCEPT = script(`
local s = load(ARGV[2])
if not s then return { 'gone' } end
if s.callee.id ~= ARGV[3] then return { 'not_callee' } end
if s.phase ~= 'ringing' then return { 'already_answered' } end
s.phase = 'active'
s.answeredAt = ARGV[5]
s.calleeSocketId = ARGV[4]
local raw = cjson.encode(s)
redis.call('SET', P .. 'call:' .. s.id, raw)
redis.call('SMOVE', P .. 'calls:ringing', P .. 'calls:active', s.id)
redis.call('ZREM', P .. 'deadlines', 'ring:' .. s.id, 'grace:' .. s.id .. ':' .. ARGV[3])
return { 'accepted', raw }
`);

/** ARGV: P, id, phase or '' → removed session JSON or nil. */
export const END = script(`
local s, raw = load(ARGV[2])
if not s then return nil end
if ARGV[3] ~= '' and s.phase ~= ARGV[3] then return nil end
remove(s)
return raw
`);

/** ARGV: P, id, user, socket, expected carrier or '' → session JSON or nil. */
export const ATTACH = script(`
local s = load(ARGV[2])
if not s then return nil end
local field = role_of(s, ARGV[3])
if not field or carrier(s, field) ~= ARGV[5] then return nil end
s[field] = ARGV[4]
local raw = cjson.encode(s)
redis.call('SET', P .. 'call:' .. s.id, raw)
redis.call('ZREM', P .. 'deadlines', 'grace:' .. s.id .. ':' .. ARGV[3])
return raw
`);

/** ARGV: P, id, user, socket, last socket '1'|'0', grace ms → 1 when a grace deadline was armed. */
export const DETACH = script(`
local s = load(ARGV[2])
if not s then return 0 end
local field = role_of(s, ARGV[3])
if not field then return 0 end
if field == 'callerSocketId' or s.phase == 'active' then
  if carrier(s, field) ~= ARGV[4] then return 0 end
  s[field] = cjson.null
  redis.call('SET', P .. 'call:' .. s.id, cjson.encode(s))
elseif ARGV[5] ~= '1' then
  return 0
end
redis.call('ZADD', P .. 'deadlines', now_ms() + tonumber(ARGV[6]), 'grace:' .. s.id .. ':' .. ARGV[3])
return 1
`);

/**
 * ARGV: P, limit → flat list reason, JSON, reason, JSON… ZREM decides who claims a
 * deadline, and the claim ends the call in the same step: a replica dying after this
 * script loses at most the notifications, never leaves a call that nobody ends.
 */
export const CLAIM_EXPIRED = script(`
local due = redis.call('ZRANGEBYSCORE', P .. 'deadlines', '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(due) do
  redis.call('ZREM', P .. 'deadlines', member)
  local kind, id = string.match(member, '^(%a+):([^:]+)')
  local s, raw = load(id)
  if s then
    local reason = nil
    if kind == 'ring' and s.phase == 'ringing' then reason = 'timeout' end
    if kind == 'grace' then reason = 'disconnected' end
    if reason then
      remove(s)
      table.insert(out, reason)
      table.insert(out, raw)
    end
  end
end
return out
`);
