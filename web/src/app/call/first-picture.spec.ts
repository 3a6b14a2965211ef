import { jest } from '@jest/globals';

import {
  FIRST_PICTURE_FALLBACK_MS,
  IDLE_TIMEOUT_MS,
  type IdleScheduler,
  type PictureSource,
  afterFirstPicture,
} from './first-picture';

/** A `<video>` whose next presented frame the test decides. */
function fakeVideo(): PictureSource & { present(): void } {
  let callback: (() => void) | null = null;
  return {
    requestVideoFrameCallback: (run: VideoFrameRequestCallback) => {
      callback = () => run(0, {} as VideoFrameCallbackMetadata);
      return 1;
    },
    present: () => callback?.(),
  };
}

/** Timers from Jest's fake clock, and an idle callback the test runs by hand. */
function fakeScheduler(withIdle: boolean): IdleScheduler & { idle(): void; idleTimeout: number } {
  let pending: (() => void) | null = null;
  const scheduler = {
    idleTimeout: -1,
    setTimeout: (run: () => void, ms: number) => setTimeout(run, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    idle: () => {
      const run = pending;
      pending = null;
      run?.();
    },
  };
  if (!withIdle) return scheduler;
  return {
    ...scheduler,
    requestIdle: (run: () => void, timeoutMs: number) => {
      pending = run;
      scheduler.idleTimeout = timeoutMs;
      return 7;
    },
    cancelIdle: () => {
      pending = null;
    },
    get idleTimeout() {
      return scheduler.idleTimeout;
    },
  };
}

describe('afterFirstPicture', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits for the first presented frame, then for the page to be idle', () => {
    const video = fakeVideo();
    const scheduler = fakeScheduler(true);
    const then = jest.fn();
    afterFirstPicture(video, then, FIRST_PICTURE_FALLBACK_MS, scheduler);
    jest.advanceTimersByTime(100);
    scheduler.idle();
    expect(then).not.toHaveBeenCalled();
    video.present();
    expect(then).not.toHaveBeenCalled();
    expect(scheduler.idleTimeout).toBe(IDLE_TIMEOUT_MS);
    scheduler.idle();
    expect(then).toHaveBeenCalledTimes(1);
    // The fallback no longer fires, and a second frame changes nothing.
    jest.advanceTimersByTime(FIRST_PICTURE_FALLBACK_MS);
    video.present();
    scheduler.idle();
    expect(then).toHaveBeenCalledTimes(1);
  });

  it('goes on after the fallback when no frame comes (a voice call, a camera that is off)', () => {
    const scheduler = fakeScheduler(true);
    const then = jest.fn();
    afterFirstPicture(fakeVideo(), then, 1_000, scheduler);
    jest.advanceTimersByTime(999);
    scheduler.idle();
    expect(then).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    scheduler.idle();
    expect(then).toHaveBeenCalledTimes(1);
  });

  it('works without requestVideoFrameCallback or requestIdleCallback (a timer instead)', () => {
    const scheduler = fakeScheduler(false);
    const then = jest.fn();
    afterFirstPicture({}, then, 1_000, scheduler);
    jest.advanceTimersByTime(1_000);
    expect(then).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(then).toHaveBeenCalledTimes(1);
  });

  it('does nothing once cancelled, whether waiting for the frame or for idle', () => {
    const waiting = jest.fn();
    const cancelWaiting = afterFirstPicture(fakeVideo(), waiting, 1_000, fakeScheduler(true));
    cancelWaiting();
    jest.advanceTimersByTime(5_000);
    expect(waiting).not.toHaveBeenCalled();

    const video = fakeVideo();
    const scheduler = fakeScheduler(true);
    const idle = jest.fn();
    const cancelIdle = afterFirstPicture(video, idle, 1_000, scheduler);
    video.present();
    cancelIdle();
    scheduler.idle();
    jest.advanceTimersByTime(5_000);
    expect(idle).not.toHaveBeenCalled();
  });
});
