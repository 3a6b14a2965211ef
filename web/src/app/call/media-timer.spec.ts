import { jest } from '@jest/globals';

import { MEDIA_TIMEOUT_MS, MediaTimer } from './media-timer';

function setup(initial: RTCPeerConnectionState | null = 'connecting') {
  let state = initial;
  const timeouts: string[] = [];
  const timer = new MediaTimer({
    connectionState: () => state,
    onTimeout: (detail) => timeouts.push(detail),
  });
  return { timer, timeouts, become: (s: RTCPeerConnectionState | null) => (state = s) };
}

describe('MediaTimer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gives up once, with its detail, when no connection is up after MEDIA_TIMEOUT_MS', () => {
    const { timer, timeouts } = setup();
    timer.arm('no path');
    expect(timer.armed).toBe(true);
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS - 1);
    expect(timeouts).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(timeouts).toEqual(['no path']);
    expect(timer.armed).toBe(false);
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(timeouts).toHaveLength(1);
  });

  it('gives up while there is no connection at all', () => {
    const { timer, timeouts } = setup(null);
    timer.arm('no connection');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(timeouts).toEqual(['no connection']);
  });

  it('never gives up on a connection that is up when it runs out, even one that came up before it was armed', () => {
    const { timer, timeouts, become } = setup('connected');
    timer.arm('no path');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(timeouts).toEqual([]);
    // Lost later: the countdown armed then ends it.
    become('disconnected');
    timer.arm('lost');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(timeouts).toEqual(['lost']);
  });

  it('arming again restarts the countdown and replaces the detail: one timeout', () => {
    const { timer, timeouts } = setup();
    timer.arm('first');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS / 2);
    timer.arm('second');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS / 2);
    expect(timeouts).toEqual([]);
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS / 2);
    expect(timeouts).toEqual(['second']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a cleared countdown never fires and leaves no timer behind', () => {
    const { timer, timeouts } = setup();
    timer.arm('no path');
    timer.clear();
    expect(timer.armed).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(timeouts).toEqual([]);
    timer.clear(); // twice is harmless
  });
});
