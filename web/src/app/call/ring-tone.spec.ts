import { jest } from '@jest/globals';

import { RING_CLOSE_DELAY_MS, RingTone } from './ring-tone';

/** Just enough of WebAudio to see what the ring does with it (jsdom has none). */
class FakeAudioContext {
  static created: FakeAudioContext[] = [];
  readonly destination = {};
  readonly currentTime = 0;
  readonly gains: { gain: { value: number } }[] = [];
  closed = false;

  constructor() {
    FakeAudioContext.created.push(this);
  }

  resume(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  createGain() {
    const node = {
      gain: {
        value: 1,
        setValueAtTime: () => undefined,
        linearRampToValueAtTime: () => undefined,
      },
      connect: () => undefined,
    };
    this.gains.push(node);
    return node;
  }

  createOscillator() {
    return {
      frequency: { value: 0 },
      connect: () => undefined,
      start: () => undefined,
      stop: () => undefined,
    };
  }
}

describe('RingTone', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    FakeAudioContext.created = [];
    (globalThis as { AudioContext?: unknown }).AudioContext = FakeAudioContext;
  });
  afterEach(() => {
    jest.useRealTimers();
    delete (globalThis as { AudioContext?: unknown }).AudioContext;
  });

  it('is silent at once when silenced, and its audio context is closed a moment later', () => {
    const tone = new RingTone();
    tone.start();
    const [context] = FakeAudioContext.created;
    const output = context!.gains[0]!;
    expect(output.gain.value).toBe(1);
    tone.silence();
    expect(output.gain.value).toBe(0);
    expect(context!.closed).toBe(false);
    jest.advanceTimersByTime(RING_CLOSE_DELAY_MS);
    expect(context!.closed).toBe(true);
    // No more bursts after the stop.
    const gains = context!.gains.length;
    jest.advanceTimersByTime(60_000);
    expect(context!.gains).toHaveLength(gains);
  });

  it('stop closes at once, also the context a silenced ring left, and leaves no timer', () => {
    const tone = new RingTone();
    tone.start();
    tone.silence();
    tone.start();
    expect(FakeAudioContext.created).toHaveLength(2);
    tone.stop();
    expect(FakeAudioContext.created.map((c) => c.closed)).toEqual([true, true]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rings again with a fresh context after being silenced, and closes both', () => {
    const tone = new RingTone();
    tone.start();
    tone.silence();
    tone.start();
    tone.silence();
    expect(FakeAudioContext.created[0]!.closed).toBe(true);
    jest.advanceTimersByTime(RING_CLOSE_DELAY_MS);
    expect(FakeAudioContext.created.map((c) => c.closed)).toEqual([true, true]);
  });
});
