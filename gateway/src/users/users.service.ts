import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { AdminUser, Contact, CurrentUser, UserSummary } from '@callgate/protocol';
import { DatabaseService } from '../database/database.service';
import { CallgateError } from '../common/callgate-error';
import { PresenceService } from '../signaling/presence.service';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: boolean;
  created_at: Date;
  last_seen_at: Date | null;
  disabled_at: Date | null;
}

/** An account with its password hash; never leaves the gateway. */
export interface StoredUser extends CurrentUser {
  passwordHash: string;
  disabledAt: Date | null;
  lastSeenAt: Date | null;
}

const UNIQUE_VIOLATION = '23505';
const SEARCH_LIMIT = 50;
const ADMIN_LIST_LIMIT = 1000;

function toStoredUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at.toISOString(),
    isAdmin: row.is_admin,
    passwordHash: row.password_hash,
    disabledAt: row.disabled_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** Public view of a stored user. */
export function toCurrentUser(user: StoredUser): CurrentUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    createdAt: user.createdAt,
    isAdmin: user.isAdmin,
  };
}

export function toSummary(user: UserSummary): UserSummary {
  return { id: user.id, username: user.username, displayName: user.displayName };
}

export function toAdminUser(user: StoredUser): AdminUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    createdAt: user.createdAt,
    lastSeenAt: user.lastSeenAt?.toISOString() ?? null,
    disabledAt: user.disabledAt?.toISOString() ?? null,
  };
}

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  isAdmin: boolean;
}

/** Accounts in PostgreSQL. Usernames are stored lower-case and unique case-insensitively. */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: DatabaseService,
    private readonly presence: PresenceService,
  ) {}

  /** Inserts an account inside the caller's transaction (registration, admin command). */
  async create(client: PoolClient, user: NewUser): Promise<StoredUser> {
    try {
      const result = await client.query<UserRow>(
        `INSERT INTO users (username, display_name, password_hash, is_admin, last_seen_at)
         VALUES ($1, $2, $3, $4, now()) RETURNING *`,
        [user.username, user.displayName, user.passwordHash, user.isAdmin],
      );
      return toStoredUser(result.rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw CallgateError.conflict(`The username "${user.username}" is taken; choose another.`);
      }
      throw error;
    }
  }

  async findByUsername(username: string): Promise<StoredUser | undefined> {
    const rows = await this.db.query<UserRow>(
      'SELECT * FROM users WHERE lower(username) = lower($1)',
      [username],
    );
    return rows[0] === undefined ? undefined : toStoredUser(rows[0]);
  }

  async findById(id: string): Promise<StoredUser | undefined> {
    const rows = await this.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toStoredUser(rows[0]);
  }

  /** The account behind a session; 401 when it is gone, 403 when it is disabled. */
  async getActive(id: string): Promise<StoredUser> {
    const user = await this.findById(id);
    if (user === undefined)
      throw CallgateError.unauthorized('This account no longer exists; sign in again.');
    if (user.disabledAt !== null) throw CallgateError.accountDisabled();
    return user;
  }

  /** Records activity for the admin page's "last seen". */
  async touch(id: string): Promise<void> {
    await this.db.query('UPDATE users SET last_seen_at = now() WHERE id = $1', [id]);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
  }

  /** Disables (`true`) or re-enables an account; the row after the change, or undefined. */
  async setDisabled(id: string, disabled: boolean): Promise<StoredUser | undefined> {
    const rows = await this.db.query<UserRow>(
      `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
        WHERE id = $1 RETURNING *`,
      [id, disabled],
    );
    return rows[0] === undefined ? undefined : toStoredUser(rows[0]);
  }

  /** Everyone, for the admin page (newest first). */
  async listAll(): Promise<StoredUser[]> {
    const rows = await this.db.query<UserRow>(
      `SELECT * FROM users ORDER BY created_at DESC, username LIMIT ${ADMIN_LIST_LIMIT}`,
    );
    return rows.map(toStoredUser);
  }

  /** People `viewerId` can call whose username or display name contains `query`. */
  async search(viewerId: string, query: string): Promise<Contact[]> {
    const pattern = `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const rows = await this.db.query<UserRow>(
      `SELECT * FROM users
        WHERE id <> $1 AND disabled_at IS NULL AND (username ILIKE $2 OR display_name ILIKE $2)
        ORDER BY username
        LIMIT ${SEARCH_LIMIT}`,
      [viewerId, pattern],
    );
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      online: this.presence.isOnline(row.id),
    }));
  }
}
