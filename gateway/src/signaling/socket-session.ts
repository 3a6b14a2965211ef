import type { Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, UserSummary } from '@callgate/protocol';
import type { TokenBucket } from './token-bucket';

/** What the handshake middleware attaches to every authenticated socket. */
export interface SocketData {
  user: UserSummary;
  /** Session (refresh family) of the handshake token; sign-out of it cuts this socket. */
  sessionId: string;
  /** Access-token expiry, epoch ms; moved forward by `auth:refresh`. */
  tokenExpiresAt: number;
  rateLimit: TokenBucket;
}

export type SignalingSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** The caller of a call-service operation: one user on one socket. */
export interface SocketIdentity {
  userId: string;
  socketId: string;
  summary: UserSummary;
}

export function identityOf(socket: SignalingSocket): SocketIdentity {
  return { userId: socket.data.user.id, socketId: socket.id, summary: socket.data.user };
}
