/**
 * How long the call screen waits, at most, for the other side's first picture before it
 * renders the rest (chat, devices, stats): a voice call, or a camera that is off, never
 * presents a frame.
 */
export const FIRST_PICTURE_FALLBACK_MS = 1_500;
/** How long the rest then waits, at most, for the page to be idle. */
export const IDLE_TIMEOUT_MS = 500;

/** What {@link afterFirstPicture} needs of a `<video>` (all of it optional in older browsers). */
export type PictureSource = Pick<Partial<HTMLVideoElement>, 'requestVideoFrameCallback'>;

/** The timers {@link afterFirstPicture} uses; the browser's by default, fakes in unit tests. */
export interface IdleScheduler {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** `requestIdleCallback`, where the browser has it. */
  requestIdle?(run: () => void, timeoutMs: number): unknown;
  cancelIdle?(handle: unknown): void;
}

const browserScheduler: IdleScheduler = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  ...(typeof requestIdleCallback === 'function'
    ? {
        requestIdle: (run: () => void, timeout: number) => requestIdleCallback(run, { timeout }),
        cancelIdle: (handle: unknown) => cancelIdleCallback(handle as number),
      }
    : {}),
};

/**
 * Runs `then` once, after `video` presented its next frame (the other side's first picture,
 * when called as the call is answered) or after `fallbackMs`, whichever comes first, and
 * then when the page is next idle (at most {@link IDLE_TIMEOUT_MS} later). Returns a
 * function that cancels it.
 *
 * Why: whatever the page renders at the click on Accept (or, at the caller, when the call
 * is answered) runs on the main thread while the connection is being set up; on a busy
 * device that long task delayed the first picture itself (docs/BENCHMARKS.md §1).
 */
export function afterFirstPicture(
  video: PictureSource | undefined,
  then: () => void,
  fallbackMs = FIRST_PICTURE_FALLBACK_MS,
  scheduler: IdleScheduler = browserScheduler,
): () => void {
  let stage: 'waiting' | 'idle' | 'done' = 'waiting';
  let idleHandle: unknown = null;
  let idleIsTimer = false;
  const run = (): void => {
    if (stage === 'done') return;
    stage = 'done';
    then();
  };
  const picture = (): void => {
    if (stage !== 'waiting') return;
    stage = 'idle';
    scheduler.clearTimeout(fallback);
    if (scheduler.requestIdle) {
      idleHandle = scheduler.requestIdle(run, IDLE_TIMEOUT_MS);
    } else {
      idleIsTimer = true;
      idleHandle = scheduler.setTimeout(run, 0);
    }
  };
  const fallback = scheduler.setTimeout(picture, fallbackMs);
  video?.requestVideoFrameCallback?.call(video, () => picture());
  return () => {
    if (stage === 'waiting') scheduler.clearTimeout(fallback);
    if (stage === 'idle' && idleHandle !== null) {
      if (idleIsTimer) scheduler.clearTimeout(idleHandle);
      else scheduler.cancelIdle?.(idleHandle);
    }
    stage = 'done';
  };
}
