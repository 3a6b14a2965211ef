import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  type CreatedInvite,
  INVITE_DEFAULT_HOURS,
  INVITE_QUERY_PARAM,
  type Invite,
  type InviteStatus,
} from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { DatabaseService } from '../database/database.service';

interface InviteRow {
  id: string;
  note: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  used_by_username: string | null;
}

const LIST_LIMIT = 200;
const SELECT_INVITES = `
  SELECT i.id, i.note, i.created_at, i.expires_at, i.used_at, i.revoked_at,
         u.username AS used_by_username
    FROM invites i LEFT JOIN users u ON u.id = i.used_by`;

/** The one sentence each unusable invite gets at sign-up. */
export const INVITE_SENTENCES = {
  missing: 'Signing up needs an invite link; ask an administrator for one.',
  unknown: 'This invite link is not valid; ask an administrator for a new one.',
  used: 'This invite link has already been used; ask an administrator for a new one.',
  expired: 'This invite link has expired; ask an administrator for a new one.',
} as const;

function hashInviteToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function statusOf(row: InviteRow, now: number): InviteStatus {
  if (row.used_at !== null) return 'used';
  if (row.revoked_at !== null) return 'revoked';
  return row.expires_at.getTime() <= now ? 'expired' : 'pending';
}

function toInvite(row: InviteRow, now: number): Invite {
  return {
    id: row.id,
    note: row.note,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    status: statusOf(row, now),
    usedBy: row.used_by_username,
  };
}

/**
 * Single-use, expiring invite links. The token (32 random bytes) is shown once at creation
 * and stored only as its SHA-256, like refresh tokens.
 */
@Injectable()
export class InvitesService {
  constructor(private readonly db: DatabaseService) {}

  async create(
    createdBy: string,
    expiresInHours = INVITE_DEFAULT_HOURS,
    note?: string,
  ): Promise<CreatedInvite> {
    const token = randomBytes(32).toString('base64url');
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO invites (token_hash, note, created_by, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING id`,
      [hashInviteToken(token), note ?? null, createdBy, expiresInHours],
    );
    const invite = await this.get(rows[0]!.id);
    return {
      ...invite,
      token,
      path: `/signup?${INVITE_QUERY_PARAM}=${encodeURIComponent(token)}`,
    };
  }

  async list(): Promise<Invite[]> {
    const rows = await this.db.query<InviteRow>(
      `${SELECT_INVITES} ORDER BY i.created_at DESC LIMIT ${LIST_LIMIT}`,
    );
    const now = Date.now();
    return rows.map((row) => toInvite(row, now));
  }

  /** Revokes a pending invite; a used one cannot be revoked (404 for unknown ids). */
  async revoke(id: string): Promise<Invite> {
    const current = await this.get(id);
    if (current.status === 'used') {
      throw CallgateError.conflict('This invite was already used; disable the account instead.');
    }
    await this.db.query(
      'UPDATE invites SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND used_at IS NULL',
      [id],
    );
    return this.get(id);
  }

  /**
   * Marks the invite used by `userId` inside the registration transaction, or throws a
   * 403 with the one sentence that says why it cannot be used. The row lock makes two
   * sign-ups with the same link race: exactly one commits.
   */
  async consume(
    client: PoolClient,
    token: string | undefined,
  ): Promise<(userId: string) => Promise<void>> {
    if (token === undefined || token === '')
      throw CallgateError.forbidden(INVITE_SENTENCES.missing);
    const found = await client.query<InviteRow>(
      `SELECT id, note, created_at, expires_at, used_at, revoked_at, NULL AS used_by_username
         FROM invites WHERE token_hash = $1 FOR UPDATE`,
      [hashInviteToken(token)],
    );
    const row = found.rows[0];
    if (row === undefined) throw CallgateError.forbidden(INVITE_SENTENCES.unknown);
    switch (statusOf(row, Date.now())) {
      case 'used':
        throw CallgateError.forbidden(INVITE_SENTENCES.used);
      case 'revoked':
        throw CallgateError.forbidden(INVITE_SENTENCES.unknown);
      case 'expired':
        throw CallgateError.forbidden(INVITE_SENTENCES.expired);
      case 'pending':
        break;
    }
    return async (userId) => {
      await client.query('UPDATE invites SET used_at = now(), used_by = $2 WHERE id = $1', [
        row.id,
        userId,
      ]);
    };
  }

  private async get(id: string): Promise<Invite> {
    const rows = await this.db.query<InviteRow>(`${SELECT_INVITES} WHERE i.id = $1`, [id]);
    if (rows[0] === undefined) throw CallgateError.notFound('There is no invite with this id.');
    return toInvite(rows[0], Date.now());
  }
}
