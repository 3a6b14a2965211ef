/** One pending timeout per key (call id, user id); setting a key again replaces it. */
export class KeyedTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  set(key: string, delayMs: number, fire: () => void): void {
    this.clear(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fire();
      }, delayMs),
    );
  }

  /** Cancels the key's timeout; true when one was pending. */
  clear(key: string): boolean {
    const timer = this.timers.get(key);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.timers.delete(key);
    return true;
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
