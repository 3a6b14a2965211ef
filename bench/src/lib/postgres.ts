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
  // Straight to the container over Docker's bridge (as the stack's gateway reaches it), not
  // through the published port and Docker's userland proxy.
  const address = container.getIpAddress('bridge');
  const url = `postgres://${container.getUsername()}:${encodeURIComponent(container.getPassword())}@${address}:5432/${container.getDatabase()}`;
  return { url, container, stop };
}
