import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { SessionRevocationService } from './session-revocation.service';
import { CallgateError } from '../common/callgate-error';

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
  /** The session: every token of one sign-in shares it, and access tokens carry it. */
  familyId: string;
}

interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  family_started_at: Date;
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
 * was copied, so the whole family is revoked. A token expires at the earlier of the
 * idle timeout (from its issue) and the family's absolute lifetime (from sign-in), so
 * refreshing never extends a session past SESSION_MAX_LIFETIME_SECONDS.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger(RefreshTokenService.name);
  /** Clock, replaceable in tests. */
  now: () => number = () => Date.now();

  constructor(
    private readonly db: DatabaseService,
    private readonly revocations: SessionRevocationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a new session family for `userId`. */
  async issue(userId: string): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    const familyId = randomUUID();
    const startedAt = new Date(this.now());
    const expiresAt = this.expiry(startedAt);
    await this.db.query(
      `INSERT INTO refresh_tokens (user_id, family_id, family_started_at, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [userId, familyId, startedAt, hashRefreshToken(token), expiresAt],
    );
    return { token, expiresAt, familyId };
  }

  /** Exchanges a live token for its successor; throws a 401 {@link CallgateError} otherwise. */
  async rotate(token: string | undefined): Promise<IssuedRefreshToken & { userId: string }> {
    if (token === undefined || token === '')
      throw CallgateError.unauthorized('No session cookie was sent; sign in.');
    const outcome = await this.db.transaction(async (client) => {
      const found = await client.query<RefreshTokenRow>(
        `SELECT id, user_id, family_id, family_started_at, expires_at, rotated_at, revoked_at
           FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
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
      if (row.expires_at.getTime() <= this.now()) return { kind: 'ended' as const };
      const next = randomBytes(32).toString('base64url');
      const expiresAt = this.expiry(row.family_started_at);
      await client.query('UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1', [row.id]);
      await client.query(
        `INSERT INTO refresh_tokens (user_id, family_id, family_started_at, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [row.user_id, row.family_id, row.family_started_at, hashRefreshToken(next), expiresAt],
      );
      return {
        kind: 'rotated' as const,
        userId: row.user_id,
        familyId: row.family_id,
        token: next,
        expiresAt,
      };
    });
    if (outcome.kind === 'reused') {
      // The copy's access tokens and sockets go too, not only its refresh tokens.
      await this.revocations.revokeSessions([outcome.row.family_id]);
      this.logger.warn(
        `Refresh token reuse detected for user ${outcome.row.user_id}; revoked session family ${outcome.row.family_id}`,
      );
      throw CallgateError.unauthorized(SESSION_ENDED);
    }
    if (outcome.kind === 'ended') throw CallgateError.unauthorized(SESSION_ENDED);
    return {
      userId: outcome.userId,
      familyId: outcome.familyId,
      token: outcome.token,
      expiresAt: outcome.expiresAt,
    };
  }

  /** Revokes the family `token` belongs to (logout); returns its id. Unknown tokens: null. */
  async revokeFamily(token: string | undefined): Promise<string | null> {
    if (token === undefined || token === '') return null;
    const rows = await this.db.query<{ family_id: string }>(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE revoked_at IS NULL
          AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)
        RETURNING family_id`,
      [hashRefreshToken(token)],
    );
    return rows[0]?.family_id ?? null;
  }

  /**
   * Revokes every live family of `userId` except `keepFamilyId`; returns the revoked ids
   * so their access tokens can be refused too.
   */
  async revokeAllForUser(userId: string, keepFamilyId?: string): Promise<string[]> {
    const rows = await this.db.query<{ family_id: string }>(
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2::uuid
        RETURNING family_id`,
      [userId, keepFamilyId ?? null],
    );
    return [...new Set(rows.map((row) => row.family_id))];
  }

  private expiry(familyStartedAt: Date): Date {
    const idleEnd = this.now() + this.config.sessions.idleTimeoutSeconds * 1000;
    const absoluteEnd = familyStartedAt.getTime() + this.config.sessions.maxLifetimeSeconds * 1000;
    return new Date(Math.min(idleEnd, absoluteEnd));
  }
}
