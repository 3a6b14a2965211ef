import { TimeoutError } from 'redis';
import { CommandDeadlines } from './command-deadlines';
import { withinCommandTimeout, COMMAND_TIMEOUT_MS } from './redis.client';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const timeout = () => new Error('timed out');

describe('CommandDeadlines', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes a reply that comes in time through, and stops watching it', async () => {
    const deadlines = new CommandDeadlines(1000);
    const reply = deferred<string>();
    const result = deadlines.within(reply.promise, timeout);
    reply.resolve('OK');
    await expect(result).resolves.toBe('OK');
    expect(deadlines.watching).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("passes the command's own error through unchanged", async () => {
    const deadlines = new CommandDeadlines(1000);
    const error = new Error('ERR wrong type');
    await expect(deadlines.within(Promise.reject(error), timeout)).rejects.toBe(error);
  });

  it('fails a command with no reply at its deadline, not before', async () => {
    const deadlines = new CommandDeadlines(1000);
    const result = deadlines.within(new Promise<never>(() => undefined), timeout);
    const seen = jest.fn();
    result.catch(seen);
    await jest.advanceTimersByTimeAsync(999);
    expect(seen).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toHaveBeenCalledWith(new Error('timed out'));
    expect(jest.getTimerCount()).toBe(0);
  });

  it('watches any number of commands with one timer', async () => {
    const deadlines = new CommandDeadlines(1000);
    const replies = Array.from({ length: 50 }, () => deferred<number>());
    const results = replies.map((r) => deadlines.within(r.promise, timeout));
    expect(jest.getTimerCount()).toBe(1);
    replies.forEach((r, i) => r.resolve(i));
    await expect(Promise.all(results)).resolves.toEqual(replies.map((_, i) => i));
    expect(jest.getTimerCount()).toBe(0);
  });

  it('expires each stalled command at its own deadline, between answered ones', async () => {
    const deadlines = new CommandDeadlines(1000);
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<unknown>) =>
      p.then(
        () => outcomes.push(`${name} ok`),
        () => outcomes.push(`${name} timeout`),
      );
    const answered = deferred<string>();
    void track('a', deadlines.within(new Promise<never>(() => undefined), timeout));
    await jest.advanceTimersByTimeAsync(300);
    void track('b', deadlines.within(answered.promise, timeout));
    await jest.advanceTimersByTimeAsync(300);
    void track('c', deadlines.within(new Promise<never>(() => undefined), timeout));
    answered.resolve('OK');
    await jest.advanceTimersByTimeAsync(399);
    expect(outcomes).toEqual(['b ok']);
    await jest.advanceTimersByTimeAsync(1);
    expect(outcomes).toEqual(['b ok', 'a timeout']);
    await jest.advanceTimersByTimeAsync(599);
    expect(outcomes).toEqual(['b ok', 'a timeout']);
    await jest.advanceTimersByTimeAsync(1);
    expect(outcomes).toEqual(['b ok', 'a timeout', 'c timeout']);
    expect(deadlines.watching).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores a reply that comes after its command expired', async () => {
    const deadlines = new CommandDeadlines(1000);
    const late = deferred<string>();
    const result = deadlines.within(late.promise, timeout);
    const assertion = expect(result).rejects.toThrow('timed out');
    await jest.advanceTimersByTimeAsync(1000);
    await assertion;
    late.resolve('too late');
    await Promise.resolve();
    expect(deadlines.watching).toBe(0);
  });

  it('watches only the stalled command while thousands of others are answered', async () => {
    const deadlines = new CommandDeadlines(1000);
    const stalled = deadlines.within(new Promise<never>(() => undefined), timeout);
    stalled.catch(() => undefined);
    for (let i = 0; i < 5000; i++) await deadlines.within(Promise.resolve(i), timeout);
    expect(deadlines.watching).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
  });
});

describe('withinCommandTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("fails with node-redis's TimeoutError after the command timeout", async () => {
    const result = withinCommandTimeout(new Promise<never>(() => undefined));
    const assertion = expect(result).rejects.toBeInstanceOf(TimeoutError);
    await jest.advanceTimersByTimeAsync(COMMAND_TIMEOUT_MS);
    await assertion;
  });
});
