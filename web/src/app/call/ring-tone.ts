/** How long after the ring is silenced its audio context is closed (see {@link RingTone.silence}). */
export const RING_CLOSE_DELAY_MS = 1_000;

/**
 * The incoming-call ring, synthesised with WebAudio (no audio file to download): the
 * classic 440 + 480 Hz pair, two seconds on, four off.
 */
export class RingTone {
  private context: AudioContext | null = null;
  /** Every burst plays through this, so one write silences the ring. */
  private output: GainNode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** A silenced ring's context, closed by {@link closeTimer} or the next {@link stop}. */
  private closing: AudioContext | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.timer !== null || typeof AudioContext === 'undefined') return;
    this.context = new AudioContext();
    this.output = this.context.createGain();
    this.output.connect(this.context.destination);
    // Browsers may keep the context suspended until a user gesture; the dialog still shows.
    this.context.resume().catch(() => undefined);
    this.burst();
    this.timer = setInterval(() => this.burst(), 6_000);
  }

  /**
   * Silences the ring at once and closes its audio context a moment later (or at
   * {@link stop}): `close()` took 3–9 ms of the main thread inside the click on Accept
   * (callee CPU profile, bench §1), while the connection is being set up.
   */
  silence(): void {
    const context = this.context;
    this.halt();
    if (!context) return;
    this.closeNow(); // an earlier ring's, if one is still waiting
    this.closing = context;
    this.closeTimer = setTimeout(() => this.closeNow(), RING_CLOSE_DELAY_MS);
  }

  /** Stops the ring and closes its audio context now (also one {@link silence} left). */
  stop(): void {
    const context = this.context;
    this.halt();
    if (context) void context.close().catch(() => undefined);
    this.closeNow();
  }

  private halt(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.output) this.output.gain.value = 0;
    this.context = null;
    this.output = null;
  }

  private closeNow(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.closing?.close().catch(() => undefined);
    this.closing = null;
  }

  private burst(): void {
    const context = this.context;
    const output = this.output;
    if (!context || !output) return;
    const gain = context.createGain();
    const now = context.currentTime;
    gain.gain.setValueAtTime(0, now);
    gain.gain.linearRampToValueAtTime(0.12, now + 0.05);
    gain.gain.setValueAtTime(0.12, now + 1.95);
    gain.gain.linearRampToValueAtTime(0, now + 2);
    gain.connect(output);
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(now);
      oscillator.stop(now + 2);
    }
  }
}
