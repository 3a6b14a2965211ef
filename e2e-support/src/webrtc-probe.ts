import type { BrowserContext, Page } from 'playwright-core';

/** One side of the selected ICE candidate pair, as `getStats()` reports it. */
export interface CandidateInfo {
  candidateType: string;
  protocol: string;
  /** Only on local relay candidates: how the browser reached TURN (udp, tcp, tls). */
  relayProtocol?: string | undefined;
  address?: string | undefined;
  port?: number | undefined;
  url?: string | undefined;
}

/** What a page's most recent peer connection is doing, read from `getStats()`. */
export interface MediaSnapshot {
  connectionState: string;
  /** The policy the connection really runs with (`relay` when relay-only is on). */
  iceTransportPolicy: string;
  framesDecoded: number;
  framesEncoded: number;
  local?: CandidateInfo | undefined;
  remote?: CandidateInfo | undefined;
}

declare global {
  interface Window {
    /** Every RTCPeerConnection the page created, recorded by the e2e init script. */
    __e2ePeerConnections?: RTCPeerConnection[];
    /** Every ICE server URL the page configured a peer connection with. */
    __e2eIceServerUrls?: string[];
  }
}

/**
 * Records every RTCPeerConnection a page creates, so the test can read `getStats()`
 * without relying on the application's internals. Injected through DevTools before any
 * page script runs (not subject to the page's CSP).
 */
export async function instrumentPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const created: RTCPeerConnection[] = [];
    const urls: string[] = [];
    window.__e2ePeerConnections = created;
    window.__e2eIceServerUrls = urls;
    const Native = window.RTCPeerConnection;
    class RecordedPeerConnection extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        created.push(this);
        for (const server of configuration?.iceServers ?? []) {
          urls.push(...(typeof server.urls === 'string' ? [server.urls] : server.urls));
        }
      }
      override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
        // When the page first asked for a remote description (bench timelines).
        (this as { __e2eRemoteCalledAt?: number }).__e2eRemoteCalledAt ??= Date.now();
        return super.setRemoteDescription(description);
      }
      override setConfiguration(configuration?: RTCConfiguration): void {
        super.setConfiguration(configuration);
        for (const server of configuration?.iceServers ?? []) {
          urls.push(...(typeof server.urls === 'string' ? [server.urls] : server.urls));
        }
      }
    }
    window.RTCPeerConnection = RecordedPeerConnection;
  });
}

/** Reads the page's most recent peer connection; `undefined` when it has none. */
export async function mediaSnapshot(page: Page): Promise<MediaSnapshot | undefined> {
  return page.evaluate(async () => {
    // The call's connection: the newest with media. The app's UDP relay probe (a data
    // channel only) may be newer.
    const pc = (window.__e2ePeerConnections ?? [])
      .filter((c) => c.getTransceivers().length > 0)
      .at(-1);
    if (!pc) return undefined;
    const report = await pc.getStats();
    // RTCStats entries are dictionaries whose members depend on `type`.
    type Entry = Record<string, unknown> & { type: string; id: string };
    const entries: Entry[] = [];
    report.forEach((entry: Entry) => entries.push(entry));
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    const transport = entries.find((entry) => entry.type === 'transport');
    const pairId = transport?.['selectedCandidatePairId'] as string | undefined;
    const pair =
      (pairId ? byId.get(pairId) : undefined) ??
      entries.find(
        (entry) =>
          entry.type === 'candidate-pair' && entry['nominated'] && entry['state'] === 'succeeded',
      );
    const candidate = (id: unknown): CandidateInfoInPage | undefined => {
      const found = typeof id === 'string' ? byId.get(id) : undefined;
      if (!found) return undefined;
      return {
        candidateType: String(found['candidateType']),
        protocol: String(found['protocol']),
        relayProtocol: found['relayProtocol'] as string | undefined,
        address: found['address'] as string | undefined,
        port: found['port'] as number | undefined,
        url: found['url'] as string | undefined,
      };
    };
    type CandidateInfoInPage = {
      candidateType: string;
      protocol: string;
      relayProtocol?: string | undefined;
      address?: string | undefined;
      port?: number | undefined;
      url?: string | undefined;
    };
    const sum = (type: string, field: string): number =>
      entries
        .filter((entry) => entry.type === type && entry['kind'] === 'video')
        .reduce((total, entry) => total + Number(entry[field] ?? 0), 0);
    return {
      connectionState: pc.connectionState,
      iceTransportPolicy: pc.getConfiguration().iceTransportPolicy ?? 'all',
      framesDecoded: sum('inbound-rtp', 'framesDecoded'),
      framesEncoded: sum('outbound-rtp', 'framesEncoded'),
      local: candidate(pair?.['localCandidateId']),
      remote: candidate(pair?.['remoteCandidateId']),
    };
  });
}

/** Waits until the page decodes remote video; returns the snapshot that showed it. */
export async function waitForDecodedVideo(
  page: Page,
  options: { minFrames?: number; timeoutMs?: number } = {},
): Promise<MediaSnapshot> {
  const minFrames = options.minFrames ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: MediaSnapshot | undefined;
  while (Date.now() < deadline) {
    last = await mediaSnapshot(page);
    if (last && last.framesDecoded >= minFrames && last.local && last.remote) return last;
    await page.waitForTimeout(50);
  }
  throw new Error(
    `no decoded remote video within ${options.timeoutMs ?? 30_000} ms; last stats: ${JSON.stringify(last)}`,
  );
}

/** Asserts that decoding keeps going: frames decoded grow over `windowMs`. */
export async function expectVideoFlowing(page: Page, windowMs = 1_500): Promise<MediaSnapshot> {
  const before = await waitForDecodedVideo(page);
  await page.waitForTimeout(windowMs);
  const after = await mediaSnapshot(page);
  if (!after || after.framesDecoded <= before.framesDecoded) {
    throw new Error(
      `remote video stalled: framesDecoded ${before.framesDecoded} → ${after?.framesDecoded}`,
    );
  }
  return after;
}

/** `host/udp`, `relay/tls`, … for logs: candidate type plus transport. */
export function describeCandidate(candidate: CandidateInfo | undefined): string {
  if (!candidate) return 'none';
  if (candidate.candidateType !== 'relay')
    return `${candidate.candidateType}/${candidate.protocol}`;
  // Only a local relay candidate knows how its browser reaches TURN (udp, tcp or tls).
  return candidate.relayProtocol ? `relay/${candidate.relayProtocol}` : 'relay';
}

/**
 * Number of the page's call connections (those with media) not closed yet; the app's
 * short-lived UDP relay probe (a data channel only) is not one.
 */
export async function openPeerConnections(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window.__e2ePeerConnections ?? []).filter(
        (pc) => pc.connectionState !== 'closed' && pc.getTransceivers().length > 0,
      ).length,
  );
}

/** Every ICE server URL the page has configured so far (constructor and setConfiguration). */
export async function configuredIceServerUrls(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window.__e2eIceServerUrls ?? [])]);
}
