import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type {
  ClientToServerEvents,
  ServerEventName,
  ServerPayload,
  ServerToClientEvents,
} from '@callgate/protocol';
import type { CallNotifier } from '../calls/call-notifier';
import type { SocketData } from './socket-session';

export type SignalingNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** Room every socket of one user joins. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** Room of the sockets that subscribed to one user's presence. */
export function watchersRoom(userId: string): string {
  return `presence:${userId}`;
}

/**
 * Typed server→client sends, by user (every tab), by socket (one tab) or to the watchers
 * of a user's presence. Rooms span replicas through the socket.io Redis adapter. The
 * gateway binds the namespace at init; services depend on this instead of on the gateway.
 */
@Injectable()
export class SignalingEmitter implements CallNotifier {
  private namespace: SignalingNamespace | undefined;

  bind(namespace: SignalingNamespace): void {
    this.namespace = namespace;
  }

  toUser<E extends ServerEventName>(
    userId: string,
    event: E,
    payload: ServerPayload<E>,
    exceptSocketId?: string,
  ): void {
    const target = this.server().to(userRoom(userId));
    const scoped = exceptSocketId === undefined ? target : target.except(exceptSocketId);
    (scoped.emit as (event: E, payload: ServerPayload<E>) => boolean)(event, payload);
  }

  /**
   * A user room without the adapter: no XADD of the message to the Redis stream (and no
   * read-back by every replica) when presence says every socket of the user is here. Each
   * socket of the room is sent to as {@link toSocket} does: a local room broadcast writes a
   * pre-encoded frame past the socket's send, so it would leave in a write of its own
   * instead of joining the turn's batched write (TurnBatchedWebSocket).
   */
  toUserHere<E extends ServerEventName>(userId: string, event: E, payload: ServerPayload<E>): void {
    const server = this.server();
    const room = server.adapter.rooms.get(userRoom(userId));
    if (room === undefined) return;
    for (const socketId of room) {
      const socket = server.sockets.get(socketId);
      if (socket !== undefined)
        (socket.emit as (event: E, payload: ServerPayload<E>) => boolean).call(
          socket,
          event,
          payload,
        );
    }
  }

  /**
   * One socket. When it is on this replica it is sent to directly: a room emit would also
   * append the message to the adapter's Redis stream (an XADD of the whole SDP, read back
   * by every replica) although no other replica can hold that socket id. Only a socket on
   * another replica goes through the adapter.
   */
  toSocket<E extends ServerEventName>(socketId: string, event: E, payload: ServerPayload<E>): void {
    const server = this.server();
    const target = server.sockets.get(socketId) ?? server.to(socketId);
    (target.emit as (event: E, payload: ServerPayload<E>) => boolean).call(target, event, payload);
  }

  /** `presence` to the sockets that subscribed to `userId` (never to everyone). */
  presenceChanged(userId: string, online: boolean): void {
    this.server().to(watchersRoom(userId)).emit('presence', { userId, online });
  }

  private server(): SignalingNamespace {
    if (this.namespace === undefined)
      throw new Error('Signaling namespace used before the gateway initialised.');
    return this.namespace;
  }
}
