import type { UserSummary } from '@callgate/protocol';
import type { CallSession } from '../calls/call-session';
import type { CallSessionStore } from '../calls/call-session.store';

const alice: UserSummary = {
  id: 'a0000000-0000-4000-8000-000000000001',
  username: 'alice',
  displayName: 'Alice',
};
const bob: UserSummary = {
  id: 'b0000000-0000-4000-8000-000000000002',
  username: 'bob',
  displayName: 'Bob',
};
const carol: UserSummary = {
  id: 'c0000000-0000-4000-8000-000000000003',
  username: 'carol',
  displayName: 'Carol',
};

const LONG = 60_000;
const SHORT = 40;

function session(id: string, caller: UserSummary, callee: UserSummary): CallSession {
  return {
    id,
    caller,
    callee,
    phase: 'ringing',
    video: true,
    startedAt: '2026-01-01T00:00:00.000Z',
    answeredAt: null,
    callerSocketId: `socket-${caller.username}`,
    calleeSocketId: null,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `read()` once `done` holds (default: it changed phase to active), polled for ≤ 50 ms. */
async function soon(
  read: () => Promise<CallSession | undefined>,
  done: (s: CallSession | undefined) => boolean = (s) => s?.phase === 'active',
): Promise<CallSession | undefined> {
  for (let waited = 0; ; waited += 2) {
    const value = await read();
    if (done(value) || waited >= 50) return value;
    await sleep(2);
  }
}

/**
 * Behaviour every {@link CallSessionStore} must have, run against each implementation:
 * in memory (unit tests) and Redis (integration tests). `open` returns two handles on the
 * SAME state, as two gateway replicas see it, so races between replicas are exercised.
 */
export function describeCallSessionStore(
  name: string,
  open: () => Promise<[CallSessionStore, CallSessionStore]>,
): void {
  describe(`CallSessionStore contract: ${name}`, () => {
    let one: CallSessionStore;
    let two: CallSessionStore;

    beforeEach(async () => {
      [one, two] = await open();
    });

    it('finds a created session by id and by either member, from every replica', async () => {
      expect(await one.create(session('call-1', alice, bob), LONG)).toEqual({ kind: 'created' });
      expect((await two.get('call-1'))?.callee).toEqual(bob);
      expect((await two.findByUser(alice.id))?.id).toBe('call-1');
      expect((await two.findByUser(bob.id))?.id).toBe('call-1');
      expect(await two.findByUser(carol.id)).toBeUndefined();
      expect(await two.get('nope')).toBeUndefined();
    });

    // Reads may be served from a replica's cache (Redis client-side caching): a replica's
    // own transition shows in its very next read; another replica's as soon as Redis's
    // invalidation reaches it (pushed before that replica even got its reply, so well
    // before anything it sends on can arrive), never a stale entry for longer.
    it("a session read again and again shows this replica's transitions at once and the other replica's within milliseconds", async () => {
      await one.create(session('call-1', alice, bob), LONG);
      for (let i = 0; i < 3; i++) expect((await two.get('call-1'))?.phase).toBe('ringing');
      await two.accept('call-1', bob.id, 'bob-tab', 'now');
      expect(await two.get('call-1')).toMatchObject({ phase: 'active', calleeSocketId: 'bob-tab' });
      expect(await soon(() => one.get('call-1'))).toMatchObject({ phase: 'active' });
      await one.attach('call-1', bob.id, 'bob-tab-2', 'bob-tab');
      expect((await one.get('call-1'))?.calleeSocketId).toBe('bob-tab-2');
      expect(
        (
          await soon(
            () => two.get('call-1'),
            (s) => s?.calleeSocketId === 'bob-tab-2',
          )
        )?.calleeSocketId,
      ).toBe('bob-tab-2');
      await one.end('call-1');
      expect(await one.get('call-1')).toBeUndefined();
      expect(
        await soon(
          () => two.get('call-1'),
          (s) => s === undefined,
        ),
      ).toBeUndefined();
    });

    it('refuses a callee in a call (busy) and answers a caller in a call with that call', async () => {
      await one.create(session('call-1', alice, bob), LONG);
      expect(await two.create(session('call-2', carol, bob), LONG)).toEqual({ kind: 'busy' });
      const own = await two.create(session('call-3', alice, carol), LONG);
      expect(own).toMatchObject({ kind: 'member', session: { id: 'call-1' } });
      expect(await one.get('call-2')).toBeUndefined();
      expect(await one.findByUser(carol.id)).toBeUndefined();
    });

    it('crossing invites on two replicas store exactly one call', async () => {
      const outcomes = await Promise.all([
        one.create(session('from-alice', alice, bob), LONG),
        two.create(session('from-bob', bob, alice), LONG),
      ]);
      const created = outcomes.filter((o) => o.kind === 'created');
      const crossing = outcomes.filter((o) => o.kind === 'member');
      expect(created).toHaveLength(1);
      expect(crossing).toHaveLength(1);
      const winner = (await one.findByUser(alice.id))!;
      expect(crossing[0]).toMatchObject({ session: { id: winner.id } });
      expect(await one.findByUser(bob.id)).toMatchObject({ id: winner.id });
    });

    it('two replicas accepting the same call: exactly one wins', async () => {
      await one.create(session('call-1', alice, bob), LONG);
      const outcomes = await Promise.all([
        one.accept('call-1', bob.id, 'bob-tab-1', '2026-01-01T00:00:01.000Z'),
        two.accept('call-1', bob.id, 'bob-tab-2', '2026-01-01T00:00:01.000Z'),
      ]);
      const kinds = outcomes.map((o) => o.kind).sort();
      expect(kinds).toEqual(['accepted', 'already_answered']);
      const won = outcomes.find((o) => o.kind === 'accepted')!;
      const stored = (await two.get('call-1'))!;
      expect(stored.phase).toBe('active');
      expect(stored.calleeSocketId).toBe(won.kind === 'accepted' && won.session.calleeSocketId);
      expect(await one.accept('call-1', alice.id, 'x', 'now')).toEqual({ kind: 'not_callee' });
      expect(await one.accept('nope', bob.id, 'x', 'now')).toEqual({ kind: 'gone' });
      expect(await one.countByPhase()).toEqual({ ringing: 0, active: 1 });
    });

    it('ends a call once: one concurrent end gets the session, members are freed', async () => {
      await one.create(session('call-1', alice, bob), LONG);
      expect(await one.end('call-1', 'active')).toBeUndefined();
      const ends = await Promise.all([one.end('call-1'), two.end('call-1')]);
      expect(ends.filter((s) => s !== undefined)).toHaveLength(1);
      expect(await one.findByUser(alice.id)).toBeUndefined();
      expect(await one.findByUser(bob.id)).toBeUndefined();
      expect(await one.countByPhase()).toEqual({ ringing: 0, active: 0 });
      expect(await one.create(session('call-2', bob, alice), LONG)).toEqual({ kind: 'created' });
    });

    it('detaches a carrier with a grace deadline and re-attaches only the expected carrier', async () => {
      await one.create(session('call-1', alice, bob), LONG);
      await one.accept('call-1', bob.id, 'bob-tab', 'now');
      expect(await two.detach('call-1', alice.id, 'some-other-tab', false, LONG)).toBe(false);
      expect(await two.detach('call-1', alice.id, 'socket-alice', false, LONG)).toBe(true);
      expect((await one.get('call-1'))!.callerSocketId).toBeNull();
      expect(await one.attach('call-1', alice.id, 'alice-2', 'stale')).toBeUndefined();
      const resumed = await one.attach('call-1', alice.id, 'alice-2', null);
      expect(resumed?.callerSocketId).toBe('alice-2');
      // Taking over from a known (dead) carrier.
      expect((await two.attach('call-1', bob.id, 'bob-2', 'bob-tab'))?.calleeSocketId).toBe(
        'bob-2',
      );
      expect(await two.attach('call-1', carol.id, 'c', null)).toBeUndefined();
    });

    it('a ring deadline is claimed exactly once, by whichever replica polls', async () => {
      await one.create(session('call-1', alice, bob), SHORT);
      expect(await two.claimExpired(10)).toEqual([]);
      await sleep(SHORT * 3);
      const [a, b] = await Promise.all([one.claimExpired(10), two.claimExpired(10)]);
      const claimed = [...a, ...b];
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ reason: 'timeout', session: { id: 'call-1' } });
      expect(await one.get('call-1')).toBeUndefined();
      expect(await two.claimExpired(10)).toEqual([]);
    });

    it('an answered call does not time out; a grace deadline ends it as disconnected', async () => {
      await one.create(session('call-1', alice, bob), SHORT);
      await one.accept('call-1', bob.id, 'bob-tab', 'now');
      await sleep(SHORT * 3);
      expect(await two.claimExpired(10)).toEqual([]);
      await two.detach('call-1', bob.id, 'bob-tab', false, SHORT);
      await sleep(SHORT * 3);
      const claimed = await one.claimExpired(10);
      expect(claimed).toMatchObject([{ reason: 'disconnected', session: { id: 'call-1' } }]);
    });

    it('re-attaching or ending cancels the grace deadline; a ringing callee only on its last tab', async () => {
      await one.create(session('call-1', alice, bob), LONG);
      expect(await one.detach('call-1', bob.id, 'bob-tab-1', false, SHORT)).toBe(false);
      expect(await one.detach('call-1', bob.id, 'bob-tab-2', true, SHORT)).toBe(true);
      await one.cancelGrace('call-1', bob.id);
      await sleep(SHORT * 3);
      expect(await two.claimExpired(10)).toEqual([]);
      await one.end('call-1');
      await one.create(session('call-2', alice, bob), LONG);
      await one.detach('call-2', alice.id, 'socket-alice', false, SHORT);
      await one.end('call-2');
      await sleep(SHORT * 3);
      expect(await two.claimExpired(10)).toEqual([]);
    });
  });
}
