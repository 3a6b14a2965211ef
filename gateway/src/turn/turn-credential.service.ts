import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TurnCredentials } from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';

/**
 * coturn's shared-secret ("TURN REST API") credential:
 * `username = "<unix expiry>:<user id>"`, `credential = base64(HMAC-SHA1(secret, username))`.
 */
export function turnCredential(
  secret: string,
  expiryUnixSeconds: number,
  userId: string,
): {
  username: string;
  credential: string;
} {
  const username = `${expiryUnixSeconds}:${userId}`;
  const credential = createHmac('sha1', secret).update(username, 'utf8').digest('base64');
  return { username, credential };
}

/** Issues short-lived TURN credentials, signed with the first of TURN_SECRETS. */
@Injectable()
export class TurnCredentialService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** Lifetime of issued credentials, seconds. */
  get ttlSeconds(): number {
    return this.config.turn.ttlSeconds;
  }

  issue(userId: string, channel: 'rest' | 'socket', now: number = Date.now()): TurnCredentials {
    const ttl = this.config.turn.ttlSeconds;
    const expiry = Math.floor(now / 1000) + ttl;
    const { username, credential } = turnCredential(this.config.turn.secrets[0]!, expiry, userId);
    this.metrics.turnCredentialsIssued.inc({ channel });
    return {
      iceServers: [{ urls: [...this.config.turn.urls], username, credential }],
      ttl,
      expiresAt: new Date(expiry * 1000).toISOString(),
    };
  }
}
