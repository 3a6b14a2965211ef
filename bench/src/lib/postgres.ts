import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { onCleanup } from './cleanup.ts';

export interface Database {
  url: string;
  container: StartedPostgreSqlContainer;
  stop: () => Promise<void>;
}

/** A throw-away PostgreSQL 17 for the gateway, published on loopback only. */
export async function startPostgres(): Promise<Database> {
  const container = await new PostgreSqlContainer('postgres:17')
    .withDatabase('callgate')
    .withUsername('callgate')
    .withPassword('bench-password-not-secret')
    .start();
  const stop = onCleanup('postgres container', async () => {
    await container.stop({ timeout: 5_000 });
  });
  return { url: container.getConnectionUri(), container, stop };
}
