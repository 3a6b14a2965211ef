import type { BenchUser } from './clients.ts';

/** A connection the bench opened (socket.io-client or the wire client). */
export interface Closable {
  close(): void;
}

/** Opens one connection: `user` to `baseUrl`, from the loopback source `address`. */
export type Connect<C extends Closable> = (
  baseUrl: string,
  user: BenchUser,
  address: string,
) => Promise<C>;

/**
 * Connects every user with at most `concurrency` handshakes in flight; user i goes to
 * `baseUrls[i % baseUrls.length]` (the replicas of one gateway) from
 * `addresses[i % addresses.length]`. Result i is user i's connection. When one
 * connection fails, every one already open is closed and the error is thrown: a failed
 * set-up leaves no socket behind to load the server of the next run.
 */
export async function connectAll<C extends Closable>(
  baseUrls: readonly string[],
  users: readonly BenchUser[],
  addresses: readonly string[],
  connect: Connect<C>,
  concurrency = 64,
): Promise<C[]> {
  if (baseUrls.length === 0 || addresses.length === 0) {
    throw new Error('connectAll needs at least one server URL and one source address');
  }
  const connections = new Array<C>(users.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < users.length && !failed) {
      const index = next++;
      try {
        connections[index] = await connect(
          baseUrls[index % baseUrls.length]!,
          users[index]!,
          addresses[index % addresses.length]!,
        );
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.max(1, concurrency) }, worker),
  );
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected !== undefined) {
    for (const connection of connections) connection?.close();
    throw rejected.reason;
  }
  return connections;
}
