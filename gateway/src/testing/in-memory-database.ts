import type { QueryResultRow } from 'pg';
import type { DatabaseService } from '../database/database.service';

/** A users row as PostgreSQL returns it (see database/migrations.ts). */
export interface UserRecord {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: boolean;
  created_at: Date;
  last_seen_at: Date | null;
  disabled_at: Date | null;
}

/** A `calls` row the gateway wrote. */
export interface CallRecord {
  id: string;
  callerId: string;
  calleeId: string;
  endReason: string;
}

/**
 * Stands in for {@link DatabaseService} in the Docker-free wiring test: it answers the
 * few statements that test drives (find a user by id, record a finished call) from
 * memory, and refuses any other statement loudly, so a new query on that path fails the
 * test instead of returning nothing. The SQL itself is covered by `gateway:integration`
 * against a real PostgreSQL.
 */
export class InMemoryDatabase implements Pick<DatabaseService, 'query' | 'isReady'> {
  readonly users = new Map<string, UserRecord>();
  readonly calls: CallRecord[] = [];
  readonly statements: string[] = [];

  addUser(id: string, username: string, displayName: string): UserRecord {
    const row: UserRecord = {
      id,
      username,
      display_name: displayName,
      password_hash: '$argon2id$not-used-by-the-wiring-test',
      is_admin: false,
      created_at: new Date('2026-01-01T00:00:00Z'),
      last_seen_at: null,
      disabled_at: null,
    };
    this.users.set(id, row);
    return row;
  }

  query<T extends QueryResultRow>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const sql = text.replace(/\s+/g, ' ').trim();
    this.statements.push(sql);
    if (sql === 'SELECT * FROM users WHERE id = $1') {
      const row = this.users.get(String(params[0]));
      return Promise.resolve((row === undefined ? [] : [row]) as unknown as T[]);
    }
    if (sql.startsWith('INSERT INTO calls ')) {
      const [id, callerId, calleeId, , , , endReason] = params.map(String);
      this.calls.push({
        id: id ?? '',
        callerId: callerId ?? '',
        calleeId: calleeId ?? '',
        endReason: endReason ?? '',
      });
      return Promise.resolve([]);
    }
    return Promise.reject(new Error(`InMemoryDatabase does not answer: ${sql}`));
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
