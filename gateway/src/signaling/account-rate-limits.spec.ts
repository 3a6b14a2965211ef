import { AccountRateLimits } from './account-rate-limits';

describe('AccountRateLimits', () => {
  it('shares one bucket across the sockets of an account, not across accounts', () => {
    const limits = new AccountRateLimits(3, 1);
    const tabA = limits.acquire('alice');
    const tabB = limits.acquire('alice');
    expect(tabA).toBe(tabB);
    expect([tabA.take(), tabB.take(), tabA.take(), tabB.take()]).toEqual([true, true, true, false]);
    expect(limits.acquire('bob').take()).toBe(true);
  });

  it('forgets the bucket with the last socket of the account', () => {
    const limits = new AccountRateLimits(1, 1);
    limits.acquire('alice');
    limits.acquire('alice');
    limits.release('alice');
    expect(limits.size).toBe(1);
    limits.release('alice');
    expect(limits.size).toBe(0);
  });
});
