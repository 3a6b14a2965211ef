import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { TurnBatchedWebSocketServer } from './turn-batched-websocket';

/** Counts the write calls that reach the TCP socket (each is one write/writev syscall). */
function countWrites(socket: Socket): () => number {
  let writes = 0;
  const target = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  for (const method of ['_write', '_writev'] as const) {
    const original = target[method].bind(socket);
    target[method] = (...args: unknown[]) => {
      writes++;
      original(...args);
    };
  }
  return () => writes;
}

describe('TurnBatchedWebSocket', () => {
  let http: HttpServer;
  let server: Server;
  let client: ClientSocket;
  let writes: () => number;

  beforeEach(async () => {
    http = createServer();
    server = new Server(http, { transports: ['websocket'], wsEngine: TurnBatchedWebSocketServer });
    const connected = new Promise<void>((resolve) => {
      server.engine.on('connection', (conn: { transport: { socket: WebSocket } }) => {
        writes = countWrites((conn.transport.socket as unknown as { _socket: Socket })._socket);
        resolve();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    await connected;
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('writes every frame of one turn, sync and from promise continuations, in one syscall and in order', async () => {
    const heard: number[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('n', (n: number) => {
        heard.push(n);
        if (heard.length === 6) resolve();
      }),
    );
    const before = writes();
    const [socket] = await server.fetchSockets();
    // engine.io hands the first packet over and queues the rest until its write callback.
    socket!.emit('n', 1);
    socket!.emit('n', 2);
    socket!.emit('n', 3);
    await Promise.resolve();
    socket!.emit('n', 4);
    await Promise.resolve().then(() => socket!.emit('n', 5));
    socket!.emit('n', 6);
    await all;
    expect(heard).toEqual([1, 2, 3, 4, 5, 6]);
    expect(writes() - before).toBe(1);
  });

  it('answers acks of messages that arrive together in one write', async () => {
    const [socket] = await server.fetchSockets();
    const live = server.of('/').sockets.get(socket!.id)!;
    live.on('ping', (n: number, ack: (reply: number) => void) => {
      void Promise.resolve().then(() => ack(n * 10));
    });
    const before = writes();
    const replies = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => client.emitWithAck('ping', n) as Promise<number>),
    );
    expect(replies).toEqual([10, 20, 30, 40, 50]);
    // The client's five frames reach the server in one or a few reads; each read's acks
    // leave together, so fewer writes than acks.
    expect(writes() - before).toBeLessThan(5);
  });

  it('keeps frames of later turns flowing, each turn on its own write', async () => {
    const heard: number[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('n', (n: number) => {
        heard.push(n);
        if (heard.length === 3) resolve();
      }),
    );
    const [socket] = await server.fetchSockets();
    const before = writes();
    for (const n of [1, 2, 3]) {
      socket!.emit('n', n);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(heard).toEqual([1, 2, 3]);
    expect(writes() - before).toBe(3);
  });

  it('still reports a send on a closed socket as an error', async () => {
    const wss = new TurnBatchedWebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as AddressInfo;
    const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const raw = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve) => raw.once('open', resolve));
    const ws = await serverSide;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    raw.close();
    await closed;
    const error = await new Promise<Error | undefined>((resolve) => ws.send('late', resolve));
    expect(error).toBeInstanceOf(Error);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
