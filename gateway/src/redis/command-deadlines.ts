/** One command waiting for its reply, in the order the commands were sent. */
interface Pending {
  readonly deadline: number;
  readonly expire: () => void;
  settled: boolean;
}

/**
 * Deadlines of commands that all wait the same time, on ONE timer.
 *
 * Why: a `setTimeout` per Redis command (armed, then cleared when the reply came) was
 * ~1.8 % of the gateway's CPU under load (docs/BENCHMARKS.md §2), plus the two promises
 * `Promise.race` and `finally` built around every reply. Because every wait has the same
 * length, deadlines arrive in the order commands were sent: a FIFO holds them, settled
 * heads are dropped as replies come (Redis answers in order, so the FIFO stays short),
 * and one timer, armed for the oldest unsettled deadline, expires what is due. A command
 * never expires early; it may expire up to one event-loop turn late.
 */
export class CommandDeadlines {
  private readonly queue: Pending[] = [];
  /** Index of the queue's head (shifting an array per reply would copy it). */
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * `reply`, or the rejection `onTimeout()` builds when it has not settled within the
   * timeout. The reply is not cancelled (a caller that gave up just stops waiting).
   */
  within<T>(reply: Promise<T>, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        deadline: this.now() + this.timeoutMs,
        expire: () => reject(onTimeout()),
        settled: false,
      };
      this.queue.push(pending);
      this.timer ??= setTimeout(this.fire, this.timeoutMs);
      reply.then(
        (value) => {
          this.settle(pending);
          resolve(value);
        },
        (error: unknown) => {
          this.settle(pending);
          // The command's own failure, passed on as node-redis raised it.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        },
      );
    });
  }

  /** Commands whose deadline is still being watched (for tests). */
  get watching(): number {
    let count = 0;
    for (let i = this.head; i < this.queue.length; i++) if (!this.queue[i]!.settled) count++;
    return count;
  }

  private settle(pending: Pending): void {
    pending.settled = true;
    this.dropSettledHeads();
  }

  private dropSettledHeads(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.settled) this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      // Compact now and then, so a long busy spell does not grow the array forever.
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.now();
    while (this.head < this.queue.length) {
      const pending = this.queue[this.head]!;
      if (!pending.settled) {
        if (pending.deadline > now) break;
        pending.settled = true;
        pending.expire();
      }
      this.head++;
    }
    this.dropSettledHeads();
    if (this.head < this.queue.length) {
      this.timer = setTimeout(this.fire, Math.max(1, this.queue[this.head]!.deadline - now));
    }
  };
}
