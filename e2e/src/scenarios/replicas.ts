import {
  connectCall,
  expectVideoFlowing,
  type GatewayReplica,
  gatewayReplicas,
  killReplica,
  type Person,
  replicaOf,
  restartRedis,
  reviveGateways,
  RING_TIMEOUT_MS,
} from '@callgate/e2e-support';

/** Issue 10 bounds: the caller is back within 3 s of its replica dying, a hang-up reaches the peer within 1 s. */
const BACK_ONLINE_MS = 3_000;
const HANGUP_REACHES_PEER_MS = 1_000;

/**
 * Reloads `mover` until its socket sits on another gateway replica than `anchor`'s
 * (nginx spreads connections round-robin), and returns both replicas as Redis records them.
 */
async function onDifferentReplicas(
  anchor: Person,
  mover: Person,
): Promise<{ anchorOn: GatewayReplica; moverOn: GatewayReplica }> {
  for (let attempt = 0; attempt < 12; attempt++) {
    const anchorOn = replicaOf(anchor.username);
    const moverOn = replicaOf(mover.username);
    if (anchorOn !== undefined && moverOn !== undefined && anchorOn.id !== moverOn.id) {
      console.log(
        `[replicas] ${anchor.username} on ${anchorOn.name}, ${mover.username} on ${moverOn.name}`,
      );
      return { anchorOn, moverOn };
    }
    await mover.page.reload();
    await mover.page.getByTestId('connection-state').getByText('Online').waitFor();
    // The socket's presence record is written just after its connect.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${mover.username} never landed on another replica than ${anchor.username}`);
}

/**
 * Waits until `person` has a socket on a live replica other than `dead` (as the replicas
 * record it in Redis) and the page says Online; returns when (epoch ms).
 */
async function backOnline(person: Person, dead: GatewayReplica): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const now = replicaOf(person.username);
    if (now !== undefined && now.id !== dead.id) break;
    if (Date.now() > deadline) throw new Error(`${person.username} did not come back online`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const at = Date.now();
  await person.page.getByTestId('connection-state').getByText('Online').waitFor();
  return at;
}

/** The newest history entry on `person`'s contacts page. */
async function latestHistoryEntry(person: Person): Promise<string> {
  await person.goToContacts();
  const entry = person.page.getByRole('region', { name: 'Recent calls' }).getByRole('listitem');
  await entry.first().waitFor();
  return (await entry.first().innerText()).trim();
}

/** Issue 10: two gateway replicas behind nginx, state in Redis. */
export function describeGatewayReplicas(people: () => { alice: Person; bob: Person }): void {
  beforeAll(() => {
    expect(gatewayReplicas().filter((gw) => gw.running)).toHaveLength(2);
  });

  // A killed replica must be back (restart policy or docker start) for the next scenario.
  afterEach(async () => {
    await reviveGateways();
  }, 120_000);

  it('10a. caller and callee on different replicas; SIGKILL the caller’s replica mid-call: media continues, caller back, hang-up reaches the callee, both histories show the call', async () => {
    const { alice, bob } = people();
    await alice.goToContacts();
    await bob.goToContacts();
    const { anchorOn: aliceOn } = await onDifferentReplicas(alice, bob);
    await connectCall(alice, bob, 'scenario-10a-replicas');
    // Let the call run a few seconds so its history shows a duration.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const killedAt = Date.now();
    killReplica(aliceOn);
    console.log(`[scenario-10a] SIGKILL ${aliceOn.name}`);
    const [aliceBack] = await Promise.all([
      backOnline(alice, aliceOn),
      // Media is peer to peer (or via coturn): the gateway's death must not stop it.
      expectVideoFlowing(alice.page),
      expectVideoFlowing(bob.page),
    ]);
    const backMs = aliceBack - killedAt;
    console.log(`[scenario-10a] caller back online ${backMs} ms after the kill`);
    expect(backMs).toBeLessThanOrEqual(BACK_ONLINE_MS);

    await alice.hangUp();
    const hungUpAt = Date.now();
    await bob.page
      .getByText(new RegExp(`^${alice.username} ended the call`))
      .waitFor({ timeout: 10_000 });
    const reachMs = Date.now() - hungUpAt;
    console.log(`[scenario-10a] hang-up reached the callee after ${reachMs} ms`);
    expect(reachMs).toBeLessThanOrEqual(HANGUP_REACHES_PEER_MS);
    await alice.page.getByText(new RegExp(`^You ended the call with ${bob.username}`)).waitFor();
    for (const person of [alice, bob]) {
      await person.page.waitForFunction(() =>
        (window.__e2ePeerConnections ?? []).every((pc) => pc.connectionState === 'closed'),
      );
      await person.dismissOutcome();
    }
    expect(await latestHistoryEntry(alice)).toMatch(
      new RegExp(`^You called ${bob.username} · \\d+:\\d{2}`),
    );
    expect(await latestHistoryEntry(bob)).toMatch(
      new RegExp(`^${alice.username} called you · \\d+:\\d{2}`),
    );
  });

  it('10b. SIGKILL the replica that took the invite while the callee rings: the ring timeout still ends it on both pages, the callee sees a missed call', async () => {
    const { alice, bob } = people();
    await alice.goToContacts();
    await bob.goToContacts();
    const { anchorOn: aliceOn } = await onDifferentReplicas(alice, bob);
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    const rangAt = Date.now();
    killReplica(aliceOn);
    console.log(`[scenario-10b] SIGKILL ${aliceOn.name} (took the invite) while ringing`);
    await alice.page
      .getByText(`${bob.username} didn't answer.`, { exact: true })
      .waitFor({ timeout: RING_TIMEOUT_MS + 10_000 });
    await bob.reads(`You missed a call from ${alice.username}.`);
    const endedMs = Date.now() - rangAt;
    console.log(`[scenario-10b] ring timeout ended the call ${endedMs} ms after ringing began`);
    expect(endedMs).toBeGreaterThan(RING_TIMEOUT_MS - 2_000);
    await alice.dismissOutcome();
    await bob.dismissOutcome();
    expect(await latestHistoryEntry(bob)).toMatch(
      new RegExp(`^Missed call from ${alice.username}`),
    );
  });

  it('10c. docker compose restart redis mid-call: the call continues and hangs up cleanly', async () => {
    const { alice, bob } = people();
    await connectCall(alice, bob, 'scenario-10c-redis-restart');
    const restartedAt = Date.now();
    await restartRedis();
    console.log(`[scenario-10c] redis restarted and healthy in ${Date.now() - restartedAt} ms`);
    await Promise.all([expectVideoFlowing(alice.page), expectVideoFlowing(bob.page)]);
    // The gateways reconnect within a second of Redis answering (reconnect back-off ≤ 1 s).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await bob.hangUp();
    await alice.page
      .getByText(new RegExp(`^${bob.username} ended the call`))
      .waitFor({ timeout: 5_000 });
    await bob.page.getByText(new RegExp(`^You ended the call with ${alice.username}`)).waitFor();
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });
}
