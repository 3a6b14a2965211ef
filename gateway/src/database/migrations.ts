/**
 * Versioned schema migrations, applied in order at start-up and recorded in
 * `schema_migrations`. Never edit a published migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts_sessions_calls',
    sql: `
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
        display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 64),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_username_key ON users (lower(username));

      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

      CREATE TABLE calls (
        id uuid PRIMARY KEY,
        caller_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        callee_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL,
        answered_at timestamptz,
        ended_at timestamptz NOT NULL,
        end_reason text NOT NULL CHECK (end_reason IN
          ('declined', 'busy', 'hangup', 'cancelled', 'timeout', 'disconnected', 'answered_elsewhere'))
      );
      CREATE INDEX calls_caller_idx ON calls (caller_id, started_at DESC);
      CREATE INDEX calls_callee_idx ON calls (callee_id, started_at DESC);
    `,
  },
  {
    version: 2,
    name: 'admins_invites_session_lifetimes',
    sql: `
      ALTER TABLE users
        ADD COLUMN is_admin boolean NOT NULL DEFAULT false,
        ADD COLUMN disabled_at timestamptz,
        ADD COLUMN last_seen_at timestamptz;
      -- An installation that predates admins: its oldest account becomes one, so someone can invite.
      UPDATE users SET is_admin = true
        WHERE id = (SELECT id FROM users ORDER BY created_at, id LIMIT 1);

      -- The absolute lifetime counts from the family's sign-in, not from the last rotation.
      ALTER TABLE refresh_tokens ADD COLUMN family_started_at timestamptz;
      UPDATE refresh_tokens r SET family_started_at =
        (SELECT min(f.created_at) FROM refresh_tokens f WHERE f.family_id = r.family_id);
      ALTER TABLE refresh_tokens
        ALTER COLUMN family_started_at SET NOT NULL,
        ALTER COLUMN family_started_at SET DEFAULT now();
      CREATE INDEX refresh_tokens_live_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

      CREATE TABLE invites (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL UNIQUE,
        note text CHECK (char_length(note) BETWEEN 1 AND 64),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        used_by uuid REFERENCES users (id) ON DELETE SET NULL,
        revoked_at timestamptz
      );
      CREATE INDEX invites_created_idx ON invites (created_at DESC);
    `,
  },
];
