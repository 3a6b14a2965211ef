import { randomUUID } from 'node:crypto';
import type { CallHistory } from '@callgate/protocol';
import { CallHistoryService, type FinishedCall } from '../src/calls/call-history.service';
import { registerUser, type RunningGateway, type TestUser } from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';

/**
 * Call history's group commit on a real PostgreSQL: calls that end while an INSERT is in
 * flight go into one multi-row INSERT, and a row PostgreSQL refuses costs only its own
 * record.
 */
const suite = integrationSuite();
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await suite.gateway();
});

async function recent(user: TestUser): Promise<CallHistory['calls']> {
  const response = await fetch(`${gateway.baseUrl}/api/calls/recent`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  return ((await response.json()) as CallHistory).calls;
}

function ended(caller: string, callee: string, minute: number): FinishedCall {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 20, minute, s)).toISOString();
  return {
    id: randomUUID(),
    callerId: caller,
    calleeId: callee,
    startedAt: at(0),
    answeredAt: at(2),
    endedAt: at(30),
    reason: 'hangup',
  };
}

describe('call history', () => {
  it('records every call of a burst, in batches, with its fields intact', async () => {
    const [alice, bob] = [
      await registerUser(gateway.baseUrl, 'hist'),
      await registerUser(gateway.baseUrl, 'hist'),
    ];
    const history = gateway.app.get(CallHistoryService);
    const calls = Array.from({ length: 30 }, (_, i) => ended(alice.id, bob.id, i));
    for (const call of calls) history.record(call);
    await history.flush();
    const rows = await recent(alice);
    expect(rows.map((r) => r.id).sort()).toEqual(calls.map((c) => c.id).sort());
    const newest = rows.find((r) => r.id === calls[29]!.id)!;
    expect(newest).toMatchObject({
      direction: 'outgoing',
      startedAt: calls[29]!.startedAt,
      answeredAt: calls[29]!.answeredAt,
      endedAt: calls[29]!.endedAt,
      reason: 'hangup',
      durationSeconds: 28,
    });
    expect((await recent(bob)).every((r) => r.direction === 'incoming')).toBe(true);
  });

  it('loses only the record PostgreSQL refuses (unknown user), not the rest of its batch', async () => {
    const [carol, dave] = [
      await registerUser(gateway.baseUrl, 'hist'),
      await registerUser(gateway.baseUrl, 'hist'),
    ];
    const history = gateway.app.get(CallHistoryService);
    const good = [
      ended(carol.id, dave.id, 1),
      ended(carol.id, dave.id, 2),
      ended(carol.id, dave.id, 3),
    ];
    const refused = ended(carol.id, randomUUID(), 4);
    history.record(good[0]!);
    history.record(good[1]!);
    history.record(refused);
    history.record(good[2]!);
    await history.flush();
    expect((await recent(carol)).map((r) => r.id).sort()).toEqual(good.map((c) => c.id).sort());
  });
});
