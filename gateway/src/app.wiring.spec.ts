/**
 * The real Nest application without Docker: AppModule as main.ts builds it, configured by
 * the same `configureGateway`, listening on 127.0.0.1, driven by a real socket.io-client
 * and fetch. Only the database (InMemoryDatabase) and the Redis client (InMemoryRedis)
 * are replaced, each refusing what it does not know. Catches what the unit specs cannot: module wiring and
 * injection, the handshake middleware, the pipes, guard and filters as Nest applies them,
 * and the LeanIoAdapter answering acks.
 */
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  type ClientAck,
  type ClientEventName,
  type ClientPayload,
  type ClientToServerEvents,
  type ServerEventName,
  type ServerPayload,
  type ServerToClientEvents,
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
} from '@callgate/protocol';
import { io, type Socket } from 'socket.io-client';
import { AppModule } from './app.module';
import { AccessTokenService } from './auth/access-token.service';
import { configureGateway } from './bootstrap';
import { DatabaseService } from './database/database.service';
import { PinoLoggerService } from './logging/pino-logger.service';
import { REDIS_CLIENT } from './redis/redis.client';
import { InMemoryDatabase } from './testing/in-memory-database';
import { createInMemoryRedis } from './testing/in-memory-redis';
import { testConfig } from './testing/test-config';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ALICE = '0c8f5a8e-1d2b-4c3d-8e9f-0a1b2c3d4e5f';
const BOB = '1d9f6b9f-2e3c-4d4e-9fa0-1b2c3d4e5f60';
const SESSION_ID = '2e0a7c0a-3f4d-4e5f-8a0b-2c3d4e5f6071';

let app: NestExpressApplication;
let baseUrl: string;
let db: InMemoryDatabase;
let tokens: AccessTokenService;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  Logger.overrideLogger(false);
  const config = testConfig({ LOG_LEVEL: 'silent' });
  db = new InMemoryDatabase();
  db.addUser(ALICE, 'alice', 'Alice');
  db.addUser(BOB, 'bob', 'Bob');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(DatabaseService)
    .useValue(db)
    .overrideProvider(REDIS_CLIENT)
    .useValue(createInMemoryRedis())
    .compile();
  app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: true });
  configureGateway(app, config, new PinoLoggerService(config.logLevel));
  await app.listen(0, '127.0.0.1');
  const address: unknown = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null || !('port' in address)) {
    throw new Error('the gateway did not bind a TCP port');
  }
  baseUrl = `http://127.0.0.1:${String(address.port)}`;
  tokens = app.get(AccessTokenService);
});

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await app?.close();
});

function connect(auth: object): ClientSocket {
  const socket: ClientSocket = io(`${baseUrl}${SIGNALING_NAMESPACE}`, {
    path: SIGNALING_PATH,
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return socket;
}

async function signIn(userId: string): Promise<ClientSocket> {
  const { token } = await tokens.issue(userId, SESSION_ID);
  const socket = connect({ token });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

function send<E extends ClientEventName>(
  socket: ClientSocket,
  event: E,
  payload: ClientPayload<E>,
): Promise<ClientAck<E>> {
  // socket.io's typed emitWithAck cannot follow a generic event name.
  const timed = socket.timeout(3000) as unknown as {
    emitWithAck(event: E, payload: ClientPayload<E>): Promise<ClientAck<E>>;
  };
  return timed.emitWithAck(event, payload);
}

function next<E extends ServerEventName>(
  socket: ClientSocket,
  event: E,
): Promise<ServerPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within 3 s`)), 3000);
    // The typed `once` cannot follow a generic event name either.
    (socket as unknown as { once(event: string, listener: (payload: unknown) => void): void }).once(
      event,
      (payload) => {
        clearTimeout(timer);
        resolve(payload as ServerPayload<E>);
      },
    );
  });
}

describe('the gateway wired as main.ts builds it (no Docker)', () => {
  it('serves a REST route behind the bearer guard, and renders refusals from the one table', async () => {
    const { token } = await tokens.issue(ALICE, SESSION_ID);
    const me = await fetch(`${baseUrl}/api/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: ALICE, username: 'alice', displayName: 'Alice' });

    const anonymous = await fetch(`${baseUrl}/api/users/me`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      statusCode: 401,
      error: {
        code: 'unauthorized',
        message: 'Send your access token as "Authorization: Bearer <token>".',
      },
    });
  });

  it('refuses a socket handshake without a valid token with the contract reason', async () => {
    const socket = connect({ token: 'not-a-token' });
    const error = await new Promise<Error & { data?: unknown }>((resolve) =>
      socket.once('connect_error', resolve),
    );
    expect(error.message).toBe('unauthorized');
    expect(error.data).toEqual({ code: 'unauthorized', message: 'The access token is not valid.' });
  });

  it('answers acks through the adapter: a call set up, one signal relayed, hung up, recorded', async () => {
    const alice = await signIn(ALICE);
    const bob = await signIn(BOB);

    const incoming = next(bob, 'call:incoming');
    const invited = await send(alice, 'call:invite', { to: BOB });
    if (!invited.ok) throw new Error(`invite refused: ${invited.error.message}`);
    expect(await incoming).toEqual({
      callId: invited.callId,
      from: { id: ALICE, username: 'alice', displayName: 'Alice' },
      video: true,
    });

    // A refusal from the pipe travels back through the same ack path.
    expect(
      await send(alice, 'call:accept', { callId: 42 } as unknown as { callId: string }),
    ).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: 'callId must be a call id.' },
    });

    const acceptedByAlice = next(alice, 'call:accepted');
    const acceptedByBob = next(bob, 'call:accepted');
    expect(await send(bob, 'call:accept', { callId: invited.callId })).toEqual({ ok: true });
    expect(await acceptedByAlice).toMatchObject({ callId: invited.callId });
    expect(await acceptedByBob).toMatchObject({ callId: invited.callId, role: 'callee' });

    const relayed = next(bob, 'signal');
    const description = { type: 'offer' as const, sdp: 'v=0\r\n' };
    expect(await send(alice, 'signal', { callId: invited.callId, description })).toEqual({
      ok: true,
    });
    expect(await relayed).toEqual({ callId: invited.callId, description, from: ALICE });

    const ended = next(bob, 'call:ended');
    expect(await send(alice, 'call:hangup', { callId: invited.callId })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId: invited.callId, reason: 'hangup' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // history is written in the background
    expect(db.calls).toEqual([
      { id: invited.callId, callerId: ALICE, calleeId: BOB, endReason: 'hangup' },
    ]);
  });
});
