import type { StartedTestContainer } from 'testcontainers';

/**
 * Firewall rules inside a browser container (infra/browser): its entrypoint jumps from
 * OUTPUT to the chain CG_SCENARIO, which these helpers fill and empty.
 */
async function iptables(browser: StartedTestContainer, args: string[]): Promise<void> {
  const result = await browser.exec(['iptables', ...args]);
  if (result.exitCode !== 0) {
    throw new Error(`iptables ${args.join(' ')} failed: ${result.output}`);
  }
}

/** Removes every scenario rule: the browser reaches whatever its networks reach. */
export async function openAllPaths(browser: StartedTestContainer): Promise<void> {
  await iptables(browser, ['-F', 'CG_SCENARIO']);
}

/** No UDP to `turnAddress`: TURN only over TCP or TLS. */
export async function blockUdpTo(
  browser: StartedTestContainer,
  turnAddress: string,
): Promise<void> {
  await openAllPaths(browser);
  await iptables(browser, ['-A', 'CG_SCENARIO', '-d', turnAddress, '-p', 'udp', '-j', 'REJECT']);
}

/** Only TCP `port` (5349, TURN over TLS) open to `turnAddress`. */
export async function onlyTcpPortTo(
  browser: StartedTestContainer,
  turnAddress: string,
  port: number,
): Promise<void> {
  await openAllPaths(browser);
  await iptables(browser, [
    '-A',
    'CG_SCENARIO',
    '-d',
    turnAddress,
    '-p',
    'tcp',
    '--dport',
    String(port),
    '-j',
    'ACCEPT',
  ]);
  await iptables(browser, ['-A', 'CG_SCENARIO', '-d', turnAddress, '-j', 'REJECT']);
}

/**
 * Hotel / corporate network: nothing leaves the browser but TCP to `webAddress:port` (the
 * HTTPS port) — no UDP at all, no 3478, no 5349, no other host. Loopback stays open (the
 * container's DNS resolver and DevTools live there).
 */
export async function onlyWebPort(
  browser: StartedTestContainer,
  webAddress: string,
  port: number,
): Promise<void> {
  await openAllPaths(browser);
  await iptables(browser, ['-A', 'CG_SCENARIO', '-o', 'lo', '-j', 'ACCEPT']);
  await iptables(browser, [
    '-A',
    'CG_SCENARIO',
    '-d',
    webAddress,
    '-p',
    'tcp',
    '--dport',
    String(port),
    '-j',
    'ACCEPT',
  ]);
  await iptables(browser, ['-A', 'CG_SCENARIO', '-j', 'REJECT']);
}

/** True when `target:port` (TCP) answers from inside the browser container. */
export async function canReachTcp(
  browser: StartedTestContainer,
  target: string,
  port: number,
): Promise<boolean> {
  const result = await browser.exec(['nc', '-z', '-w', '2', target, String(port)]);
  return result.exitCode === 0;
}
