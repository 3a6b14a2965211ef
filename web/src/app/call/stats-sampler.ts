import {
  EMPTY,
  type Observable,
  catchError,
  exhaustMap,
  filter,
  from,
  map,
  scan,
  timer,
} from 'rxjs';

import {
  STATS_INTERVAL_MS,
  type StatsCounters,
  type StatsSample,
  computeSample,
  readStats,
  statsEntries,
} from './stats';

/**
 * Samples a connection's `getStats()` every {@link STATS_INTERVAL_MS} (first one at once)
 * and turns consecutive reports into deltas. A slow `getStats()` skips a tick instead of
 * piling up; a failed one is skipped.
 */
export function sampleStats(
  getStats: () => Promise<RTCStatsReport>,
  intervalMs = STATS_INTERVAL_MS,
  now: () => number = Date.now,
): Observable<StatsSample> {
  return timer(0, intervalMs).pipe(
    exhaustMap(() => from(getStats()).pipe(catchError(() => EMPTY))),
    map((report) => readStats(statsEntries(report), now())),
    scan(
      (acc: { previous: StatsCounters | null; sample: StatsSample | null }, reading) => ({
        previous: reading.counters,
        sample: computeSample(acc.previous, reading),
      }),
      { previous: null, sample: null },
    ),
    map((acc) => acc.sample),
    filter((sample): sample is StatsSample => sample !== null),
  );
}
