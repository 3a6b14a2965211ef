import type { Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, UserSummary } from '@callgate/protocol';
import type { CallMember } from '../calls/call-session';
import type { TokenBucket } from './token-bucket';

/** What the handshake middleware attaches to every authenticated socket. */
export interface SocketData {
  user: UserSummary;
  /** Session (refresh family) of the handshake token; sign-out of it cuts this socket. */
  sessionId: string;
  /** Access-token expiry, epoch ms; moved forward by `auth:refresh`. */
  tokenExpiresAt: number;
  rateLimit: TokenBucket;
  /** User ids whose presence this socket subscribed to. */
  watching: Set<string>;
  /**
   * The presence registration in flight or done (set at connect), so a disconnect undoes
   * only what was done. Kept on the socket, not in a WeakMap: V8 never shrinks a WeakMap's
   * table once its keys are collected (≈ 0.5 MiB kept after 19,800 sockets had closed).
   */
  registered?: Promise<boolean>;
}

export type SignalingSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** The call member a socket speaks for. */
export function identityOf(socket: SignalingSocket): CallMember {
  return { userId: socket.data.user.id, socketId: socket.id, summary: socket.data.user };
}
