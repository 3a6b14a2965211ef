/**
 * Concurrent calls in real Chromium (the host's, headless, fake camera) through the default
 * `docker compose up` entry, https://localhost:8443 — the path a person's browser takes:
 * page, signaling and TURN all on the host's loopback ports. One Chromium process, one
 * browser context (profile) per person: lighter on this 2-core machine than a process each.
 *
 *   node bench/src/turn/relay-calls.ts <admin> <admin-password> [pairs=6] [url]
 *
 * Every person is invited by the admin and signs up through the UI (REGISTRATION=invite,
 * e2e-support/src/invites.ts). Per call: accept → first decoded remote frame, the badge,
 * the selected candidate pair from getStats(), frames decoded in the last 5 s of all calls
 * up together; and the relay sockets coturn gained (ss, process turnserver).
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { gotoPage, signUpThroughUi, type InvitingAdmin } from '@callgate/e2e-support/invites';

export interface CallResult {
  pair: number;
  relayOnly: boolean;
  acceptToFirstFrameMs: number;
  badges: [string, string];
  /** Selected pair from getStats(), `local ↔ remote` (`relay/udp ↔ relay/udp`), per side. */
  paths: [string, string];
  /** Relay sockets coturn gained for this call. */
  relaySockets: number;
  /** Relay sockets coturn held (for anyone) when this call was placed. */
  heldBefore: number;
  framesDecodedLast5s: [number, number];
}

export interface CallPlan {
  url: string;
  admin: InvitingAdmin;
  /** Direct calls ("Relay only" off), each measured and hung up before the relay-only ones. */
  directCalls: number;
  /** Relay-only calls, kept up together. */
  relayPairs: number;
  /** Fake camera frame rate (Chromium's fake device; the app asks for 1280×720). */
  fps: number;
}

function chromiumArgs(fps: number): string[] {
  return [
    `--use-fake-device-for-media-stream=fps=${fps}`,
    '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection',
    // The stack's self-signed certificate (the page; TURN/TLS is not used when UDP works).
    '--ignore-certificate-errors',
  ];
}

/** UDP sockets bound by turnserver on its relay range: one per live allocation. */
export function coturnRelaySockets(minPort = 49152, maxPort = 65535): number {
  const out = execFileSync('ss', ['-Huanp'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\n').filter((line) => {
    if (!line.includes('"turnserver"')) return false;
    const local = line.trim().split(/\s+/)[3] ?? '';
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    return port >= minPort && port <= maxPort;
  }).length;
}

/**
 * Records the page's peer connections, and keeps its ICE checks on loopback: remote
 * candidates on any other address (this host's LAN and Docker bridges) are dropped, in
 * trickled candidates and in SDP alike, so a direct call between two pages of this host
 * never sends a packet to the machine's LAN address (the bench's network rule). Gathering
 * is untouched, so the allocations Chromium makes are the ones a person's browser makes.
 */
function instrument(): void {
  const created: RTCPeerConnection[] = [];
  (window as unknown as { __benchPcs: RTCPeerConnection[] }).__benchPcs = created;
  const onLoopback = (candidate: string): boolean => {
    const address = candidate.replace(/^a=/, '').split(' ')[4] ?? '';
    return address.startsWith('127.') || address === '::1';
  };
  const Native = window.RTCPeerConnection;
  // The one-argument promise forms (the legacy callback overloads are not used by the app).
  // Read through the descriptor: the originals are called with each connection as `this`.
  const addIceCandidate = Object.getOwnPropertyDescriptor(Native.prototype, 'addIceCandidate')!
    .value as (this: RTCPeerConnection, candidate?: RTCIceCandidateInit) => Promise<void>;
  Native.prototype.addIceCandidate = function (
    this: RTCPeerConnection,
    candidate?: RTCIceCandidateInit | null,
  ): Promise<void> {
    if (candidate?.candidate && !onLoopback(candidate.candidate)) return Promise.resolve();
    return addIceCandidate.call(this, candidate ?? undefined);
  };
  const setRemoteDescription = Object.getOwnPropertyDescriptor(
    Native.prototype,
    'setRemoteDescription',
  )!.value as (this: RTCPeerConnection, description?: RTCSessionDescriptionInit) => Promise<void>;
  Native.prototype.setRemoteDescription = function (
    this: RTCPeerConnection,
    description?: RTCSessionDescriptionInit,
  ): Promise<void> {
    const sdp = description?.sdp
      ?.split('\r\n')
      .filter((line) => !line.startsWith('a=candidate:') || onLoopback(line))
      .join('\r\n');
    return setRemoteDescription.call(
      this,
      description && sdp !== undefined ? { type: description.type, sdp } : description,
    );
  };
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      created.push(this);
    }
  };
}

async function openPerson(
  browser: Browser,
  plan: CallPlan,
  name: string,
  relayOnly: boolean,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 640, height: 480 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  page.setDefaultTimeout(90_000);
  await gotoPage(page, plan.url);
  await signUpThroughUi(page, {
    username: name,
    password: `pw-${name}-long-enough`,
    browser,
    appUrl: plan.url,
    admin: plan.admin,
    note: 'turn bench',
  });
  await page.getByRole('link', { name: 'Settings' }).click();
  const toggle = page.getByRole('switch', { name: 'Relay only (force TURN)' });
  if ((await toggle.isChecked()) !== relayOnly) await toggle.click();
  await page
    .getByTestId('relay-state')
    .getByText(relayOnly ? 'on' : 'off')
    .waitFor();
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
    // The call's connection: the newest with media. The app's UDP relay probe (a data
    // channel only) may be newer.
    const pc = (window as unknown as { __benchPcs: RTCPeerConnection[] }).__benchPcs
      .filter((c) => c.getTransceivers().length > 0)
      .at(-1);
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

async function placeCall(
  browser: Browser,
  plan: CallPlan,
  pair: number,
  relayOnly: boolean,
  suffix: string,
): Promise<{ result: CallResult; pages: [Page, Page] }> {
  const callerName = `bench-${relayOnly ? 'r' : 'd'}a${pair}-${suffix}`;
  const calleeName = `bench-${relayOnly ? 'r' : 'd'}b${pair}-${suffix}`;
  const caller = await openPerson(browser, plan, callerName, relayOnly);
  const callee = await openPerson(browser, plan, calleeName, relayOnly);
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
  // The badge follows the app's 2-s stats sample; then a second more for late gathering
  // (TURN/TLS allocations come last) before the relay sockets are counted.
  const badges: [string, string] = [await badge(caller), await badge(callee)];
  await caller.waitForTimeout(1000);
  const describe = (s: InPageStats): string => `${s.local ?? '?'} ↔ ${s.remote ?? '?'}`;
  const paths: [string, string] = [describe(await stats(caller)), describe(await stats(callee))];
  const result: CallResult = {
    pair,
    relayOnly,
    acceptToFirstFrameMs: connectedMs,
    badges,
    paths,
    relaySockets: coturnRelaySockets() - before,
    heldBefore: before,
    framesDecodedLast5s: [0, 0],
  };
  console.log(
    `${relayOnly ? 'relay-only' : 'direct'} call ${pair + 1}: ${connectedMs} ms, ${badges.join(' / ')}, ${paths.join(' / ')}, +${result.relaySockets} relay sockets (${before} held before)`,
  );
  return { result, pages: [caller, callee] };
}

/** Frames each page decoded over 5 s while every call is up. */
async function framesOver5s(pages: [Page, Page][]): Promise<[number, number][]> {
  const start = await Promise.all(pages.flat().map((page) => stats(page)));
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const end = await Promise.all(pages.flat().map((page) => stats(page)));
  return pages.map((_, i) => [
    end[2 * i]!.framesDecoded - start[2 * i]!.framesDecoded,
    end[2 * i + 1]!.framesDecoded - start[2 * i + 1]!.framesDecoded,
  ]);
}

/** Hangs up every call, closes the profiles, and waits (≤ 15 s) until coturn is back to `floor`. */
async function hangUpAll(pages: [Page, Page][], floor: number): Promise<void> {
  for (const [caller] of pages) {
    await caller
      .getByRole('button', { name: 'Hang up' })
      .click()
      .catch(() => undefined);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const pair of pages) for (const page of pair) await page.context().close();
  const deadline = Date.now() + 15_000;
  while (coturnRelaySockets() > floor && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs the plan's direct calls one by one, then its relay-only calls together. */
export async function runCalls(plan: CallPlan): Promise<CallResult[]> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: chromiumArgs(plan.fps),
  });
  const suffix = Date.now().toString(36);
  const results: CallResult[] = [];
  try {
    for (let pair = 0; pair < plan.directCalls; pair++) {
      const floor = coturnRelaySockets();
      const call = await placeCall(browser, plan, pair, false, suffix);
      call.result.framesDecodedLast5s = (await framesOver5s([call.pages]))[0]!;
      results.push(call.result);
      await hangUpAll([call.pages], floor);
    }
    const floor = coturnRelaySockets();
    const pages: [Page, Page][] = [];
    const relayed: CallResult[] = [];
    for (let pair = 0; pair < plan.relayPairs; pair++) {
      const call = await placeCall(browser, plan, pair, true, suffix);
      relayed.push(call.result);
      pages.push(call.pages);
    }
    // All calls up together: every page must keep decoding video.
    const frames = await framesOver5s(pages);
    relayed.forEach((result, i) => (result.framesDecodedLast5s = frames[i]!));
    results.push(...relayed);
    await hangUpAll(pages, floor);
  } finally {
    await browser.close();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [username, password, pairs, url] = process.argv.slice(2);
  if (!username || !password) throw new Error('usage: relay-calls.ts <admin> <password> [pairs]');
  const results = await runCalls({
    url: url ?? 'https://localhost:8443/',
    admin: { username, password },
    directCalls: 1,
    relayPairs: Number(pairs ?? 6),
    fps: 15,
  });
  console.log(JSON.stringify(results, null, 2));
  console.log(`relay sockets after hang-up: ${coturnRelaySockets()}`);
}
