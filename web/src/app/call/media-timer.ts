/** Give up when media has not (re)connected within this long. */
export const MEDIA_TIMEOUT_MS = 30_000;

/** What a {@link MediaTimer} reads and calls; `ActiveCall` wires its connection. */
export interface MediaTimerOptions {
  /** The peer connection's state now, or `null` while there is none. */
  connectionState: () => RTCPeerConnectionState | null;
  /** The countdown ran out without a connection; `detail` says why, as a sentence. */
  onTimeout: (detail: string) => void;
}

/**
 * The one countdown after which a call gives up on media ({@link MEDIA_TIMEOUT_MS}),
 * armed at the answer, on a lost connection and for a rejoin's fresh connection, and
 * cleared once the connection is up.
 *
 * A connection that is up when the countdown runs out is never given up on: it may have
 * come up before the timer was armed (the callee answers the caller's checks while its
 * `call:accept` ack and queued answer are still on their way), and then no "connected"
 * event clears the timer. Before that rule such calls ended 30 s after connecting.
 */
export class MediaTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: MediaTimerOptions) {}

  /** Whether a countdown is running. */
  get armed(): boolean {
    return this.timer !== null;
  }

  /** Starts the countdown, or restarts it (a second arm replaces the first: one timeout). */
  arm(detail: string): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.options.connectionState() !== 'connected') this.options.onTimeout(detail);
    }, MEDIA_TIMEOUT_MS);
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
