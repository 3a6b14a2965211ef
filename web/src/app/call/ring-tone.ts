/**
 * The incoming-call ring, synthesised with WebAudio (no audio file to download): the
 * classic 440 + 480 Hz pair, two seconds on, four off.
 */
export class RingTone {
  private context: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  start(): void {
    if (this.timer !== null || typeof AudioContext === 'undefined') return;
    this.context = new AudioContext();
    // Browsers may keep the context suspended until a user gesture; the dialog still shows.
    this.context.resume().catch(() => undefined);
    this.burst();
    this.timer = setInterval(() => this.burst(), 6_000);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.context?.close().catch(() => undefined);
    this.context = null;
  }

  private burst(): void {
    const context = this.context;
    if (!context) return;
    const gain = context.createGain();
    const now = context.currentTime;
    gain.gain.setValueAtTime(0, now);
    gain.gain.linearRampToValueAtTime(0.12, now + 0.05);
    gain.gain.setValueAtTime(0.12, now + 1.95);
    gain.gain.linearRampToValueAtTime(0, now + 2);
    gain.connect(context.destination);
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(now);
      oscillator.stop(now + 2);
    }
  }
}
