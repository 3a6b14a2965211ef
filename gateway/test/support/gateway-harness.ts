import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { io, type Socket } from 'socket.io-client';
import {
  type AuthSession,
  type ClientToServerEvents,
  type ServerPayload,
  type ServerToClientEvents,
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
} from '@callgate/protocol';
import { createGateway } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { PinoLoggerService } from '../../src/logging/pino-logger.service';

export const TEST_TURN_SECRET = 'integration-turn-secret-0123456789abcdef';
export const TEST_JWT_SECRET = 'integration-jwt-secret-0123456789abcdef';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One PostgreSQL 17 container per test file. */
export function startPostgres(): Promise<StartedPostgreSqlContainer> {
  return new PostgreSqlContainer('postgres:17').start();
}

export interface RunningGateway {
  app: NestExpressApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/** The real gateway (same bootstrap as main.ts) listening on 127.0.0.1 on a free port. */
export async function startGateway(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningGateway> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    TURN_SECRETS: TEST_TURN_SECRET,
    TURN_HOST: '127.0.0.1',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
    PORT: '0',
    // Most suites register freely; organisation.integration.spec covers the other modes.
    REGISTRATION: 'open',
    ...env,
  });
  Logger.overrideLogger(false);
  const app = await createGateway(config, new PinoLoggerService(config.logLevel));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string')
    throw new Error('gateway did not bind a TCP port');
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export interface TestUser {
  session: AuthSession;
  id: string;
  token: string;
  cookie: string;
}

let counter = 0;

/** Registers a fresh user through the REST API. */
export async function registerUser(baseUrl: string, prefix = 'user'): Promise<TestUser> {
  counter += 1;
  const username = `${prefix}${counter}.${process.pid % 1000}`;
  const response = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username,
      password: 'correct horse battery',
      displayName: `${prefix} ${counter}`,
    }),
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`);
  const session = (await response.json()) as AuthSession;
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { session, id: session.user.id, token: session.accessToken, cookie };
}

/** Connects a socket.io client the way the web app does (websocket only, token in auth). */
export function connectSocket(baseUrl: string, token: string): ClientSocket {
  return io(`${baseUrl}${SIGNALING_NAMESPACE}`, {
    path: SIGNALING_PATH,
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves on `connect`, rejects with the `connect_error` message. */
export function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

/** Next occurrence of a server event (with an optional filter), or a timeout error. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  timeoutMs = 5000,
  where: (payload: ServerPayload<E>) => boolean = () => true,
): Promise<ServerPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: ServerPayload<E>): void => {
      if (!where(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(payload);
    };
    socket.on(event, listener as never);
  });
}

/** Records every event of one kind a socket receives. */
export function collect<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
): ServerPayload<E>[] {
  const seen: ServerPayload<E>[] = [];
  socket.on(event, ((payload: ServerPayload<E>) => seen.push(payload)) as never);
  return seen;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
