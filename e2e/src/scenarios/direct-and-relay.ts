import { execFileSync } from 'node:child_process';
import {
  type CallgateStack,
  connectCall,
  hangUp,
  inMode,
  loggedAllocations,
  type Person,
} from '@callgate/e2e-support';

/** Scenarios 1 and 2: two people on one network; direct, then relay-only. */
export function describeDirectAndRelayCalls(
  stack: () => CallgateStack,
  people: () => { alice: Person; bob: Person },
): void {
  it('1. two people sign up, see each other online, call, media flows directly, hang up ends it on both sides', async () => {
    const { alice, bob } = people();
    await alice.seesOnline(bob);
    await bob.seesOnline(alice);

    const call = await connectCall(alice, bob, 'scenario-1-direct');
    expect(call.caller.iceTransportPolicy).toBe('all');
    expect(call.callee.iceTransportPolicy).toBe('all');
    expect(call.caller.local?.candidateType).toBe('host');
    expect(call.caller.remote?.candidateType).toBe('host');
    expect(call.callee.local?.candidateType).toBe('host');
    expect(call.badges).toEqual({ caller: 'Direct', callee: 'Direct' });

    await hangUp(alice, bob);
    await alice.page.getByRole('heading', { name: 'Contacts' }).waitFor();
  });

  it('2. relay-only switch on: the selected pair is relay/relay and coturn logged the allocations', async () => {
    const { alice, bob } = people();
    const before = loggedAllocations(stack().turn).length;
    await inMode('relay-only', [alice, bob], async () => {
      const call = await connectCall(alice, bob, 'scenario-2-relay-only');
      for (const side of [call.caller, call.callee]) {
        expect(side.iceTransportPolicy).toBe('relay');
        expect(side.local?.candidateType).toBe('relay');
        expect(side.remote?.candidateType).toBe('relay');
      }
      expect(call.badges.caller).toMatch(/^Relayed \(TURN\//);
      expect(call.badges.callee).toMatch(/^Relayed \(TURN\//);

      const allocations = loggedAllocations(stack().turn).slice(before);
      const users = new Set(allocations.map((allocation) => allocation.userId));
      console.log(
        `[scenario-2-relay-only] coturn logged ${allocations.length} successful allocations for ${users.size} users`,
      );
      expect(users.size).toBe(2);
      await hangUp(alice, bob);
    });
  });

  it('2b. two relays share the secret: with turn-2 stopped, a relay-only call connects through turn', async () => {
    const { alice, bob } = people();
    const second = stack().environment.getContainer('turn-2-1');
    execFileSync('docker', ['stop', '-t', '1', second.getId()]);
    try {
      await inMode('relay-only', [alice, bob], async () => {
        const call = await connectCall(alice, bob, 'scenario-2b-one-relay-stopped');
        for (const side of [call.caller, call.callee]) {
          expect(side.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'udp' });
          expect(side.local?.url).toBe('turn:turn:3478?transport=udp');
        }
        await hangUp(alice, bob);
      });
    } finally {
      execFileSync('docker', ['start', second.getId()]);
    }
  });
}
