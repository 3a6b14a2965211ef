import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { SIGNALING_NAMESPACE, SIGNALING_PATH } from '@callgate/protocol';
import { WireClient } from './wire-client.ts';

/**
 * The generator's wire client against a real socket.io server (in this process, on
 * loopback): what it sends and receives must be what socket.io-client would.
 */
describe('WireClient', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  const user = { id: 'u1', token: 'token-of-u1' };

  beforeEach(async () => {
    http = createServer();
    io = new Server(http, {
      path: SIGNALING_PATH,
      transports: ['websocket'],
      pingInterval: 50,
      pingTimeout: 100,
    });
    io.of(SIGNALING_NAMESPACE).use((socket, next) => {
      const token = (socket.handshake.auth as { token?: string }).token;
      next(token === user.token ? undefined : new Error('unauthorized'));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await io.close();
  });

  it('connects with its token, gets acks and events in order, and counts every packet', async () => {
    const seen: unknown[] = [];
    io.of(SIGNALING_NAMESPACE).on('connection', (socket) => {
      socket.on('signal', (payload: unknown, ack: (reply: unknown) => void) => {
        seen.push(payload);
        ack({ ok: true, echo: payload });
        socket.emit('signal', { relayed: payload });
      });
    });
    const client = await WireClient.connect(url, user, '127.0.0.1');
    let packets = 0;
    client.onPacket(() => packets++);
    const events: unknown[] = [];
    client.on('signal', (payload: never) => events.push(payload));
    const replies = await Promise.all(
      [1, 2].map(
        (n) =>
          new Promise((resolve) =>
            client.emit('signal', { callId: 'c', n, text: 'a "quoted", [bracketed] ü' }, resolve),
          ),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const payload = (n: number) => ({ callId: 'c', n, text: 'a "quoted", [bracketed] ü' });
    expect(seen).toEqual([payload(1), payload(2)]);
    expect(replies).toEqual([
      { ok: true, echo: payload(1) },
      { ok: true, echo: payload(2) },
    ]);
    expect(events).toEqual([{ relayed: payload(1) }, { relayed: payload(2) }]);
    expect(packets).toBe(4);
    client.close();
  });

  it('answers pings, so the server keeps it connected', async () => {
    const client = await WireClient.connect(url, user, '127.0.0.1');
    let dropped = '';
    client.onDisconnect((reason) => (dropped = reason));
    // pingInterval 50 ms, pingTimeout 100 ms: an unanswered ping drops it within 150 ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dropped).toBe('');
    expect(io.of(SIGNALING_NAMESPACE).sockets.size).toBe(1);
    client.close();
  });

  it('is refused with the server reason for a wrong token', async () => {
    await expect(
      WireClient.connect(url, { id: 'u2', token: 'forged' }, '127.0.0.1'),
    ).rejects.toThrow(/connect u2 from 127\.0\.0\.1: refused: .*unauthorized/);
  });

  it('reports a disconnect by the server, and none after its own close', async () => {
    const client = await WireClient.connect(url, user, '127.0.0.1');
    const reason = new Promise<string>((resolve) => client.onDisconnect(resolve));
    io.of(SIGNALING_NAMESPACE).disconnectSockets(true);
    expect(await reason).toMatch(/disconnect|close/);

    const other = await WireClient.connect(url, user, '127.0.0.1');
    let late = '';
    other.onDisconnect((why) => (late = why));
    other.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(late).toBe('');
  });
});
