import type { TurnCredentials } from '@callgate/protocol';
import { MetricsService } from '../metrics/metrics.service';
import { testConfig } from '../testing/test-config';
import { TurnCredentialService } from '../turn/turn-credential.service';
import { SessionTimers } from './session-timers';
import type { SignalingSocket } from './socket-session';

const USER_ID = '0c8f5a8e-1d2b-4c3d-8e9f-0a1b2c3d4e5f';

function fakeSocket(tokenExpiresAt: number): {
  socket: SignalingSocket;
  emit: jest.Mock;
  disconnect: jest.Mock;
} {
  const emit = jest.fn();
  const disconnect = jest.fn();
  const socket = {
    id: 'socket-1',
    data: { user: { id: USER_ID, username: 'alice', displayName: 'Alice' }, tokenExpiresAt },
    emit,
    disconnect,
  } as unknown as SignalingSocket;
  return { socket, emit, disconnect };
}

describe('SessionTimers', () => {
  const config = testConfig({ TURN_TTL_SECONDS: '100', ACCESS_TOKEN_TTL_SECONDS: '900' });
  let timers: SessionTimers;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_800_000_000_000 });
    timers = new SessionTimers(new TurnCredentialService(config, new MetricsService()), config);
  });

  afterEach(() => {
    timers.onModuleDestroy();
    jest.useRealTimers();
  });

  it('pushes TURN credentials at connect and again before half their lifetime has passed', () => {
    const { socket, emit } = fakeSocket(Date.now() + 900_000);
    timers.start(socket);
    const pushes = (): TurnCredentials[] =>
      emit.mock.calls
        .filter(([event]) => event === 'turn:credentials')
        .map(([, payload]) => payload as TurnCredentials);
    expect(pushes()).toHaveLength(1);
    expect(pushes()[0]!.expiresAt).toBe(new Date(Date.now() + 100_000).toISOString());
    jest.advanceTimersByTime(49_999);
    expect(pushes()).toHaveLength(2);
    // Every push is valid for the full TTL from when it was sent.
    expect(Date.parse(pushes()[1]!.expiresAt)).toBeGreaterThan(Date.parse(pushes()[0]!.expiresAt));
    timers.stop(socket.id);
    jest.advanceTimersByTime(1_000_000);
    expect(pushes()).toHaveLength(2);
  });

  it('warns before the access token expires and disconnects at expiry', () => {
    const expiresAt = Date.now() + 900_000;
    const { socket, emit, disconnect } = fakeSocket(expiresAt);
    timers.start(socket);
    jest.advanceTimersByTime(900_000 - 60_001);
    expect(emit).not.toHaveBeenCalledWith('auth:expiring', expect.anything());
    jest.advanceTimersByTime(1);
    expect(emit).toHaveBeenCalledWith('auth:expiring', {
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(disconnect).not.toHaveBeenCalled();
    jest.advanceTimersByTime(60_000);
    expect(disconnect).toHaveBeenCalledWith(true);
  });

  it('moves the cut-off when the token is renewed', () => {
    const { socket, disconnect } = fakeSocket(Date.now() + 900_000);
    timers.start(socket);
    jest.advanceTimersByTime(850_000);
    socket.data.tokenExpiresAt = Date.now() + 900_000;
    timers.scheduleExpiry(socket);
    jest.advanceTimersByTime(100_000);
    expect(disconnect).not.toHaveBeenCalled();
    jest.advanceTimersByTime(800_000);
    expect(disconnect).toHaveBeenCalledTimes(1);
  });
});
