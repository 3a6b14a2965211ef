/**
 * The load generator's socket.io client: the socket.io v5 / engine.io v4 wire protocol
 * spoken straight over `ws`, for the one namespace and the few packet kinds the call flow
 * uses (connect with auth, events, acks, ping/pong). The server cannot tell it from
 * socket.io-client (same frames, same handshake), but it skips socket.io-client's
 * layers (Manager, engine.io-client transport, emitters, packet objects per message): with
 * them the generator spent more CPU per message than the bare relay it loads, so one
 * generator core could not saturate one server core (docs/BENCHMARKS.md §2).
 */
import { SIGNALING_NAMESPACE, SIGNALING_PATH } from '@callgate/protocol';
import { WebSocket } from 'ws';
import type { BenchUser } from '../lib/clients.ts';
import type { LoadSocket } from './load-socket.ts';

type Listener = Parameters<LoadSocket['on']>[1];
type Ack = NonNullable<Parameters<LoadSocket['emit']>[2]>;

const EVENT_PREFIX = `42${SIGNALING_NAMESPACE},`;
const ACK_PREFIX = `43${SIGNALING_NAMESPACE},`;
const CONNECT_PREFIX = `40${SIGNALING_NAMESPACE},`;
const CONNECT_ERROR_PREFIX = `44${SIGNALING_NAMESPACE},`;

/** One authenticated connection to the signaling namespace. */
export class WireClient implements LoadSocket {
  private readonly listeners = new Map<string, Listener>();
  private readonly acks = new Map<number, Ack>();
  private nextAckId = 0;
  /** Called for every packet the server wrote (events and acks). */
  private packetListener: (() => void) | null = null;
  private disconnectListener: ((reason: string) => void) | null = null;
  private closing = false;

  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
  }

  /**
   * Opens the connection from `localAddress`, sends the namespace connect with `user`'s
   * token, and resolves on the server's connect (rejects with its refusal).
   */
  static connect(
    baseUrl: string,
    user: BenchUser,
    localAddress: string,
    timeoutMs = 20_000,
  ): Promise<WireClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}${SIGNALING_PATH}/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
    const client = new WireClient(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail('timeout'), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`connect ${user.id} from ${localAddress}: ${why}`));
      };
      ws.on('error', (error) => fail(error.message));
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text.startsWith('0')) {
          ws.send(`${CONNECT_PREFIX}${JSON.stringify({ token: user.token })}`);
        } else if (text.startsWith(CONNECT_PREFIX)) {
          clearTimeout(timer);
          ws.removeAllListeners('message');
          ws.removeAllListeners('error');
          client.listen();
          resolve(client);
        } else if (text.startsWith(CONNECT_ERROR_PREFIX)) {
          fail(`refused: ${text.slice(CONNECT_ERROR_PREFIX.length)}`);
        }
      });
    });
  }

  private listen(): void {
    this.ws.on('message', (data: Buffer) => this.onFrame(data.toString()));
    this.ws.on('error', () => undefined); // 'close' follows and reports it
    this.ws.on('close', () => {
      if (!this.closing) this.disconnectListener?.('transport close');
    });
  }

  private onFrame(text: string): void {
    if (text === '2') {
      this.ws.send('3');
      return;
    }
    if (text.startsWith(ACK_PREFIX)) {
      this.packetListener?.();
      const open = text.indexOf('[', ACK_PREFIX.length);
      const id = Number(text.slice(ACK_PREFIX.length, open));
      const ack = this.acks.get(id);
      if (ack === undefined) return;
      this.acks.delete(id);
      ack((JSON.parse(text.slice(open)) as unknown[])[0] as never);
      return;
    }
    if (text.startsWith(EVENT_PREFIX)) {
      this.packetListener?.();
      const [event, payload] = JSON.parse(text.slice(EVENT_PREFIX.length)) as [string, never];
      this.listeners.get(event)?.(payload);
      return;
    }
    if (text.startsWith(`41${SIGNALING_NAMESPACE}`))
      this.disconnectListener?.('io server disconnect');
  }

  onPacket(listener: () => void): void {
    this.packetListener = listener;
  }

  /** Called when the connection drops without {@link close}; `null` stops listening. */
  onDisconnect(listener: ((reason: string) => void) | null): void {
    this.disconnectListener = listener;
  }

  /** One listener per event (all the generator needs). */
  on(event: string, listener: Listener): void {
    this.listeners.set(event, listener);
  }

  /** Emits `event` with `payload`; `ack` gets the server's reply. */
  emit(event: string, payload: unknown, ack?: Ack): void {
    if (ack === undefined) {
      this.ws.send(`${EVENT_PREFIX}${JSON.stringify([event, payload])}`);
      return;
    }
    const id = this.nextAckId++;
    this.acks.set(id, ack);
    this.ws.send(`${EVENT_PREFIX}${id}${JSON.stringify([event, payload])}`);
  }

  close(): void {
    this.closing = true;
    this.acks.clear();
    this.ws.close();
  }
}
