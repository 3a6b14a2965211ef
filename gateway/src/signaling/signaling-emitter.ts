import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type {
  ClientToServerEvents,
  ServerEventName,
  ServerPayload,
  ServerToClientEvents,
} from '@callgate/protocol';
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

/**
 * Typed server→client sends, by user (every tab) or by socket (one tab). The gateway
 * binds the namespace at init; services depend on this instead of on the gateway.
 */
@Injectable()
export class SignalingEmitter {
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

  toSocket<E extends ServerEventName>(socketId: string, event: E, payload: ServerPayload<E>): void {
    (this.server().to(socketId).emit as (event: E, payload: ServerPayload<E>) => boolean)(
      event,
      payload,
    );
  }

  toEveryone<E extends ServerEventName>(
    event: E,
    payload: ServerPayload<E>,
    exceptSocketId?: string,
  ): void {
    const server = this.server();
    const scoped = exceptSocketId === undefined ? server : server.except(exceptSocketId);
    (scoped.emit as (event: E, payload: ServerPayload<E>) => boolean)(event, payload);
  }

  private server(): SignalingNamespace {
    if (this.namespace === undefined)
      throw new Error('Signaling namespace used before the gateway initialised.');
    return this.namespace;
  }
}
