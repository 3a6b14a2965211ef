import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ErrorCode, type SessionEnded } from '@callgate/protocol';
import { Observable, Subject } from 'rxjs';
import { CallgateError } from '../common/callgate-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  duplicateWithoutCache,
  REDIS_CLIENT,
  type RedisClient,
  redisKey,
} from '../redis/redis.client';
import type { AccessTokenClaims } from './access-token.service';

/** Which live sockets must go, and what their pages are told. */
export interface SessionsEnded {
  /** Sockets of these sessions (refresh families)… */
  sessionIds: string[];
  /** …or every socket of this account (disabling). */
  userId?: string;
  notice: SessionEnded;
}

const CHANNEL = redisKey('sessions-ended');
/** A revoked marker outlives every access token of the session by this margin. */
const MARGIN_SECONDS = 60;

export const SESSION_ENDED_NOTICE: SessionEnded = {
  code: ErrorCode.SessionRevoked,
  message: 'You were signed out of this session; sign in again.',
};
export const ACCOUNT_DISABLED_NOTICE: SessionEnded = {
  code: ErrorCode.AccountDisabled,
  message: 'An administrator has disabled your account, so you were signed out.',
};

function sessionKey(sessionId: string): string {
  return redisKey('revoked', 'session', sessionId);
}
function disabledKey(userId: string): string {
  return redisKey('disabled', userId);
}

/**
 * Ends sessions before their access tokens expire. Revoked sessions and disabled accounts
 * are markers in Redis that live as long as an access token can, so REST and the socket
 * handshake check a token with one MGET (no database). Every replica subscribes to one
 * channel and cuts its own sockets of an ended session; `ended$` is what it heard.
 */
@Injectable()
export class SessionRevocationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SessionRevocationService.name);
  private readonly endings = new Subject<SessionsEnded>();
  private subscriber: RedisClient | undefined;

  /** Sessions ended anywhere (this replica or another): cut the matching local sockets. */
  readonly ended$: Observable<SessionsEnded> = this.endings.asObservable();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // Subscribe mode takes a connection of its own; this is the only extra one. It reads
    // nothing, so it neither tracks keys nor shares (and on reconnect clears) the cache.
    const subscriber = duplicateWithoutCache(this.redis);
    subscriber.on('error', (error: Error) =>
      this.logger.warn(`Session channel connection: ${error.message}`),
    );
    this.subscriber = subscriber;
    await subscriber.connect();
    await subscriber.subscribe(CHANNEL, (message) => this.heard(message));
  }

  onApplicationShutdown(): void {
    this.endings.complete();
    if (this.subscriber?.isOpen === true) this.subscriber.destroy();
  }

  /** Sign-out, sign out everywhere, password change: these sessions end now. */
  async revokeSessions(
    sessionIds: readonly string[],
    notice = SESSION_ENDED_NOTICE,
  ): Promise<void> {
    if (sessionIds.length === 0) return;
    const ttl = this.markerTtl();
    const multi = this.redis.multi();
    for (const id of sessionIds) multi.set(sessionKey(id), '1', { EX: ttl });
    await multi.exec();
    await this.announce({ sessionIds: [...sessionIds], notice });
  }

  /** Disabling: every session ended, and any token of the account refused. */
  async disableUser(userId: string, sessionIds: readonly string[]): Promise<void> {
    const ttl = this.markerTtl();
    const multi = this.redis.multi();
    multi.set(disabledKey(userId), '1', { EX: ttl });
    for (const id of sessionIds) multi.set(sessionKey(id), '1', { EX: ttl });
    await multi.exec();
    await this.announce({ sessionIds: [...sessionIds], userId, notice: ACCOUNT_DISABLED_NOTICE });
  }

  /** Re-enabling: new sign-ins work at once (old sessions stay ended). */
  async enableUser(userId: string): Promise<void> {
    await this.redis.del(disabledKey(userId));
  }

  /** Throws 401 session_revoked / 403 account_disabled when the token's session ended. */
  async assertLive(claims: AccessTokenClaims): Promise<void> {
    const [session, disabled] = await this.redis.mGet([
      sessionKey(claims.sessionId),
      disabledKey(claims.userId),
    ]);
    if (disabled !== null && disabled !== undefined) throw CallgateError.accountDisabled();
    if (session !== null && session !== undefined) throw CallgateError.sessionRevoked();
  }

  private async announce(ended: SessionsEnded): Promise<void> {
    await this.redis.publish(CHANNEL, JSON.stringify(ended));
  }

  private heard(message: string): void {
    try {
      this.endings.next(JSON.parse(message) as SessionsEnded);
    } catch (error) {
      this.logger.warn(`Ignored a malformed session-ended message: ${(error as Error).message}`);
    }
  }

  private markerTtl(): number {
    return this.config.jwt.accessTokenTtlSeconds + MARGIN_SECONDS;
  }
}
