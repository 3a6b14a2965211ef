import type { SignalingClient } from '../lib/clients.ts';

/** What the load generator needs of a signaling connection, whichever client holds it. */
export interface LoadSocket {
  /** One listener per event. */
  on(event: string, listener: (payload: never) => void): void;
  emit(event: string, payload: unknown, ack?: (reply: never) => void): void;
  /** Called for every packet (event or ack) the server writes to this socket. */
  onPacket(listener: () => void): void;
  /** Called when the connection drops without `close`; `null` stops listening. */
  onDisconnect(listener: ((reason: string) => void) | null): void;
  close(): void;
}

/** Which client the generator's sockets use: see wire-client.ts for why there are two. */
export type LoadClientKind = 'wire' | 'socket.io';

/** socket.io-client behind {@link LoadSocket} (the memory section's generator uses it). */
export function socketIoLoadSocket(socket: SignalingClient): LoadSocket {
  // The typed event maps of socket.io-client do not fit a by-name emit; the generator
  // sends only contract events, with the contract's payloads.
  const untyped = socket as unknown as {
    on(event: string, listener: (...args: never[]) => void): void;
    emit(event: string, ...args: unknown[]): void;
  };
  return {
    on: (event, listener) => untyped.on(event, listener),
    emit: (event, payload, ack) =>
      ack === undefined ? untyped.emit(event, payload) : untyped.emit(event, payload, ack),
    onPacket: (listener) => socket.io.on('packet', listener),
    onDisconnect: (listener) => {
      socket.removeAllListeners('disconnect');
      if (listener !== null)
        socket.on('disconnect', (reason) => {
          // Closed by this generator.
          if (reason !== 'io client disconnect') listener(reason);
        });
    },
    close: () => socket.close(),
  };
}
