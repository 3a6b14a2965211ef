import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { CallgateError } from '../common/callgate-error';

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

/** SHA-256 of the token: the database never holds a usable refresh token. */
export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

const SESSION_ENDED = 'Your session has ended; sign in again.';

/**
 * Opaque refresh tokens (32 random bytes), stored hashed, rotated on every use.
 * Each sign-in starts a family; presenting a token that was already rotated means it
 * was copied, so the whole family is revoked.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger(RefreshTokenService.name);

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a new session family for `userId`. */
  async issue(userId: string): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.expiry();
    await this.db.query(
      'INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)',
      [userId, randomUUID(), hashRefreshToken(token), expiresAt],
    );
    return { token, expiresAt };
  }

  /** Exchanges a live token for its successor; throws a 401 {@link CallgateError} otherwise. */
  async rotate(token: string | undefined): Promise<IssuedRefreshToken & { userId: string }> {
    if (token === undefined || token === '')
      throw CallgateError.unauthorized('No session cookie was sent; sign in.');
    const outcome = await this.db.transaction(async (client) => {
      const found = await client.query<RefreshTokenRow>(
        'SELECT id, user_id, family_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
        [hashRefreshToken(token)],
      );
      const row = found.rows[0];
      if (row === undefined || row.revoked_at !== null) return { kind: 'ended' as const };
      if (row.rotated_at !== null) {
        await client.query(
          'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
          [row.family_id],
        );
        return { kind: 'reused' as const, row };
      }
      if (row.expires_at.getTime() <= Date.now()) return { kind: 'ended' as const };
      const next = randomBytes(32).toString('base64url');
      const expiresAt = this.expiry();
      await client.query('UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1', [row.id]);
      await client.query(
        'INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)',
        [row.user_id, row.family_id, hashRefreshToken(next), expiresAt],
      );
      return { kind: 'rotated' as const, userId: row.user_id, token: next, expiresAt };
    });
    if (outcome.kind === 'reused') {
      this.logger.warn(
        `Refresh token reuse detected for user ${outcome.row.user_id}; revoked session family ${outcome.row.family_id}`,
      );
      throw CallgateError.unauthorized(SESSION_ENDED);
    }
    if (outcome.kind === 'ended') throw CallgateError.unauthorized(SESSION_ENDED);
    return { userId: outcome.userId, token: outcome.token, expiresAt: outcome.expiresAt };
  }

  /** Revokes the family `token` belongs to (logout). Unknown tokens are ignored. */
  async revokeFamily(token: string | undefined): Promise<void> {
    if (token === undefined || token === '') return;
    await this.db.query(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE revoked_at IS NULL
          AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)`,
      [hashRefreshToken(token)],
    );
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
  }
}
