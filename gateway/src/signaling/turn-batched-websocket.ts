import type { Socket } from 'node:net';
import { type ServerOptions, WebSocket, WebSocketServer } from 'ws';

/** TCP sockets whose writes are held during this turn of the event loop. */
const held = new Set<Socket>();
let releaseScheduled = false;

function releaseHeld(): void {
  releaseScheduled = false;
  // A socket closed meanwhile just drops its buffer: uncork on a destroyed stream is a no-op.
  for (const socket of held) socket.uncork();
  held.clear();
}

/**
 * Corks `socket` until the end of this event-loop turn (the `setImmediate` phase, right
 * after the I/O callbacks and their promise continuations), so every frame written to it
 * in between leaves in one `writev`. Idempotent within a turn.
 */
export function holdUntilTurnEnds(socket: Socket): void {
  if (held.has(socket)) return;
  socket.cork();
  held.add(socket);
  if (!releaseScheduled) {
    releaseScheduled = true;
    setImmediate(releaseHeld);
  }
}

/** ws keeps the TCP socket in an untyped member (set once the handshake is done). */
function tcpSocketOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/**
 * A server-side WebSocket whose frames are written once per event-loop turn instead of
 * once per frame. A call set-up makes a socket receive several frames in one turn (an ack
 * and the relayed candidate of the peer, five acks for five trickled candidates, …): each
 * was its own `writev` syscall, with the loopback/bridge network work the kernel does
 * inside it (~32 % of the gateway's busy time, docs/BENCHMARKS.md §2). Frames, their order
 * and their content are unchanged; a frame waits at most until the end of the current turn.
 *
 * engine.io sends one packet and waits for its write callback before it hands over the
 * next (those queue meanwhile); that callback is answered on the next tick, as a write
 * that completed at once would be, so the rest of the turn's packets join the held write.
 * A failed write still surfaces: ws closes the socket on a TCP error and engine.io sees
 * that close.
 */
export class TurnBatchedWebSocket extends WebSocket {
  override send(data: unknown, options?: unknown, cb?: (err?: Error) => void): void {
    const callback = typeof options === 'function' ? (options as typeof cb) : cb;
    const opts = typeof options === 'object' && options !== null ? options : {};
    const socket = tcpSocketOf(this);
    if (this.readyState !== WebSocket.OPEN || socket === undefined) {
      // ws answers a send on a closing socket with an error through the callback.
      super.send(data as Buffer, opts, callback);
      return;
    }
    holdUntilTurnEnds(socket);
    super.send(data as Buffer, opts);
    if (callback !== undefined) process.nextTick(callback);
  }
}

/**
 * The `ws` server engine.io runs (its `wsEngine` option), creating
 * {@link TurnBatchedWebSocket}s; everything else is the stock server.
 */
export class TurnBatchedWebSocketServer extends WebSocketServer {
  constructor(options: ServerOptions, callback?: () => void) {
    super({ ...options, WebSocket: TurnBatchedWebSocket }, callback);
  }
}
