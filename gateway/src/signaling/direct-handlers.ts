import { Injectable } from '@nestjs/common';
import type { ClientEventName, ClientPayload } from '@callgate/protocol';
import type { SignalingAckFilter } from './signaling-ack.filter';
import type { SignalingGuard } from './signaling.guard';
import { SignalingPayloadPipe } from './signaling-payload.pipe';
import type { SignalingSocket } from './socket-session';

/** A socket event handler called straight from socket.io: payload and ack as sent. */
export type DirectHandler = (socket: SignalingSocket, payload: unknown, ack: unknown) => void;

/** What Nest's pipeline runs around a handler, run here by hand. */
export interface DirectChecks {
  guard: SignalingGuard;
  filter: SignalingAckFilter;
}

/**
 * Socket events handled without Nest's per-message pipeline. Nest wraps every message in
 * several async layers (guards, pipes, interceptors, exception zone) and an RxJS
 * Observable: ~8 % of the gateway's CPU under load, mostly for `signal`, 12 of the 15
 * messages of a call set-up (docs/BENCHMARKS.md §2). {@link bind} applies the same guard,
 * payload check and ack filter itself, so the answers are identical. LeanIoAdapter binds
 * these instead of Nest's handler for the same (still decorated) event.
 */
@Injectable()
export class DirectHandlers {
  private readonly handlers = new Map<string, DirectHandler>();

  register(event: string, handler: DirectHandler): void {
    this.handlers.set(event, handler);
  }

  /**
   * `event` runs: guard, compiled payload check, `handle`, then its result as the ack, or
   * any failure through the ack filter (`{ ok: false, error }`), in Nest's order.
   */
  bind<E extends ClientEventName>(
    event: E,
    { guard, filter }: DirectChecks,
    handle: (socket: SignalingSocket, body: ClientPayload<E>) => Promise<unknown>,
  ): void {
    const pipe = new SignalingPayloadPipe(event);
    this.register(event, (socket, payload, ack) => {
      const answer = (reply: unknown): void => {
        if (typeof ack === 'function') (ack as (reply: unknown) => void)(reply);
      };
      try {
        guard.check(socket, event);
        handle(socket, pipe.transform(payload)).then(answer, (error: unknown) =>
          filter.answer(error, ack),
        );
      } catch (error) {
        filter.answer(error, ack);
      }
    });
  }

  get(event: string): DirectHandler | undefined {
    return this.handlers.get(event);
  }
}
