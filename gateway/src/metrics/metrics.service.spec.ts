import { MetricsService } from './metrics.service';

describe('MetricsService callgate_calls_active', () => {
  it('reads the open calls from its source when scraped', async () => {
    const metrics = new MetricsService();
    const source = jest.fn().mockResolvedValue({ ringing: 2, active: 5 });
    metrics.countActiveCallsWith(source);
    expect(source).not.toHaveBeenCalled();
    const text = await metrics.registry.metrics();
    expect(source).toHaveBeenCalledTimes(1);
    expect(text).toMatch(/^callgate_calls_active\{phase="ringing"[^}]*\} 2$/m);
    expect(text).toMatch(/^callgate_calls_active\{phase="active"[^}]*\} 5$/m);
  });

  it('keeps the last counts and still answers the scrape when the source fails', async () => {
    const metrics = new MetricsService();
    const source = jest
      .fn()
      .mockResolvedValueOnce({ ringing: 1, active: 3 })
      .mockRejectedValueOnce(new Error('Redis is down'));
    metrics.countActiveCallsWith(source);
    await metrics.registry.metrics();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^callgate_calls_active\{phase="active"[^}]*\} 3$/m);
  });
});
