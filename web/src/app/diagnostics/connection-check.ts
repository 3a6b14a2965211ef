import type { TurnCredentials } from '@callgate/protocol';

/** Gathering against one URL gives up after this long. */
export const GATHER_TIMEOUT_MS = 10_000;

export type Transport = 'UDP' | 'TCP' | 'TLS';

export interface GatheredCandidate {
  type: string;
  protocol: string;
  address: string;
  /** Milliseconds after the check of this URL started. */
  elapsedMs: number;
}

export interface UrlCheckResult {
  url: string;
  scheme: 'turn' | 'turns' | 'stun';
  transport: Transport;
  candidates: GatheredCandidate[];
  /** TURN/TURNS pass with a relay candidate; STUN with a server-reflexive one. */
  passed: boolean;
  /** Until the deciding candidate arrived, or until gathering ended. */
  elapsedMs: number;
  error: string | null;
}

/** `turns:…` is TLS, `?transport=tcp` TCP, anything else UDP. */
export function describeUrl(url: string): {
  scheme: UrlCheckResult['scheme'];
  transport: Transport;
} {
  const scheme = url.startsWith('turns:') ? 'turns' : url.startsWith('stun') ? 'stun' : 'turn';
  if (scheme === 'turns') return { scheme, transport: 'TLS' };
  return { scheme, transport: /[?&]transport=tcp\b/i.test(url) ? 'TCP' : 'UDP' };
}

export function candidateType(candidate: string): string {
  return /\btyp (\w+)/.exec(candidate)?.[1] ?? 'unknown';
}

/**
 * Gathers ICE candidates against one TURN/STUN URL with our own credentials, in its own
 * RTCPeerConnection (closed at the end), like the trickle-ICE sample page.
 */
export async function checkUrl(
  url: string,
  server: { username: string; credential: string },
  timeoutMs = GATHER_TIMEOUT_MS,
): Promise<UrlCheckResult> {
  const { scheme, transport } = describeUrl(url);
  const wanted = scheme === 'stun' ? 'srflx' : 'relay';
  const started = performance.now();
  const candidates: GatheredCandidate[] = [];
  let decidedAt: number | null = null;
  let error: string | null = null;
  const pc = new RTCPeerConnection({
    iceServers: [{ urls: url, username: server.username, credential: server.credential }],
    iceTransportPolicy: 'all',
  });
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pc.addEventListener('icecandidate', (event) => {
        if (!event.candidate) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const elapsedMs = Math.round(performance.now() - started);
        const type = event.candidate.type ?? candidateType(event.candidate.candidate);
        candidates.push({
          type,
          protocol: event.candidate.protocol ?? '',
          address: event.candidate.address ?? '',
          elapsedMs,
        });
        if (type === wanted && decidedAt === null) {
          decidedAt = elapsedMs;
          clearTimeout(timer);
          // Let host candidates that are still coming show up, briefly.
          setTimeout(resolve, 300);
        }
      });
      pc.addEventListener('icecandidateerror', (event) => {
        const e = event;
        error = `${e.errorCode} ${e.errorText}`.trim();
      });
      pc.createDataChannel('probe');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((e: unknown) => {
          error = e instanceof Error ? e.message : 'Could not start gathering.';
          clearTimeout(timer);
          resolve();
        });
    });
  } finally {
    pc.close();
  }
  return {
    url,
    scheme,
    transport,
    candidates,
    passed: decidedAt !== null,
    elapsedMs: decidedAt ?? Math.round(performance.now() - started),
    error:
      decidedAt === null ? (error ?? `No ${wanted} candidate within ${timeoutMs / 1000} s.`) : null,
  };
}

/** Every URL of every ICE server the gateway issued, with its credential. */
export function urlsToCheck(
  credentials: TurnCredentials,
): { url: string; username: string; credential: string }[] {
  return credentials.iceServers.flatMap((s) =>
    s.urls.map((url) => ({ url, username: s.username, credential: s.credential })),
  );
}
