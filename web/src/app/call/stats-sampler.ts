import {
  EMPTY,
  type Observable,
  catchError,
  exhaustMap,
  filter,
  from,
  map,
  merge,
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
 *
 * `refresh` takes an extra sample at once whenever it emits: the call passes "the
 * connection became connected", so the badge names the path as soon as media can flow
 * instead of up to one interval later.
 */
export function sampleStats(
  getStats: () => Promise<RTCStatsReport>,
  intervalMs = STATS_INTERVAL_MS,
  now: () => number = Date.now,
  refresh: Observable<unknown> = EMPTY,
): Observable<StatsSample> {
  return merge(timer(0, intervalMs), refresh).pipe(
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
