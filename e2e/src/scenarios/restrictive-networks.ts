import {
  addressOn,
  blockUdpTo,
  type CallgateStack,
  canReachTcp,
  connectCall,
  hangUp,
  onlyTcpPortTo,
  onlyWebPort,
  openAllPaths,
  type Person,
} from '@callgate/e2e-support';

/**
 * Scenario 3: each browser on its own network that reaches only web and turn; the
 * default ICE policy (not relay-only) must still connect, through TURN — over UDP, and over
 * TLS on the web port (nginx hands it to coturn's TLS listener) when UDP to turn is
 * blocked, when only 5349 is open to turn, and when nothing but TCP to the HTTPS port gets
 * out at all.
 */
export function describeRestrictiveNetworks(
  stack: () => CallgateStack,
  people: () => { dave: Person; erin: Person },
): void {
  const sides = () => {
    const { browsers, turn } = stack();
    return {
      a: browsers['browser-iso-a'].container,
      b: browsers['browser-iso-b'].container,
      turnOnA: addressOn(turn, 'isolated-a'),
      turnOnB: addressOn(turn, 'isolated-b'),
      webOnA: addressOn(stack().environment.getContainer('web-1'), 'isolated-a'),
      webOnB: addressOn(stack().environment.getContainer('web-1'), 'isolated-b'),
    };
  };

  afterEach(async () => {
    const { a, b } = sides();
    await openAllPaths(a);
    await openAllPaths(b);
  });

  it('3. the isolated browsers reach web and turn, and not each other', async () => {
    const { a, b } = sides();
    expect(await canReachTcp(a, 'web', 8443)).toBe(true);
    expect(await canReachTcp(a, 'turn', 3478)).toBe(true);
    expect(await canReachTcp(a, addressOn(b, 'isolated-b'), 9222)).toBe(false);
    expect(await canReachTcp(b, addressOn(a, 'isolated-a'), 9222)).toBe(false);
  });

  it('3a. no direct route, default policy: the call connects through TURN (UDP)', async () => {
    const { dave, erin } = people();
    const call = await connectCall(dave, erin, 'scenario-3a-isolated-udp');
    // Not relay-only: the browsers tried their host candidates too, and TURN won.
    expect(call.caller.iceTransportPolicy).toBe('all');
    expect(call.callee.iceTransportPolicy).toBe('all');
    expect(call.caller.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'udp' });
    expect(call.callee.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'udp' });
    expect(call.badges).toEqual({ caller: 'Relayed (TURN/UDP)', callee: 'Relayed (TURN/UDP)' });
    await hangUp(dave, erin);
  });

  it('3b. UDP to turn blocked: the call connects through TURN/TLS on the web port', async () => {
    const { a, b, turnOnA, turnOnB } = sides();
    await blockUdpTo(a, turnOnA);
    await blockUdpTo(b, turnOnB);
    const { dave, erin } = people();
    const call = await connectCall(dave, erin, 'scenario-3b-isolated-no-udp');
    expect(call.caller.iceTransportPolicy).toBe('all');
    // TURN/TCP on 3478 is not handed out (TURN_TCP=false): TLS on 8443 covers these networks.
    for (const side of [call.caller, call.callee]) {
      expect(side.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
      expect(side.local?.url).toMatch(/^turns:web:8443\b/);
    }
    expect(call.badges).toEqual({ caller: 'Relayed (TURN/TLS)', callee: 'Relayed (TURN/TLS)' });
    await hangUp(dave, erin);
  });

  it('3c. only 5349 open to turn: the call connects through TURN over TLS', async () => {
    const { a, b, turnOnA, turnOnB } = sides();
    await onlyTcpPortTo(a, turnOnA, 5349);
    await onlyTcpPortTo(b, turnOnB, 5349);
    expect(await canReachTcp(a, 'turn', 3478)).toBe(false);
    const { dave, erin } = people();
    const call = await connectCall(dave, erin, 'scenario-3c-isolated-tls');
    expect(call.caller.iceTransportPolicy).toBe('all');
    expect(call.caller.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
    expect(call.callee.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
    expect(call.badges).toEqual({ caller: 'Relayed (TURN/TLS)', callee: 'Relayed (TURN/TLS)' });
    await hangUp(dave, erin);
  });

  it('3d. only the HTTPS port reachable: page, signaling and a TURN/TLS call through it', async () => {
    const { a, b, webOnA, webOnB, turnOnA } = sides();
    await onlyWebPort(a, webOnA, 8443);
    await onlyWebPort(b, webOnB, 8443);
    expect(await canReachTcp(a, webOnA, 8443)).toBe(true);
    expect(await canReachTcp(a, turnOnA, 3478)).toBe(false);
    expect(await canReachTcp(a, turnOnA, 5349)).toBe(false);
    const { dave, erin } = people();
    // The page and the signaling socket come back through the one port.
    for (const person of [dave, erin]) {
      await person.page.reload();
      await person.page.getByTestId('connection-state').getByText('Online').waitFor();
    }
    await dave.seesOnline(erin);
    const call = await connectCall(dave, erin, 'scenario-3d-https-port-only');
    expect(call.caller.iceTransportPolicy).toBe('all');
    for (const side of [call.caller, call.callee]) {
      expect(side.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
      expect(side.local?.url).toMatch(/^turns:web:8443\b/);
    }
    expect(call.badges).toEqual({ caller: 'Relayed (TURN/TLS)', callee: 'Relayed (TURN/TLS)' });
    await hangUp(dave, erin);
  });
}
