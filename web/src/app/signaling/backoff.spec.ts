import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 8000 };

  it('doubles the ceiling each attempt and caps it', () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([0, 1, 2, 3, 4, 5, 10].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(2000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(3000);
    const samples = Array.from({ length: 200 }, () => backoffDelay(3, options));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4000);
    expect(new Set(samples).size).toBeGreaterThan(50); // really random, not one fixed delay
  });
});
