import { Injectable } from '@nestjs/common';
import type { Contact, CurrentUser, UserSummary } from '@callgate/protocol';
import { DatabaseService } from '../database/database.service';
import { CallgateError } from '../common/callgate-error';
import { PresenceService } from '../signaling/presence.service';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  created_at: Date;
}

/** An account with its password hash; never leaves the gateway. */
export interface StoredUser extends CurrentUser {
  passwordHash: string;
}

const UNIQUE_VIOLATION = '23505';
const SEARCH_LIMIT = 50;

function toStoredUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: row.created_at.toISOString(),
    passwordHash: row.password_hash,
  };
}

/** Public view of a stored user. */
export function toCurrentUser(user: StoredUser): CurrentUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    createdAt: user.createdAt,
  };
}

export function toSummary(user: CurrentUser): UserSummary {
  return { id: user.id, username: user.username, displayName: user.displayName };
}

/** Accounts in PostgreSQL. Usernames are stored lower-case and unique case-insensitively. */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: DatabaseService,
    private readonly presence: PresenceService,
  ) {}

  async create(username: string, displayName: string, passwordHash: string): Promise<StoredUser> {
    try {
      const rows = await this.db.query<UserRow>(
        `INSERT INTO users (username, display_name, password_hash) VALUES ($1, $2, $3) RETURNING *`,
        [username, displayName, passwordHash],
      );
      return toStoredUser(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw CallgateError.conflict(`The username "${username}" is taken; choose another.`);
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

  async getById(id: string): Promise<StoredUser> {
    const user = await this.findById(id);
    if (user === undefined)
      throw CallgateError.unauthorized('This account no longer exists; sign in again.');
    return user;
  }

  /** People `viewerId` can call whose username or display name contains `query`. */
  async search(viewerId: string, query: string): Promise<Contact[]> {
    const pattern = `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const rows = await this.db.query<UserRow>(
      `SELECT * FROM users
        WHERE id <> $1 AND (username ILIKE $2 OR display_name ILIKE $2)
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
