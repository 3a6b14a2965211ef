import { Inject, Injectable } from '@nestjs/common';
import { CallEndReason, type CallPhase } from '@callgate/protocol';
import {
  REDIS_CLIENT,
  type RedisClient,
  redisKey,
  withinCommandTimeout as timed,
} from '../redis/redis.client';
import type { RedisScript, ScriptReply } from '../redis/redis-script';
import type { CallSession } from './call-session';
import {
  ACCEPT,
  ATTACH,
  CLAIM_EXPIRED,
  CREATE,
  DETACH,
  END,
  FIND_BY_USER,
} from './call-session.lua';
import type {
  AcceptOutcome,
  CallSessionStore,
  CreateOutcome,
  ExpiredCall,
} from './call-session.store';

const PREFIX = redisKey('');

function parse(raw: ScriptReply | undefined): CallSession | undefined {
  return typeof raw === 'string' ? (JSON.parse(raw) as CallSession) : undefined;
}

/** Shared between reads, so nobody may change it. */
function frozen(session: CallSession): CallSession {
  Object.freeze(session.caller);
  Object.freeze(session.callee);
  return Object.freeze(session);
}

function tuple(reply: ScriptReply): ScriptReply[] {
  if (!Array.isArray(reply)) throw new Error(`Unexpected script reply: ${String(reply)}`);
  return reply;
}

/** Parsed sessions kept by {@link RedisCallSessionStore.get} (oldest dropped beyond this). */
const PARSED_SESSIONS = 10_000;

/** {@link CallSessionStore} on Redis, shared by every replica; layout in call-session.lua.ts. */
@Injectable()
export class RedisCallSessionStore implements CallSessionStore {
  /**
   * The last JSON read per call and its parsed, frozen session: every signal reads the
   * session (answered from the client-side cache), and parsing the same JSON again was
   * the store's largest cost in the profile. A changed JSON is parsed afresh.
   */
  private readonly parsed = new Map<string, { raw: string; session: CallSession }>();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async get(callId: string): Promise<CallSession | undefined> {
    const raw = await timed(this.redis.get(redisKey('call', callId)));
    if (raw === null) {
      this.parsed.delete(callId);
      return undefined;
    }
    const known = this.parsed.get(callId);
    if (known?.raw === raw) return known.session;
    const session = frozen(parse(raw)!);
    this.parsed.delete(callId);
    this.parsed.set(callId, { raw, session });
    if (this.parsed.size > PARSED_SESSIONS) {
      this.parsed.delete(this.parsed.keys().next().value!);
    }
    return session;
  }

  async findByUser(userId: string): Promise<CallSession | undefined> {
    return parse(await this.run(FIND_BY_USER, userId));
  }

  async create(session: CallSession, ringTimeoutMs: number): Promise<CreateOutcome> {
    const [kind, raw] = tuple(await this.run(CREATE, JSON.stringify(session), ringTimeoutMs));
    if (kind === 'created') return { kind };
    if (kind === 'busy') return { kind };
    return { kind: 'member', session: parse(raw)! };
  }

  async accept(
    callId: string,
    userId: string,
    socketId: string,
    answeredAt: string,
  ): Promise<AcceptOutcome> {
    const [kind, raw] = tuple(await this.run(ACCEPT, callId, userId, socketId, answeredAt));
    if (kind === 'accepted') return { kind, session: parse(raw)! };
    if (kind === 'gone' || kind === 'not_callee' || kind === 'already_answered') return { kind };
    throw new Error(`Unexpected accept outcome: ${String(kind)}`);
  }

  async end(callId: string, onlyInPhase?: CallPhase): Promise<CallSession | undefined> {
    const ended = parse(await this.run(END, callId, onlyInPhase ?? ''));
    if (ended !== undefined) this.parsed.delete(callId);
    return ended;
  }

  async attach(
    callId: string,
    userId: string,
    socketId: string,
    expectedCarrier: string | null,
  ): Promise<CallSession | undefined> {
    return parse(await this.run(ATTACH, callId, userId, socketId, expectedCarrier ?? ''));
  }

  async detach(
    callId: string,
    userId: string,
    socketId: string,
    lastSocket: boolean,
    graceMs: number,
  ): Promise<boolean> {
    const armed = await this.run(DETACH, callId, userId, socketId, lastSocket ? 1 : 0, graceMs);
    return armed === 1;
  }

  async cancelGrace(callId: string, userId: string): Promise<void> {
    await timed(this.redis.zRem(redisKey('deadlines'), `grace:${callId}:${userId}`));
  }

  async claimExpired(limit: number): Promise<ExpiredCall[]> {
    const flat = tuple(await this.run(CLAIM_EXPIRED, limit));
    const expired: ExpiredCall[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      expired.push({
        reason: flat[i] === 'timeout' ? CallEndReason.Timeout : CallEndReason.Disconnected,
        session: parse(flat[i + 1])!,
      });
    }
    return expired;
  }

  async countByPhase(): Promise<Record<CallPhase, number>> {
    const [ringing, active] = await timed(
      Promise.all([
        this.redis.sCard(redisKey('calls', 'ringing')),
        this.redis.sCard(redisKey('calls', 'active')),
      ]),
    );
    return { ringing, active };
  }

  private run(script: RedisScript, ...args: (string | number)[]): Promise<ScriptReply> {
    return script.run(this.redis, [], [PREFIX, ...args]);
  }
}
