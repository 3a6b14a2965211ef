/**
 * Proof of the e2e topology with no application in the way: two Chromiums in browser
 * containers call each other with a static page, signalled by this test, through a bare
 * coturn. If this fails, the scenarios in ../calls cannot mean anything.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  DockerComposeEnvironment,
  type StartedDockerComposeEnvironment,
  Wait,
} from 'testcontainers';
import {
  addressOn,
  attachBrowser,
  blockUdpTo,
  canReachTcp,
  type ContainerBrowser,
  createTestCertificates,
  describeCandidate,
  expectVideoFlowing,
  instrumentPeerConnections,
  type MediaSnapshot,
  onlyTcpPortTo,
  openAllPaths,
  turnCredential,
} from '@callgate/e2e-support';

const PAGE = 'https://web:8443/';
const TURN_SECRET = randomBytes(32).toString('hex');

interface ProofPage {
  page: Page;
  close(): Promise<void>;
}

async function openProofPage(side: ContainerBrowser): Promise<ProofPage> {
  const context = await side.browser.newContext();
  await instrumentPeerConnections(context);
  const page = await context.newPage();
  await page.goto(PAGE);
  return {
    page,
    close: async () => {
      await page.evaluate(() => (window as unknown as { proof: { close(): void } }).proof.close());
      await context.close();
    },
  };
}

function iceConfiguration(policy: RTCIceTransportPolicy, urls: string[]): RTCConfiguration {
  const { username, credential } = turnCredential(
    TURN_SECRET,
    'proof',
    Math.floor(Date.now() / 1000) + 600,
  );
  return { iceTransportPolicy: policy, iceServers: [{ urls, username, credential }] };
}

/** Offer/answer through the test (non-trickle), then both sides must decode video. */
async function call(
  caller: ContainerBrowser,
  callee: ContainerBrowser,
  configuration: RTCConfiguration,
): Promise<{ caller: MediaSnapshot; callee: MediaSnapshot }> {
  const a = await openProofPage(caller);
  const b = await openProofPage(callee);
  try {
    type Proof = {
      offer(c: RTCConfiguration): Promise<string>;
      answer(c: RTCConfiguration, sdp: string): Promise<string>;
      complete(sdp: string): Promise<void>;
    };
    const offer = await a.page.evaluate(
      (c) => (window as unknown as { proof: Proof }).proof.offer(c),
      configuration,
    );
    const answer = await b.page.evaluate(
      ([c, sdp]) => (window as unknown as { proof: Proof }).proof.answer(c, sdp),
      [configuration, offer] as const,
    );
    await a.page.evaluate(
      (sdp) => (window as unknown as { proof: Proof }).proof.complete(sdp),
      answer,
    );
    const [callerStats, calleeStats] = await Promise.all([
      expectVideoFlowing(a.page),
      expectVideoFlowing(b.page),
    ]);
    console.log(
      `proof ${caller.service}→${callee.service} ${configuration.iceTransportPolicy}: ` +
        `${describeCandidate(callerStats.local)} ↔ ${describeCandidate(callerStats.remote)}`,
    );
    return { caller: callerStats, callee: calleeStats };
  } finally {
    await a.close();
    await b.close();
  }
}

describe('e2e topology proof (containerised Chromium, bare coturn)', () => {
  let environment: StartedDockerComposeEnvironment;
  const browsers: Record<string, ContainerBrowser> = {};
  const turnOnIsolatedA = '10.237.2.10';
  const turnOnIsolatedB = '10.237.3.10';

  beforeAll(async () => {
    const certificates = createTestCertificates(['web', 'turn', 'localhost']);
    environment = await new DockerComposeEnvironment(join(__dirname, '../../../infra/browser'), [
      'compose.proof.yml',
    ])
      .withBuild()
      .withEnvironment({ CERTS_DIR: certificates.dir, TURN_SECRET })
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(120_000)
      .up();
    for (const service of ['lan-a', 'lan-b', 'iso-a', 'iso-b']) {
      browsers[service] = await attachBrowser(environment, service);
    }
  }, 600_000);

  afterAll(async () => {
    for (const side of Object.values(browsers)) await side.detach();
    await environment?.down({ removeVolumes: true, timeout: 0 });
  });

  it('isolated browsers reach web and turn but not each other, and have no default route', async () => {
    const isoA = browsers['iso-a']!.container;
    const isoBAddress = addressOn(browsers['iso-b']!.container, 'isolated-b');
    expect(await canReachTcp(isoA, 'web', 8443)).toBe(true);
    expect(await canReachTcp(isoA, 'turn', 5349)).toBe(true);
    expect(await canReachTcp(isoA, isoBAddress, 9222)).toBe(false);
    for (const service of Object.keys(browsers)) {
      const routes = await browsers[service]!.container.exec(['ip', '-4', 'route']);
      expect(routes.output).not.toContain('default');
    }
  });

  it('lan: a direct host pair, TURN offered', async () => {
    const { caller } = await call(
      browsers['lan-a']!,
      browsers['lan-b']!,
      iceConfiguration('all', ['turn:turn:3478?transport=udp']),
    );
    expect(caller.local?.candidateType).toBe('host');
    expect(caller.remote?.candidateType).toBe('host');
  });

  it('isolated networks, default policy: through TURN over UDP', async () => {
    const { caller } = await call(
      browsers['iso-a']!,
      browsers['iso-b']!,
      iceConfiguration('all', ['turn:turn:3478?transport=udp', 'turn:turn:3478?transport=tcp']),
    );
    expect(
      caller.local?.candidateType === 'relay' || caller.remote?.candidateType === 'relay',
    ).toBe(true);
  });

  it('isolated networks, UDP to turn blocked: TURN over TCP', async () => {
    await blockUdpTo(browsers['iso-a']!.container, turnOnIsolatedA);
    await blockUdpTo(browsers['iso-b']!.container, turnOnIsolatedB);
    try {
      const { caller, callee } = await call(
        browsers['iso-a']!,
        browsers['iso-b']!,
        iceConfiguration('all', ['turn:turn:3478?transport=udp', 'turn:turn:3478?transport=tcp']),
      );
      expect(caller.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp' });
      expect(callee.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp' });
    } finally {
      await openAllPaths(browsers['iso-a']!.container);
      await openAllPaths(browsers['iso-b']!.container);
    }
  });

  it('isolated networks, only 5349 open: TURN over TLS with the test CA', async () => {
    await onlyTcpPortTo(browsers['iso-a']!.container, turnOnIsolatedA, 5349);
    await onlyTcpPortTo(browsers['iso-b']!.container, turnOnIsolatedB, 5349);
    try {
      const { caller, callee } = await call(
        browsers['iso-a']!,
        browsers['iso-b']!,
        iceConfiguration('all', [
          'turn:turn:3478?transport=udp',
          'turn:turn:3478?transport=tcp',
          'turns:turn:5349?transport=tcp',
        ]),
      );
      expect(caller.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
      expect(callee.local).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
    } finally {
      await openAllPaths(browsers['iso-a']!.container);
      await openAllPaths(browsers['iso-b']!.container);
    }
  });
});
