/**
 * What coturn and the uclients said during a capacity run, so a short count names its
 * cause (quota, port reuse, a lost answer, a closed session) instead of only "999".
 * Pure parsing of coturn's verbose log and uclient's output; the bench collects both.
 */

export interface AllocationDiagnosis {
  /** Successful allocations per REST username ("<expiry>:<user id>"), from coturn's log. */
  allocatedPerUser: Map<string, number>;
  /** Of those, the ones coturn has not closed or deleted since (matched by session id). */
  livePerUser: Map<string, number>;
  /** coturn's error answers, e.g. "ALLOCATE 486 Allocation Quota Reached" → count. */
  coturnErrors: Map<string, number>;
  /** Reasons coturn gave for closing sessions, e.g. "allocation timeout" → count. */
  closeReasons: Map<string, number>;
  /** coturn's relay-port bind failures (port taken by another socket of the host). */
  relayBindRetries: number;
  /** uclient's own error lines (normalised), e.g. "error 486 (Allocation Quota Reached)". */
  clientErrors: Map<string, number>;
}

const add = (map: Map<string, number>, key: string, n = 1): void => {
  map.set(key, (map.get(key) ?? 0) + n);
};

// coturn's log lines start with a timestamp (new-log-timestamp) and may carry the
// terminal's erase-line escape (simple-log on a pipe); both are noise here.
const clean = (line: string): string =>
  line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/^\S+: /, '');

export function diagnoseAllocations(coturnLog: string, uclientLogs: string): AllocationDiagnosis {
  const allocatedPerUser = new Map<string, number>();
  const coturnErrors = new Map<string, number>();
  const closeReasons = new Map<string, number>();
  let relayBindRetries = 0;
  const open = new Map<string, string>();
  for (const raw of coturnLog.split('\n')) {
    const line = clean(raw);
    const created = /^session (\d+): new, realm=<[^>]*>, username=<([^>]+)>/.exec(line);
    if (created) {
      add(allocatedPerUser, created[2]!);
      open.set(created[1]!, created[2]!);
    }
    const ended = /^session (\d+): (closed \(2nd stage\)|delete:)/.exec(line);
    if (ended) open.delete(ended[1]!);
    // "incoming packet ALLOCATE processed, error 486: Allocation Quota Reached"; coturn
    // writes a second "message processed" line for the same answer, which is skipped.
    const error = /incoming packet (\w+) processed, error (\d{3}): (.*)$/.exec(line);
    if (error?.[1] === 'message') add(coturnErrors, `${error[2]} ${error[3]}`);
    const closed = /closed \(2nd stage\), user <([^>]*)>.*reason: (.*)$/.exec(line);
    if (closed) add(closeReasons, `${closed[2]}${closed[1] === '' ? ' (unauthenticated)' : ''}`);
    if (/Trying to bind fd \d+ to <[^>]+>: errno=98/.test(line)) relayBindRetries++;
  }
  const clientErrors = new Map<string, number>();
  for (const raw of uclientLogs.split('\n')) {
    // "0: : error 486 (Allocation Quota Reached)" → "error 486 (Allocation Quota Reached)".
    const line = raw.replace(/^\d+: : /, '').trim();
    // Progress lines ("start_mclient: … tot_send_msgs=…") are not errors.
    if (/^error \d{3}|[Cc]annot|^recv|^send|[Ss]egmentation/.test(line)) add(clientErrors, line);
  }
  const livePerUser = new Map<string, number>();
  for (const user of open.values()) add(livePerUser, user);
  return {
    allocatedPerUser,
    livePerUser,
    coturnErrors,
    closeReasons,
    relayBindRetries,
    clientErrors,
  };
}

const listed = (map: Map<string, number>): string =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${n} × ${what}`)
    .join('; ') || 'none';

/**
 * One sentence for the bench notes. `expectedPerUser` is what each account should hold;
 * accounts coturn gave fewer are counted as short.
 */
export function describeDiagnosis(
  d: AllocationDiagnosis,
  users: string[],
  expectedPerUser: number,
): string {
  const short = users.filter((u) => (d.allocatedPerUser.get(u) ?? 0) < expectedPerUser);
  const granted = users.reduce((sum, u) => sum + (d.allocatedPerUser.get(u) ?? 0), 0);
  return [
    `coturn granted ${granted} allocations to these ${users.length} accounts (${short.length} short of ${expectedPerUser})`,
    `coturn's error answers: ${listed(d.coturnErrors)}`,
    `sessions closed: ${listed(d.closeReasons)}`,
    `relay ports already taken on the host (coturn bound another): ${d.relayBindRetries}`,
    `uclient errors: ${listed(d.clientErrors)}`,
  ].join('. ');
}
