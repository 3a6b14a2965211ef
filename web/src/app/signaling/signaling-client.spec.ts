import { TestBed } from '@angular/core/testing';
import { jest } from '@jest/globals';
import { BehaviorSubject, of, throwError } from 'rxjs';

/** A socket.io client socket driven by the test: `fire` plays what the server/transport does. */
class FakeSocket {
  connected = false;
  connects = 0;
  readonly emitted: { event: string; payload: unknown }[] = [];
  private readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  private anyHandler: ((event: string, payload: unknown) => void) | null = null;
  constructor(readonly options: { auth: (cb: (data: object) => void) => void }) {}
  on(event: string, handler: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  onAny(handler: (event: string, payload: unknown) => void) {
    this.anyHandler = handler;
  }
  offAny() {
    this.anyHandler = null;
  }
  removeAllListeners() {
    this.handlers.clear();
  }
  connect() {
    this.connects++;
  }
  disconnect() {
    this.connected = false;
  }
  /** What the next acks carry: socket.io's timeout error, or the server's reply. */
  reply: { err: Error | null; res: unknown } = {
    err: null,
    res: { ok: true, expiresAt: '2030-01-01T00:00:00Z' },
  };
  timeout() {
    return {
      emit: (event: string, payload: unknown, ack: (err: Error | null, res: unknown) => void) => {
        this.emitted.push({ event, payload });
        ack(this.reply.err, this.reply.res);
      },
    };
  }
  handshakeToken(): string {
    let token = '';
    this.options.auth((data) => (token = (data as { token: string }).token));
    return token;
  }
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    this.handlers.get(event)?.forEach((h) => h(...args));
    if (!['connect', 'disconnect', 'connect_error'].includes(event))
      this.anyHandler?.(event, args[0]);
  }
}

let socket: FakeSocket;
jest.unstable_mockModule('socket.io-client', () => ({
  io: jest.fn(
    (_url: string, options: ConstructorParameters<typeof FakeSocket>[0]) =>
      (socket = new FakeSocket(options)),
  ),
}));

const { SignalingClient } = await import('./signaling-client');
const { CallgateError } = await import('../shared/api-error');
const { AuthService } = await import('../auth/auth.service');

describe('SignalingClient', () => {
  let token: string;
  let tokens: BehaviorSubject<string | null>;
  let refresh: jest.Mock<() => unknown>;
  let client: InstanceType<typeof SignalingClient>;
  let states: string[];

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    token = 'token-1';
    tokens = new BehaviorSubject<string | null>(token);
    refresh = jest.fn(() => {
      token = `token-${Number(token.split('-')[1]) + 1}`;
      tokens.next(token);
      return of({ accessToken: token });
    });
    TestBed.configureTestingModule({
      providers: [
        {
          provide: AuthService,
          useValue: {
            accessToken: () => token,
            accessToken$: tokens,
            refresh,
            signedIn: () => true,
          },
        },
      ],
    });
    client = TestBed.inject(SignalingClient);
    states = [];
    client.state$.subscribe((s) => states.push(s));
    client.start();
  });

  afterEach(() => {
    client.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('connects with the current access token and reports online', () => {
    expect(socket.connects).toBe(1);
    expect(socket.handshakeToken()).toBe('token-1');
    socket.fire('connect');
    expect(states).toEqual(['offline', 'connecting', 'online']);
  });

  it('on token_expired: refreshes the token, then reconnects with the new one', async () => {
    socket.fire('connect_error', new Error('token_expired'));
    expect(states.at(-1)).toBe('reauthenticating');
    await Promise.resolve();
    await Promise.resolve();
    expect(states.at(-1)).toBe('connecting');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(2);
    expect(socket.handshakeToken()).toBe('token-2');
  });

  it('after a transport failure: offline, then reconnects after a backoff delay that grows', () => {
    socket.fire('connect_error', new Error('websocket error'));
    expect(states.at(-1)).toBe('offline');
    expect(socket.connects).toBe(1);
    jest.advanceTimersByTime(500); // attempt 0 waits 250–500 ms
    expect(socket.connects).toBe(2);
    socket.fire('connect_error', new Error('websocket error'));
    jest.advanceTimersByTime(499);
    expect(socket.connects).toBe(2); // attempt 1 waits at least 500 ms
    jest.advanceTimersByTime(501);
    expect(socket.connects).toBe(3);
    socket.fire('connect');
    expect(states.at(-1)).toBe('online');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('on "unavailable" (the server could not check the session) keeps the session and retries later', () => {
    socket.fire('connect_error', new Error('unavailable'));
    expect(states.at(-1)).toBe('offline');
    expect(refresh).not.toHaveBeenCalled();
    jest.advanceTimersByTime(500);
    expect(socket.connects).toBe(2);
  });

  it('presents a refreshed token on the live socket instead of reconnecting (a call keeps going)', async () => {
    socket.fire('connect');
    refresh();
    await Promise.resolve();
    expect(socket.emitted).toEqual([{ event: 'auth:refresh', payload: { token: 'token-2' } }]);
    expect(socket.connects).toBe(1);
    expect(states.slice(-2)).toEqual(['reauthenticating', 'online']);
  });

  it('resolves a request with its successful ack', async () => {
    socket.fire('connect');
    socket.reply = { err: null, res: { ok: true, callId: 'c1' } };
    await expect(client.request('call:invite', { to: 'u-bob' })).resolves.toEqual({
      ok: true,
      callId: 'c1',
    });
  });

  it("rejects a refused request with a CallgateError carrying the gateway's code and message", async () => {
    socket.fire('connect');
    socket.reply = {
      err: null,
      res: { ok: false, error: { code: 'not_found', message: 'That person is not online.' } },
    };
    const refusal = client.request('call:invite', { to: 'u-bob' });
    await expect(refusal).rejects.toBeInstanceOf(CallgateError);
    await expect(refusal).rejects.toMatchObject({
      code: 'not_found',
      message: 'That person is not online.',
    });
  });

  it('rejects an unanswered request (ack timeout) with a CallgateError, the cause kept', async () => {
    socket.fire('connect');
    const timeout = new Error('operation has timed out');
    socket.reply = { err: timeout, res: undefined };
    const unanswered = client.request('call:hangup', { callId: 'c1' });
    await expect(unanswered).rejects.toBeInstanceOf(CallgateError);
    await expect(unanswered).rejects.toMatchObject({
      code: 'internal',
      message: 'The signaling server did not answer in time.',
      cause: timeout,
    });
  });

  it('rejects a request without a socket with a CallgateError', async () => {
    client.stop();
    await expect(client.request('call:hangup', { callId: 'c1' })).rejects.toMatchObject({
      code: 'internal',
      message: 'Not connected to the signaling server; try again.',
    });
  });

  it('refreshes when the server warns that the session is expiring', () => {
    socket.fire('connect');
    socket.fire('auth:expiring', { expiresAt: '2030-01-01T00:00:00Z' });
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('republishes server events to subscribers across reconnects', () => {
    const seen: unknown[] = [];
    client.on('presence').subscribe((p) => seen.push(p));
    socket.fire('connect');
    socket.fire('presence', { userId: 'u1', online: true });
    socket.fire('disconnect', 'transport close');
    jest.advanceTimersByTime(500);
    socket.fire('connect');
    socket.fire('presence', { userId: 'u1', online: false });
    expect(seen).toEqual([
      { userId: 'u1', online: true },
      { userId: 'u1', online: false },
    ]);
  });

  it('stops for good when the refresh is refused (signed out)', async () => {
    refresh.mockImplementation(() => throwError(() => new Error('refused')));
    const auth = TestBed.inject(AuthService) as unknown as { signedIn: () => boolean };
    auth.signedIn = () => false;
    socket.fire('connect_error', new Error('unauthorized'));
    await Promise.resolve();
    await Promise.resolve();
    expect(states.at(-1)).toBe('offline');
    jest.advanceTimersByTime(60_000);
    expect(socket.connects).toBe(1);
  });
});
