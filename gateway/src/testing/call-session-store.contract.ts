import type { UserSummary } from '@callgate/protocol';
import type { CallSession, CallSessionStore } from '../signaling/call-session.store';

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

function session(id: string, caller: UserSummary, callee: UserSummary): CallSession {
  return {
    id,
    caller,
    callee,
    phase: 'ringing',
    startedAt: '2026-01-01T00:00:00.000Z',
    answeredAt: null,
    callerSocketId: 'socket-caller',
    calleeSocketId: null,
    video: true,
  };
}

/**
 * Behaviour every {@link CallSessionStore} must have; run against each implementation
 * (the in-memory one now, a shared one later).
 */
export function describeCallSessionStore(
  name: string,
  create: () => Promise<CallSessionStore>,
): void {
  describe(`CallSessionStore contract: ${name}`, () => {
    let store: CallSessionStore;

    beforeEach(async () => {
      store = await create();
    });

    it('finds a saved session by id and by either member', async () => {
      await store.save(session('call-1', alice, bob));
      expect((await store.get('call-1'))?.callee).toEqual(bob);
      expect((await store.findByUser(alice.id))?.id).toBe('call-1');
      expect((await store.findByUser(bob.id))?.id).toBe('call-1');
      expect(await store.findByUser(carol.id)).toBeUndefined();
      expect(await store.get('nope')).toBeUndefined();
    });

    it('hands out copies: changing a returned session changes nothing until saved', async () => {
      await store.save(session('call-1', alice, bob));
      const copy = (await store.get('call-1'))!;
      copy.phase = 'active';
      expect((await store.get('call-1'))!.phase).toBe('ringing');
      await store.save(copy);
      expect((await store.get('call-1'))!.phase).toBe('active');
    });

    it('forgets both members on delete and counts sessions by phase', async () => {
      await store.save(session('call-1', alice, bob));
      const active = {
        ...session('call-2', carol, { ...alice, id: 'd0000000-0000-4000-8000-000000000004' }),
      };
      active.phase = 'active';
      await store.save(active);
      expect(await store.countByPhase()).toEqual({ ringing: 1, active: 1 });
      await store.delete('call-1');
      expect(await store.get('call-1')).toBeUndefined();
      expect(await store.findByUser(alice.id)).toBeUndefined();
      expect(await store.findByUser(bob.id)).toBeUndefined();
      expect(await store.countByPhase()).toEqual({ ringing: 0, active: 1 });
      await expect(store.delete('call-1')).resolves.toBeUndefined();
    });
  });
}
