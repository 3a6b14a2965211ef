/**
 * Baseline for the signaling and memory benchmarks: the least a socket.io server must do
 * to carry Callgate's call flow. Same path, namespace, transport, buffer limit and event
 * names as the gateway, but no authentication (the handshake token IS the user id), no
 * validation, no rate limit, no presence, no metrics, no logging. A call is one map
 * entry so `callId` can be routed to the other member.
 *
 * Run: `PORT=4000 node bench/src/baseline/relay-server.ts`
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server, type Socket } from 'socket.io';
import {
  MAX_SOCKET_MESSAGE_BYTES,
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@callgate/protocol';

interface Call {
  caller: string;
  callee: string;
}

const port = Number(process.env['PORT'] ?? 4000);
const host = process.env['HOST'] ?? '127.0.0.1';
const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
});
const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
  path: SIGNALING_PATH,
  transports: ['websocket'],
  maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
  serveClient: false,
});
const calls = new Map<string, Call>();

function peerOf(call: Call, user: string): string {
  return call.caller === user ? call.callee : call.caller;
}

io.of(SIGNALING_NAMESPACE).on(
  'connection',
  (socket: Socket<ClientToServerEvents, ServerToClientEvents>) => {
    const user = String((socket.handshake.auth as { token?: unknown }).token);
    void socket.join(user);
    const room = (id: string) => io.of(SIGNALING_NAMESPACE).to(id);

    socket.on('call:invite', ({ to, video }, ack) => {
      const callId = randomUUID();
      calls.set(callId, { caller: user, callee: to });
      room(to).emit('call:incoming', {
        callId,
        from: { id: user, username: user, displayName: user },
        video: video ?? true,
      });
      ack({ ok: true, callId });
    });
    socket.on('call:accept', ({ callId }, ack) => {
      const call = calls.get(callId);
      if (call) room(peerOf(call, user)).emit('call:accepted', { callId });
      ack({ ok: true });
    });
    socket.on('call:decline', ({ callId }, ack) => {
      const call = calls.get(callId);
      if (call) room(peerOf(call, user)).emit('call:ended', { callId, reason: 'declined' });
      calls.delete(callId);
      ack({ ok: true });
    });
    socket.on('call:hangup', ({ callId }, ack) => {
      const call = calls.get(callId);
      if (call) room(peerOf(call, user)).emit('call:ended', { callId, reason: 'hangup' });
      calls.delete(callId);
      ack({ ok: true });
    });
    socket.on('signal', (payload, ack) => {
      const call = calls.get(payload.callId);
      if (call) room(peerOf(call, user)).emit('signal', { ...payload, from: user });
      ack({ ok: true });
    });
    socket.on('auth:refresh', (_payload, ack) => {
      ack({ ok: true, expiresAt: new Date(Date.now() + 900_000).toISOString() });
    });
  },
);

http.listen(port, host, () => {
  console.log(`baseline relay listening on http://${host}:${port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void io.close();
    http.close(() => process.exit(0));
  });
}
