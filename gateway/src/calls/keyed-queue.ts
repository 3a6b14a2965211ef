/**
 * Runs tasks one at a time per key and concurrently across keys: the messages of one
 * call are applied in arrival order while different calls never wait for each other.
 * A key's chain is dropped once it drains, so idle calls cost nothing.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work pending (for tests and shutdown). */
  get size(): number {
    return this.tails.size;
  }
}
