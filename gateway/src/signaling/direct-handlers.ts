import { Injectable } from '@nestjs/common';
import type { SignalingSocket } from './socket-session';

/** A socket event handler called straight from socket.io: payload and ack as sent. */
export type DirectHandler = (socket: SignalingSocket, payload: unknown, ack: unknown) => void;

/**
 * Socket events handled without Nest's per-message pipeline. Nest wraps every message in
 * several async layers (guards, pipes, interceptors, exception zone) and an RxJS
 * Observable: ~8 % of the gateway's CPU under load for `signal`, 12 of the 15 messages of a
 * call set-up (docs/BENCHMARKS.md §2). A direct handler applies the same guard, payload
 * check and ack filter itself (see SignalingGateway), so its answers are identical.
 * LeanIoAdapter binds these instead of Nest's handler for the same event.
 */
@Injectable()
export class DirectHandlers {
  private readonly handlers = new Map<string, DirectHandler>();

  register(event: string, handler: DirectHandler): void {
    this.handlers.set(event, handler);
  }

  get(event: string): DirectHandler | undefined {
    return this.handlers.get(event);
  }
}
