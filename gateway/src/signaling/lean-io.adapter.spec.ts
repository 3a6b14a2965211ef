import { EventEmitter } from 'node:events';
import { isObservable, of, throwError } from 'rxjs';
import type { INestApplicationContext } from '@nestjs/common';
import { DirectHandlers } from './direct-handlers';
import { LeanIoAdapter } from './lean-io.adapter';
import { TurnBatchedWebSocketServer } from './turn-batched-websocket';

type BindArgs = Parameters<LeanIoAdapter['bindMessageHandlers']>;

/** A socket as far as the adapter touches it: `on` for handlers, `emit` for event replies. */
class FakeSocket extends EventEmitter {
  readonly sent: [string, unknown][] = [];
  readonly anyListeners: ((event: string, ...args: unknown[]) => void)[] = [];
  onAny(listener: (event: string, ...args: unknown[]) => void): void {
    this.anyListeners.push(listener);
  }
  send(event: string, data: unknown): void {
    this.sent.push([event, data]);
  }
}

function bind(
  handlers: Partial<BindArgs[1][number]>[],
  adapter = new LeanIoAdapter(),
): {
  socket: FakeSocket;
  errors: unknown[];
} {
  const errors: unknown[] = [];
  Object.defineProperty(adapter, 'logger', { value: { error: (e: unknown) => errors.push(e) } });
  const socket = new FakeSocket();
  const asSocket = Object.assign(socket, {
    // The adapter's event replies go through socket.emit; record them instead of looping.
    emit: (event: string, data: unknown) => {
      socket.send(event, data);
      return true;
    },
  }) as unknown as BindArgs[0];
  adapter.bindMessageHandlers(
    asSocket,
    handlers.map((h) => ({
      message: 'ping',
      methodName: 'ping',
      isAckHandledManually: false,
      callback: () => Promise.resolve(undefined),
      ...h,
    })),
    // Like Nest's transformToObservable for synchronous results.
    (value: unknown) => (isObservable(value) ? value : of(value)),
  );
  return { socket, errors };
}

/** Like socket.io: catch-all listeners first, then the event's own listeners. */
function fireEvent(socket: FakeSocket, event: string, ...args: unknown[]): void {
  for (const listener of socket.anyListeners) listener.call(socket, event, ...args);
  EventEmitter.prototype.emit.call(socket, event, ...args);
}

function fire(socket: FakeSocket, ...args: unknown[]): void {
  fireEvent(socket, 'ping', ...args);
}

describe('LeanIoAdapter', () => {
  it('answers an event no handler knows with a typed unknown_event error', () => {
    const handled = jest.fn(() => ({ ok: true }) as never);
    const { socket } = bind([{ callback: handled }]);
    const ack = jest.fn();
    fireEvent(socket, 'call:teleport', { callId: 'c1' }, ack);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: {
        code: 'unknown_event',
        message: expect.stringContaining('"call:teleport"') as unknown,
      },
    });
    expect(handled).not.toHaveBeenCalled();
    // A known event is answered by its handler only; one without an ack is just dropped.
    const known = jest.fn();
    fire(socket, {}, known);
    expect(known).toHaveBeenCalledWith({ ok: true });
    expect(known).toHaveBeenCalledTimes(1);
    expect(() => fireEvent(socket, 'nope', {})).not.toThrow();
  });

  it('answers the ack with the handler result and passes the payload through', () => {
    const seen: unknown[] = [];
    const { socket } = bind([
      {
        callback: (data: unknown) => {
          seen.push(data);
          return { ok: true } as never;
        },
      },
    ]);
    const ack = jest.fn();
    fire(socket, { callId: 'c1' }, ack);
    expect(seen).toEqual([{ callId: 'c1' }]);
    expect(ack).toHaveBeenCalledWith({ ok: true });
  });

  it('emits an { event, data } result instead of acking, and ignores nil results', () => {
    const { socket } = bind([{ callback: () => ({ event: 'pong', data: 1 }) as never }]);
    const ack = jest.fn();
    fire(socket, {}, ack);
    expect(socket.sent).toEqual([['pong', 1]]);
    expect(ack).not.toHaveBeenCalled();

    const quiet = bind([{ callback: () => null as never }]);
    const quietAck = jest.fn();
    fire(quiet.socket, {}, quietAck);
    expect(quietAck).not.toHaveBeenCalled();
  });

  it('leaves the ack alone when the handler acks by itself', () => {
    const { socket } = bind([{ isAckHandledManually: true, callback: () => 'x' as never }]);
    const ack = jest.fn();
    fire(socket, {}, ack);
    expect(ack).not.toHaveBeenCalled();
  });

  it('logs a throwing or failing handler and keeps serving the event', () => {
    let calls = 0;
    const { socket, errors } = bind([
      {
        callback: () => {
          calls += 1;
          if (calls === 1) throw new Error('sync boom');
          if (calls === 2) return throwError(() => new Error('async boom')) as never;
          return 'fine' as never;
        },
      },
    ]);
    const ack = jest.fn();
    fire(socket, {}, ack);
    fire(socket, {}, ack);
    fire(socket, {}, ack);
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync boom', 'async boom']);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith('fine');
  });

  it('serves websockets through the turn-batched ws server', async () => {
    const options = { transports: ['websocket'] } as Parameters<LeanIoAdapter['createIOServer']>[1];
    const server = new LeanIoAdapter().createIOServer(0, options);
    try {
      expect((server.engine as unknown as { opts: { wsEngine: unknown } }).opts.wsEngine).toBe(
        TurnBatchedWebSocketServer,
      );
    } finally {
      await server.close();
    }
  });

  it('gives every socket the same listener functions, and a direct handler its own socket', () => {
    const direct = new DirectHandlers();
    const served: unknown[] = [];
    direct.register('signal', (socket, payload) => served.push([socket, payload]));
    const app = { get: () => direct } as unknown as INestApplicationContext;
    const adapter = new LeanIoAdapter(app);
    const handlers = [{ message: 'signal' }, { message: 'ping' }];
    const one = bind(handlers, adapter).socket;
    const two = bind(handlers, adapter).socket;
    expect(one.listeners('signal')[0]).toBe(two.listeners('signal')[0]);
    expect(one.anyListeners[0]).toBe(two.anyListeners[0]);
    // Nest's own handlers stay per socket (their callbacks are bound to it).
    expect(one.listeners('ping')[0]).not.toBe(two.listeners('ping')[0]);

    fireEvent(one, 'signal', { n: 1 });
    fireEvent(two, 'signal', { n: 2 });
    expect(served).toEqual([
      [one, { n: 1 }],
      [two, { n: 2 }],
    ]);
    const ack = jest.fn();
    fireEvent(two, 'call:teleport', {}, ack);
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ ok: false }));
  });
});
