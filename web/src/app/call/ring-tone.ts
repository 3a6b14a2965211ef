/** How long after the ring stops its audio context is closed (see {@link RingTone.stop}). */
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
   * Silences the ring at once and closes its audio context a moment later: `close()` took
   * 3–9 ms of the main thread inside the click on Accept (callee CPU profile, bench §1),
   * while the connection is being set up.
   */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const context = this.context;
    if (this.output) this.output.gain.value = 0;
    this.context = null;
    this.output = null;
    if (context) setTimeout(() => void context.close().catch(() => undefined), RING_CLOSE_DELAY_MS);
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
