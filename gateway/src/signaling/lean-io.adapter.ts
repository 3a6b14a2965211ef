import type { INestApplicationContext } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { type AckError, ErrorCode } from '@callgate/protocol';
import type { Observable } from 'rxjs';
import { DirectHandlers } from './direct-handlers';
import type { RedisIoAdapter } from './redis-io-adapter';
import type { SignalingSocket } from './socket-session';
import { TurnBatchedWebSocketServer } from './turn-batched-websocket';

/** The socket type of the socket.io copy Nest's adapter is built on. */
type NestIoSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];
type NestIoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;

/** A socket.io listener; socket.io calls it with `this` = the socket. */
type SocketListener = (this: NestIoSocket, ...args: unknown[]) => void;

/** What a handler's result (or a filter's) may carry back: an ack payload or an event. */
interface HandlerResponse {
  event?: string;
  data?: unknown;
}

/**
 * Nest's IoAdapter with the per-socket cost taken out. The stock adapter builds an RxJS
 * pipeline (`fromEvent` → `mergeMap` → `takeUntil(disconnect$)`) for every handler on
 * every socket and keeps it for the socket's life: about 25 kB per idle connection, three
 * times a bare socket.io server (docs/BENCHMARKS.md, memory). Here each handler is a plain
 * listener, and the per-message work (guards, pipes, filters via `transform`) and the
 * reply semantics are unchanged: a non-nil result with `event` is emitted, anything else
 * answers the ack unless the handler acks by itself. socket.io drops a socket's listeners
 * with the socket, so nothing outlives a disconnect.
 *
 * With `cluster` (the Redis streams adapter) the server's rooms and broadcasts span every
 * replica; ack semantics are untouched because acks answer the local socket directly.
 */
export class LeanIoAdapter extends IoAdapter {
  private direct: DirectHandlers | null | undefined;

  constructor(
    private readonly app?: INestApplicationContext,
    private readonly cluster?: RedisIoAdapter,
  ) {
    super(app);
  }

  /** The app's {@link DirectHandlers}, looked up once (none outside a full app). */
  private directHandlers(): DirectHandlers | null {
    if (this.direct !== undefined) return this.direct;
    try {
      this.direct = this.app?.get(DirectHandlers, { strict: false }) ?? null;
    } catch {
      this.direct = null;
    }
    return this.direct;
  }

  override createIOServer(
    port: number,
    options?: NestIoServerOptions,
  ): ReturnType<IoAdapter['createIOServer']> {
    // Frames to one client leave once per event-loop turn (see TurnBatchedWebSocket).
    const batched = { ...options, wsEngine: TurnBatchedWebSocketServer } as NestIoServerOptions;
    // The adapter package is typed against the top-level socket.io copy, Nest bundles its
    // own (same major version and adapter API, one shared socket.io-adapter).
    const adapter = this.cluster?.factory as unknown as NestIoServerOptions['adapter'];
    if (adapter === undefined) return super.createIOServer(port, batched);
    return super.createIOServer(port, { ...batched, adapter });
  }

  override async dispose(): Promise<void> {
    // Nest closes every socket.io server (which stops the cluster adapter) before this.
    await super.dispose();
    await this.cluster?.close();
  }

  /** Shared listeners of direct events, by event name ({@link directListener}). */
  private readonly directListeners = new Map<string, SocketListener>();
  /** Shared catch-all listeners, by the handled events' names. */
  private readonly unknownEventListeners = new Map<string, SocketListener>();

  /** The listener of `event` when it has a direct handler: one for every socket. */
  private directListener(event: string, direct: DirectHandlers | null): SocketListener | undefined {
    const known = this.directListeners.get(event);
    if (known !== undefined) return known;
    const handler = direct?.get(event);
    if (handler === undefined) return undefined;
    const mapPayload = (args: unknown[]) =>
      this.mapPayload(args.length === 1 ? args[0] : args) as { data: unknown; ack: unknown };
    const listener: SocketListener = function (this: NestIoSocket, ...args: unknown[]) {
      const { data, ack } = mapPayload(args);
      handler(this as unknown as SignalingSocket, data, ack);
    };
    this.directListeners.set(event, listener);
    return listener;
  }

  /**
   * Answers an event nobody handles, which would otherwise leave the sender's ack waiting
   * forever. Every socket of the gateway has the same handlers, so one listener serves all.
   */
  private unknownEventListener(handlers: MessageMappingProperties[]): SocketListener {
    const names = handlers.map((h) => h.message as string);
    const key = names.join('\n');
    const cached = this.unknownEventListeners.get(key);
    if (cached !== undefined) return cached;
    const known = new Set(names);
    const listener: SocketListener = (event: unknown, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof event !== 'string' || known.has(event) || typeof ack !== 'function') return;
      const reply: AckError = {
        ok: false,
        error: {
          code: ErrorCode.UnknownEvent,
          message: `The server does not know the event "${event.slice(0, 64)}"; reload the page to update the app.`,
        },
      };
      (ack as (reply: AckError) => void)(reply);
    };
    this.unknownEventListeners.set(key, listener);
    return listener;
  }

  override bindMessageHandlers(
    socket: NestIoSocket,
    handlers: MessageMappingProperties[],
    // Nest's own signature: handlers return any value, wrapped into an Observable.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    transform: (data: any) => Observable<any>,
  ): void {
    // One catch-all listener and one listener per direct event for every socket (socket.io
    // calls them with `this` = the socket): no closures or sets per connection.
    socket.onAny(this.unknownEventListener(handlers));
    const direct = this.directHandlers();
    for (const { message, callback, isAckHandledManually } of handlers) {
      const listener = this.directListener(message as string, direct);
      if (listener !== undefined) {
        socket.on(message as string, listener);
        continue;
      }
      socket.on(message as string, (...args: unknown[]) => {
        // Nest types the payload and the ack as any; they are opaque until the pipes run.
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args) as {
          data: unknown;
          ack: unknown;
        };
        let result$: Observable<HandlerResponse | null | undefined>;
        try {
          result$ = transform(callback(data, ack)) as Observable<
            HandlerResponse | null | undefined
          >;
        } catch (error) {
          this.logger.error(error);
          return;
        }
        result$.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            if (response.event) {
              socket.emit(response.event, response.data);
            } else if (!isAckHandledManually && typeof ack === 'function') {
              (ack as (reply: unknown) => void)(response);
            }
          },
          error: (error: unknown) => this.logger.error(error),
        });
      });
    }
  }
}
