import { describeDiagnosis, diagnoseAllocations } from './diagnosis.ts';

// Lines as coturn 4.6.1 writes them with verbose + simple-log + new-log-timestamp.
const A = '1796137573:7e8ebae2-ac42-423a-9f02-6a0eb4fe1a47';
const B = '1796137573:027088dd-95fb-4895-be99-49665578bc13';
const coturnLog = [
  `2026-12-01T14:06:13+0000: session 000000000000000002: new, realm=<callgate>, username=<${A}>, lifetime=777`,
  `\x1b[2K2026-12-01T14:06:13+0000: session 001000000000000002: new, realm=<callgate>, username=<${A}>, lifetime=777`,
  `2026-12-01T14:06:13+0000: session 001000000000000003: new, realm=<callgate>, username=<${B}>, lifetime=777`,
  `2026-12-01T14:06:13+0000: session 001000000000000004: realm <callgate> user <${B}>: incoming packet ALLOCATE processed, error 486: Allocation Quota Reached`,
  `2026-12-01T14:06:13+0000: session 001000000000000004: realm <callgate> user <${B}>: incoming packet message processed, error 486: Allocation Quota Reached`,
  `2026-12-01T14:06:14+0000: session 001000000000000005: realm <callgate> user <${B}>: incoming packet message processed, error 437: Mismatched allocation: wrong transaction ID`,
  `2026-12-01T14:06:13+0000: session 001000000000000006: realm <callgate> user <>: incoming packet message processed, error 401: Unauthorized`,
  `\x1b[2K2026-12-01T14:07:10+0000: session 000000000000000001: closed (2nd stage), user <> realm <callgate> origin <>, local 127.0.0.1:3478, remote 127.0.0.1:45974, reason: allocation watchdog determined stale session state`,
  `2026-12-01T14:07:11+0000: session 000000000000000002: closed (2nd stage), user <${A}> realm <callgate> origin <>, local 127.0.0.1:3478, remote 127.0.0.1:45976, reason: allocation timeout`,
  `2026-12-01T14:07:11+0000: session 000000000000000002: delete: realm=<callgate>, username=<${A}>`,
  `2026-12-01T14:07:11+0000: session 000000000000000007: closed (2nd stage), user <${B}> realm <callgate> origin <>, local 127.0.0.1:3478, remote 127.0.0.1:45975, reason: allocation timeout`,
  `\x1b[2K2026-12-01T14:06:55+0000: Trying to bind fd 521 to <127.0.0.1:58056>: errno=98`,
].join('\n');
const uclientLogs = [
  '0: : error 486 (Allocation Quota Reached)',
  '0: : error 437 (Mismatched allocation: wrong transaction ID)',
  '0: : error 486 (Allocation Quota Reached)',
  '1: : start_mclient: msz=5, tot_send_msgs=0, tot_recv_msgs=0, tot_send_bytes ~ 0, tot_recv_bytes ~ 0',
].join('\n');

describe('diagnoseAllocations', () => {
  const d = diagnoseAllocations(coturnLog, uclientLogs);

  it('counts the allocations coturn granted per REST username', () => {
    expect(d.allocatedPerUser.get(A)).toBe(2);
    expect(d.allocatedPerUser.get(B)).toBe(1);
  });

  it('keeps as live only the allocations whose session coturn has not closed', () => {
    // A's session 000000000000000002 timed out; session 7 (B) closed had no allocation.
    expect(d.livePerUser.get(A)).toBe(1);
    expect(d.livePerUser.get(B)).toBe(1);
  });

  it('counts each error answer once, by code and reason', () => {
    expect([...d.coturnErrors]).toEqual([
      ['486 Allocation Quota Reached', 1],
      ['437 Mismatched allocation: wrong transaction ID', 1],
      ['401 Unauthorized', 1],
    ]);
  });

  it('keeps close reasons apart for unauthenticated sessions', () => {
    expect(
      d.closeReasons.get('allocation watchdog determined stale session state (unauthenticated)'),
    ).toBe(1);
    expect(d.closeReasons.get('allocation timeout')).toBe(2);
  });

  it('counts relay ports coturn found taken, and uclient errors without progress lines', () => {
    expect(d.relayBindRetries).toBe(1);
    expect([...d.clientErrors]).toEqual([
      ['error 486 (Allocation Quota Reached)', 2],
      ['error 437 (Mismatched allocation: wrong transaction ID)', 1],
    ]);
  });
});

describe('describeDiagnosis', () => {
  it('names the accounts coturn gave fewer than expected', () => {
    const text = describeDiagnosis(diagnoseAllocations(coturnLog, ''), [A, B], 2);
    expect(text).toContain('coturn granted 3 allocations to these 2 accounts (1 short of 2)');
    expect(text).toContain('1 × 486 Allocation Quota Reached');
    expect(text).toContain('uclient errors: none');
  });
});
