import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { DatabaseService } from '../database/database.service';
import type { AccessTokenClaims } from './access-token.service';

/**
 * Decides whether an unexpired access token still belongs to a live session, so sign-out,
 * "sign out everywhere", password changes and disabling take effect before the token
 * expires. Interim: reads PostgreSQL (one indexed query); the shared store replaces it.
 */
@Injectable()
export class SessionRevocationService {
  constructor(private readonly db: DatabaseService) {}

  /** Records ended sessions (the refresh families are already revoked in PostgreSQL). */
  async revokeSessions(_sessionIds: readonly string[]): Promise<void> {
    await Promise.resolve();
  }

  /** Disabling: every session ended and new handshakes refused (PostgreSQL has the flag). */
  async disableUser(_userId: string, sessionIds: readonly string[]): Promise<void> {
    await this.revokeSessions(sessionIds);
  }

  async enableUser(_userId: string): Promise<void> {
    await Promise.resolve();
  }

  /** Throws 401 session_revoked / 403 account_disabled when the token's session ended. */
  async assertLive(claims: AccessTokenClaims): Promise<void> {
    const rows = await this.db.query<{ live: boolean; disabled: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM refresh_tokens
                       WHERE family_id = $2 AND user_id = $1 AND revoked_at IS NULL) AS live,
              EXISTS (SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NOT NULL) AS disabled`,
      [claims.userId, claims.sessionId],
    );
    const row = rows[0];
    if (row?.disabled === true) throw ApiError.accountDisabled();
    if (row?.live !== true) throw ApiError.sessionRevoked();
  }
}
