import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { CallgateError } from '../common/callgate-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** What a verified access token says. */
export interface AccessTokenClaims {
  userId: string;
  /** The refresh family (session) the token was issued for; revocation is per session. */
  sessionId: string;
  /** Expiry as epoch milliseconds. */
  expiresAt: number;
}

const ALGORITHM = 'HS256';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Issues and verifies access tokens: HS256 only (a token naming `none` or RS256 is
 * refused before its signature is looked at), issuer and audience checked, `sub` = user id.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.jwt.accessTokenTtlSeconds;
  }

  async issue(userId: string, sessionId: string): Promise<{ token: string; expiresIn: number }> {
    const token = await this.jwt.signAsync(
      { sid: sessionId },
      {
        secret: this.config.jwt.secret,
        algorithm: ALGORITHM,
        subject: userId,
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        expiresIn: this.config.jwt.accessTokenTtlSeconds,
      },
    );
    return { token, expiresIn: this.config.jwt.accessTokenTtlSeconds };
  }

  /** Throws a {@link CallgateError}: `unauthorized`, or `token_expired` (refresh and retry). */
  async verify(token: unknown): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token === '') {
      throw CallgateError.unauthorized('An access token is required.');
    }
    let payload: { sub?: unknown; exp?: unknown; sid?: unknown };
    try {
      payload = await this.jwt.verifyAsync<{ sub?: unknown; exp?: unknown; sid?: unknown }>(token, {
        secret: this.config.jwt.secret,
        algorithms: [ALGORITHM],
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'TokenExpiredError') {
        throw CallgateError.tokenExpired('The access token has expired; refresh it.');
      }
      throw CallgateError.unauthorized('The access token is not valid.');
    }
    if (
      typeof payload.sub !== 'string' ||
      !UUID.test(payload.sub) ||
      typeof payload.sid !== 'string' ||
      !UUID.test(payload.sid) ||
      typeof payload.exp !== 'number'
    ) {
      throw CallgateError.unauthorized('The access token is not valid.');
    }
    return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp * 1000 };
  }
}
