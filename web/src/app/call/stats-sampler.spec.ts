import { jest } from '@jest/globals';
import { Subject } from 'rxjs';

import type { StatsSample } from './stats';
import { sampleStats } from './stats-sampler';

/** A report whose outbound byte counter grows by `step` bytes per call. */
function growingReport(step: number) {
  let bytes = 0;
  return () => {
    bytes += step;
    const entries = new Map<string, object>([
      ['OV', { id: 'OV', type: 'outbound-rtp', kind: 'video', timestamp: 0, bytesSent: bytes }],
    ]);
    return Promise.resolve(entries as unknown as RTCStatsReport);
  };
}

describe('sampleStats', () => {
  afterEach(() => jest.useRealTimers());

  it('samples at once, then every interval, with rates from deltas', async () => {
    jest.useFakeTimers();
    let clock = 0;
    const samples: StatsSample[] = [];
    const sub = sampleStats(growingReport(250_000), 2000, () => clock).subscribe((s) =>
      samples.push(s),
    );
    await jest.advanceTimersByTimeAsync(0);
    expect(samples).toHaveLength(1);
    expect(samples[0]!.outBitrate).toBeNull();
    clock = 2000;
    await jest.advanceTimersByTimeAsync(2000);
    expect(samples).toHaveLength(2);
    expect(samples[1]!.outBitrate).toBe(1_000_000);
    sub.unsubscribe();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(samples).toHaveLength(2);
  });

  it('skips a failed getStats() and keeps sampling', async () => {
    jest.useFakeTimers();
    let calls = 0;
    const ok = growingReport(1000);
    const flaky = () => (++calls === 2 ? Promise.reject(new Error('closed')) : ok());
    const samples: StatsSample[] = [];
    const sub = sampleStats(flaky, 2000).subscribe((s) => samples.push(s));
    await jest.advanceTimersByTimeAsync(4000);
    expect(calls).toBe(3);
    expect(samples).toHaveLength(2);
    sub.unsubscribe();
  });
  it('takes an extra sample at once when refresh emits, not at the next tick', async () => {
    jest.useFakeTimers();
    let clock = 0;
    const refresh = new Subject<void>();
    const samples: StatsSample[] = [];
    const sub = sampleStats(growingReport(1000), 2000, () => clock, refresh).subscribe((s) =>
      samples.push(s),
    );
    await jest.advanceTimersByTimeAsync(0);
    expect(samples).toHaveLength(1);
    clock = 300;
    refresh.next();
    await jest.advanceTimersByTimeAsync(0);
    expect(samples).toHaveLength(2);
    // The delta covers the 300 ms since the previous sample.
    expect(samples[1]!.outBitrate).toBe((1000 * 8) / 0.3);
    await jest.advanceTimersByTimeAsync(2000);
    expect(samples).toHaveLength(3);
    sub.unsubscribe();
  });
});
