import { io, type Socket } from 'socket.io-client';
import {
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@callgate/protocol';

export type SignalingClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A signaling identity: user id plus the handshake token (for the baseline, the id). */
export interface BenchUser {
  id: string;
  token: string;
}

/** Loopback source addresses the load generators spread their connections over. */
export function sourceAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/**
 * Opens one authenticated websocket-only socket.io connection for `user`, bound to
 * `localAddress`; resolves once connected, rejects with the server's connect_error.
 */
export function connectClient(
  baseUrl: string,
  user: BenchUser,
  localAddress: string,
  timeoutMs = 20_000,
): Promise<SignalingClient> {
  const socket: SignalingClient = io(`${baseUrl}${SIGNALING_NAMESPACE}`, {
    path: SIGNALING_PATH,
    transports: ['websocket'],
    auth: { token: user.token },
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
    // engine.io-client passes this through to `ws` on Node.
    localAddress,
  } as Parameters<typeof io>[1] & { localAddress: string });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(new Error(`connect ${user.id} from ${localAddress}: ${refusal(error)}`));
    });
  });
}

/**
 * The server's refusal in full: the gateway's `connect_error` carries only the contract
 * reason in `message` (`unauthorized` for a bad token, a gone account and an internal
 * failure alike) and the code and sentence that tell them apart in `data`.
 */
export function refusal(error: Error & { data?: unknown }): string {
  const data = error.data as { code?: unknown; message?: unknown } | undefined;
  if (typeof data?.message !== 'string') return error.message;
  return `refused with ${error.message} (${String(data.code)}: ${data.message})`;
}
