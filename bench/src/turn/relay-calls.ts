/**
 * Concurrent relay-only calls in real Chromium (the host's, headless, fake camera) through
 * the default `docker compose up` entry, https://localhost:8443 — the path a person's
 * browser takes: page, signaling and TURN all on the host's loopback ports.
 *
 *   node bench/src/turn/relay-calls.ts [pairs=6] [url=https://localhost:8443/]
 *
 * Every pair signs up two fresh people, switches both to "Relay only", calls and accepts;
 * the calls stay up together. Per call: accept → first decoded remote frame, the badge, the
 * selected candidate pair from getStats(), frames decoded in the last 5 s; and the relay
 * sockets coturn holds (ss, process turnserver) before and after each call.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface RelayCallResult {
  pair: number;
  acceptToFirstFrameMs: number;
  badges: [string, string];
  /** `relay/udp ↔ relay/udp` etc., caller side. */
  path: string;
  /** Relay sockets coturn gained for this call. */
  relaySockets: number;
  framesDecodedLast5s: [number, number];
}

const CHROMIUM_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  // The stack's self-signed certificate (the page; TURN/TLS is not used when UDP works).
  '--ignore-certificate-errors',
];

/** UDP sockets bound by turnserver on its relay range: one per live allocation. */
export function coturnRelaySockets(minPort = 49152, maxPort = 65535): number {
  const out = execFileSync('ss', ['-Huanp'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    if (!line.includes('"turnserver"')) return false;
    const local = line.trim().split(/\s+/)[3] ?? '';
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    return port >= minPort && port <= maxPort;
  }).length;
}

async function openPerson(browser: Browser, url: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
  await context.addInitScript(() => {
    const created: RTCPeerConnection[] = [];
    (window as unknown as { __benchPcs: RTCPeerConnection[] }).__benchPcs = created;
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        created.push(this);
      }
    };
  });
  const page = await context.newPage();
  page.setDefaultTimeout(90_000);
  await page.goto(url);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(`pw-${name}-long-enough`);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByTestId('connection-state').getByText('Online').waitFor();
  await page.getByRole('link', { name: 'Settings' }).click();
  const toggle = page.getByRole('switch', { name: 'Relay only (force TURN)' });
  if (!(await toggle.isChecked())) await toggle.click();
  await page.getByTestId('relay-state').getByText('on').waitFor();
  await page.getByRole('link', { name: 'Contacts' }).click();
  await page.getByRole('heading', { name: 'Contacts' }).waitFor();
  return page;
}

interface InPageStats {
  framesDecoded: number;
  local?: string | undefined;
  remote?: string | undefined;
}

function stats(page: Page): Promise<InPageStats> {
  return page.evaluate(async () => {
    const all = (window as unknown as { __benchPcs: RTCPeerConnection[] }).__benchPcs;
    const pc = all[all.length - 1];
    if (!pc) return { framesDecoded: 0 };
    const entries: (Record<string, unknown> & { type: string; id: string })[] = [];
    (await pc.getStats()).forEach((entry: Record<string, unknown> & { type: string; id: string }) =>
      entries.push(entry),
    );
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    const transport = entries.find((entry) => entry.type === 'transport');
    // RTCStats members are strings here (ids, candidate types, protocols).
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    const pair = byId.get(text(transport?.['selectedCandidatePairId']));
    const describe = (id: unknown): string | undefined => {
      const c = byId.get(text(id));
      if (!c) return undefined;
      const leg = text(c['relayProtocol']) || text(c['protocol']);
      return `${text(c['candidateType'])}/${leg}`;
    };
    return {
      framesDecoded: entries
        .filter((entry) => entry.type === 'inbound-rtp' && entry['kind'] === 'video')
        .reduce((total, entry) => total + Number(entry['framesDecoded'] ?? 0), 0),
      local: describe(pair?.['localCandidateId']),
      remote: describe(pair?.['remoteCandidateId']),
    };
  });
}

async function firstFrame(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await stats(page)).framesDecoded > 0) return;
    await page.waitForTimeout(50);
  }
  throw new Error('no decoded remote video frame');
}

async function badge(page: Page): Promise<string> {
  const found = page.getByTestId('connection-badge').filter({ hasText: /^\s*(Direct|Relayed)/ });
  await found.waitFor();
  return (await found.innerText()).trim();
}

/** Runs `pairs` concurrent relay-only calls; returns one result per call, in set-up order. */
export async function runRelayCalls(
  pairs: number,
  url = 'https://localhost:8443/',
): Promise<RelayCallResult[]> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const suffix = Date.now().toString(36);
  const results: RelayCallResult[] = [];
  const pages: [Page, Page][] = [];
  try {
    for (let pair = 0; pair < pairs; pair++) {
      const callerName = `bench-a${pair}-${suffix}`;
      const calleeName = `bench-b${pair}-${suffix}`;
      const caller = await openPerson(browser, url, callerName);
      const callee = await openPerson(browser, url, calleeName);
      const before = coturnRelaySockets();
      await caller.getByLabel('Search people').fill(calleeName);
      await caller.getByTestId(`presence-${calleeName}`).getByText('Online').waitFor();
      await caller.getByRole('button', { name: `Call ${calleeName}`, exact: true }).click();
      await callee.getByRole('alertdialog', { name: 'Incoming call' }).waitFor();
      const accept = callee.getByRole('button', { name: 'Accept' });
      await accept.waitFor();
      const acceptedAt = Date.now();
      await accept.click();
      await Promise.all([firstFrame(caller, 60_000), firstFrame(callee, 60_000)]);
      const connectedMs = Date.now() - acceptedAt;
      const badges: [string, string] = [await badge(caller), await badge(callee)];
      const path = await stats(caller);
      results.push({
        pair,
        acceptToFirstFrameMs: connectedMs,
        badges,
        path: `${path.local ?? '?'} ↔ ${path.remote ?? '?'}`,
        relaySockets: coturnRelaySockets() - before,
        framesDecodedLast5s: [0, 0],
      });
      pages.push([caller, callee]);
      console.log(
        `call ${pair + 1}: ${connectedMs} ms, ${badges.join(' / ')}, ${results[pair]!.path}, +${results[pair]!.relaySockets} relay sockets`,
      );
    }
    // All calls up together: every page must keep decoding video.
    const start = await Promise.all(pages.flat().map((page) => stats(page)));
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const end = await Promise.all(pages.flat().map((page) => stats(page)));
    results.forEach((result, i) => {
      result.framesDecodedLast5s = [
        end[2 * i]!.framesDecoded - start[2 * i]!.framesDecoded,
        end[2 * i + 1]!.framesDecoded - start[2 * i + 1]!.framesDecoded,
      ];
    });
    for (const [caller] of pages) {
      await caller
        .getByRole('button', { name: 'Hang up' })
        .click()
        .catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    await browser.close();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pairs = Number(process.argv[2] ?? 6);
  const results = await runRelayCalls(pairs, process.argv[3]);
  console.log(JSON.stringify(results, null, 2));
  console.log(`relay sockets after hang-up: ${coturnRelaySockets()}`);
}
