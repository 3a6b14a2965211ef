/**
 * Code evaluated inside the browsers (through Playwright): the timing probe used for
 * every call, and the baseline's own minimal call (no gateway). Functions here must be
 * self-contained — Playwright serialises them into the page.
 */

export interface SetupTiming {
  /**
   * When the callee accepted, seen in the page: the click on "Accept" (stack), or the
   * start of the baseline callee's media request. ms since the epoch (the containers
   * share the host's clock).
   */
  acceptedAt: number | null;
  pcCreatedAt: number | null;
  /** When the peer's description (offer at the callee, answer at the caller) was applied. */
  remoteDescriptionAt: number | null;
  /** When this side's answer was set (the callee's; never at the caller). */
  localAnswerAt: number | null;
  iceConnectedAt: number | null;
  /** When `connectionState` became connected: ICE and DTLS done, media may flow. */
  connectedAt: number | null;
  firstFrameAt: number | null;
  /** The first video packet from the peer arrived (inbound-rtp `packetsReceived` > 0). */
  firstPacketAt: number | null;
  /** This side's encoder produced its first video frame (the video sender's `framesEncoded`). */
  firstEncodedAt: number | null;
  /** Width of the first decoded remote frame (the sender's start resolution). */
  firstFrameWidth: number | null;
  localType: string | null;
  remoteType: string | null;
  /**
   * Signaling, seen on the page's websocket (stack only): the callee's `call:accept` left,
   * the caller's `call:accepted` and the answer's `signal` arrived, and when the caller's
   * page called `setRemoteDescription` with it.
   */
  acceptSentAt: number | null;
  acceptedReceivedAt: number | null;
  answerReceivedAt: number | null;
  remoteCalledAt: number | null;
  /** Main-thread tasks over 50 ms between the probe's start and the first frame: [start, ms]. */
  longTasks: [number, number][];
}

declare global {
  interface Window {
    __e2ePeerConnections?: RTCPeerConnection[];
    __benchBaseline?: BaselinePeer;
    __benchSend?: (message: string) => Promise<void>;
    __benchAcceptedAt?: number;
  }
}

interface BaselinePeer {
  pc: RTCPeerConnection | null;
  stream: MediaStream | null;
  pending: RTCIceCandidateInit[];
}

/**
 * In the page: waits for the newest peer connection created after `since` (the probe
 * looks at `window.__e2ePeerConnections`, filled by the e2e init script, or the baseline
 * peer), then records when ICE connects and when the first remote video frame is decoded.
 */
export function probeSetup(args: {
  pcCountBefore: number;
  timeoutMs: number;
}): Promise<SetupTiming> {
  return new Promise((resolve) => {
    const deadline = Date.now() + args.timeoutMs;
    const timing: SetupTiming = {
      acceptedAt: null,
      pcCreatedAt: null,
      remoteDescriptionAt: null,
      localAnswerAt: null,
      iceConnectedAt: null,
      connectedAt: null,
      firstFrameAt: null,
      firstPacketAt: null,
      firstEncodedAt: null,
      firstFrameWidth: null,
      localType: null,
      remoteType: null,
      acceptSentAt: null,
      acceptedReceivedAt: null,
      answerReceivedAt: null,
      remoteCalledAt: null,
      longTasks: [],
    };
    const longTasks = new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        timing.longTasks.push([
          Math.round(performance.timeOrigin + entry.startTime),
          Math.round(entry.duration),
        ]);
    });
    try {
      longTasks.observe({ type: 'longtask', buffered: false });
    } catch {
      // No long-task timing in this browser: the list stays empty.
    }
    const startedAt = Date.now();
    /** The signaling events of this call, from the e2e init scripts' records. */
    const readSignaling = (pc: RTCPeerConnection | undefined): void => {
      const recorded = window as {
        __e2eFrames?: { at: number; direction: 'in' | 'out'; name: string }[];
        __e2eSignals?: { at: number; kind: string }[];
      };
      const frames = (recorded.__e2eFrames ?? []).filter((f) => f.at >= startedAt);
      const first = (direction: 'in' | 'out', name: string): number | null =>
        frames.find((f) => f.direction === direction && f.name === name)?.at ?? null;
      timing.acceptSentAt = first('out', 'call:accept');
      timing.acceptedReceivedAt = first('in', 'call:accepted');
      timing.answerReceivedAt =
        (recorded.__e2eSignals ?? []).find((s) => s.at >= startedAt && s.kind === 'answer')?.at ??
        null;
      const called = (pc as { __e2eRemoteCalledAt?: number } | undefined)?.__e2eRemoteCalledAt;
      timing.remoteCalledAt = called !== undefined && called >= startedAt ? called : null;
    };
    const onClick = (event: MouseEvent): void => {
      const button = (event.target as Element | null)?.closest('button');
      if (timing.acceptedAt === null && button?.textContent?.trim() === 'Accept') {
        timing.acceptedAt = Date.now();
      }
    };
    document.addEventListener('click', onClick, { capture: true });
    const pick = (): RTCPeerConnection | undefined => {
      if (window.__benchBaseline?.pc) return window.__benchBaseline.pc;
      // The call's connection: the newest one since the probe began that carries media.
      // The app's UDP relay probe (a data channel only, closed at once) may be newer.
      const fresh = (window.__e2ePeerConnections ?? []).slice(args.pcCountBefore);
      return fresh.filter((pc) => pc.getTransceivers().length > 0).at(-1);
    };
    let polling = false;
    const tick = async (): Promise<void> => {
      if (polling) return;
      polling = true;
      try {
        const pc = pick();
        if (pc) {
          timing.pcCreatedAt ??= Date.now();
          if (timing.remoteDescriptionAt === null && pc.remoteDescription)
            timing.remoteDescriptionAt = Date.now();
          if (timing.localAnswerAt === null && pc.localDescription?.type === 'answer')
            timing.localAnswerAt = Date.now();
          if (timing.connectedAt === null && pc.connectionState === 'connected')
            timing.connectedAt = Date.now();
          const ice = pc.iceConnectionState;
          if (timing.iceConnectedAt === null && (ice === 'connected' || ice === 'completed')) {
            timing.iceConnectedAt = Date.now();
          }
          const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
          if (timing.iceConnectedAt !== null && timing.firstEncodedAt === null && sender) {
            // This side's encoder: its first frame is what the peer's first frame waits for.
            (await sender.getStats()).forEach((s: Record<string, unknown>) => {
              if (s['type'] === 'outbound-rtp' && Number(s['framesEncoded'] ?? 0) > 0)
                timing.firstEncodedAt ??= Date.now();
            });
          }
          if (timing.iceConnectedAt !== null && timing.firstFrameAt === null) {
            // Only the video receiver's stats (its inbound-rtp, transport, pair, candidates):
            // the whole connection's report, every 5 ms, was itself a main-thread load
            // (up to ~30 ms per poll in a stack page's CPU profile).
            const receiver = pc.getReceivers().find((r) => r.track.kind === 'video');
            const report = await (receiver ?? pc).getStats();
            let decoded = 0;
            let width: number | null = null;
            let pairId: string | undefined;
            report.forEach((s: Record<string, unknown>) => {
              if (s['type'] === 'inbound-rtp' && s['kind'] === 'video') {
                decoded += Number(s['framesDecoded'] ?? 0);
                if (Number(s['packetsReceived'] ?? 0) > 0) timing.firstPacketAt ??= Date.now();
                if (typeof s['frameWidth'] === 'number') width = s['frameWidth'];
              }
              if (s['type'] === 'transport')
                pairId = s['selectedCandidatePairId'] as string | undefined;
            });
            if (decoded > 0) {
              timing.firstFrameAt = Date.now();
              timing.firstFrameWidth = width;
              const pair = pairId ? (report.get(pairId) as Record<string, unknown>) : undefined;
              const local = pair
                ? (report.get(String(pair['localCandidateId'])) as Record<string, unknown>)
                : undefined;
              const remote = pair
                ? (report.get(String(pair['remoteCandidateId'])) as Record<string, unknown>)
                : undefined;
              timing.localType = local ? String(local['candidateType']) : null;
              timing.remoteType = remote ? String(remote['candidateType']) : null;
            }
          }
        }
        timing.acceptedAt ??= window.__benchAcceptedAt ?? null;
        const encoding = pc?.getSenders().some((s) => s.track?.kind === 'video') ?? false;
        const done = timing.firstFrameAt !== null && (timing.firstEncodedAt !== null || !encoding);
        if (done || Date.now() > deadline) {
          readSignaling(pc);
          longTasks.disconnect();
          clearInterval(timer);
          document.removeEventListener('click', onClick, { capture: true });
          resolve(timing);
        }
      } finally {
        polling = false;
      }
    };
    const timer = setInterval(() => void tick(), 5);
  });
}

/** In the page: opens the fake camera and microphone for the baseline peer. */
export async function baselineOpenMedia(accepting = false): Promise<void> {
  if (accepting) window.__benchAcceptedAt = Date.now();
  window.__benchBaseline ??= { pc: null, stream: null, pending: [] };
  window.__benchBaseline.stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: true,
  });
}

/**
 * In the page: creates the baseline peer connection (tracks added, every candidate and
 * description sent through `__benchSend`, i.e. the test process). With `offer`, also
 * creates and sends the offer.
 */
export async function baselineStart(args: {
  configuration: RTCConfiguration;
  offer: boolean;
}): Promise<void> {
  const peer = (window.__benchBaseline ??= { pc: null, stream: null, pending: [] });
  const pc = peer.pc ?? new RTCPeerConnection(args.configuration);
  peer.pc = pc;
  const send = (message: object) => void window.__benchSend!(JSON.stringify(message));
  pc.onicecandidate = (event) =>
    send({ candidate: event.candidate ? event.candidate.toJSON() : null });
  if (peer.stream && pc.getSenders().every((sender) => sender.track === null)) {
    for (const track of peer.stream.getTracks()) pc.addTrack(track, peer.stream);
  }
  if (args.offer) {
    await pc.setLocalDescription(await pc.createOffer());
    send({ description: pc.localDescription!.toJSON() });
  }
}

/** In the page: creates a peer connection early so its candidate pool gathers before the call. */
export function baselinePrepare(configuration: RTCConfiguration): void {
  const peer = (window.__benchBaseline ??= { pc: null, stream: null, pending: [] });
  peer.pc = new RTCPeerConnection(configuration);
}

/** In the page: applies one message from the other baseline peer. */
export async function baselineReceive(args: {
  message: string;
  configuration: RTCConfiguration;
}): Promise<void> {
  const peer = (window.__benchBaseline ??= { pc: null, stream: null, pending: [] });
  const message = JSON.parse(args.message) as {
    description?: RTCSessionDescriptionInit;
    candidate?: RTCIceCandidateInit | null;
  };
  if (message.description) {
    const pc = peer.pc ?? new RTCPeerConnection(args.configuration);
    peer.pc = pc;
    const send = (m: object) => void window.__benchSend!(JSON.stringify(m));
    pc.onicecandidate = (event) =>
      send({ candidate: event.candidate ? event.candidate.toJSON() : null });
    await pc.setRemoteDescription(message.description);
    if (message.description.type === 'offer') {
      // The offer made the transceivers (senders without a track), so "no sender yet"
      // would never hold: the callee's camera is added to them, and the call is two-way.
      if (peer.stream && pc.getSenders().every((sender) => sender.track === null)) {
        for (const track of peer.stream.getTracks()) pc.addTrack(track, peer.stream);
      }
      await pc.setLocalDescription(await pc.createAnswer());
      send({ description: pc.localDescription!.toJSON() });
    }
    for (const candidate of peer.pending.splice(0)) await pc.addIceCandidate(candidate);
  } else if (message.candidate !== undefined) {
    if (message.candidate === null) return;
    if (!peer.pc || !peer.pc.remoteDescription) peer.pending.push(message.candidate);
    else await peer.pc.addIceCandidate(message.candidate);
  }
}

/** In the page: closes the baseline peer and its media. */
export function baselineClose(): void {
  const peer = window.__benchBaseline;
  peer?.pc?.close();
  peer?.stream?.getTracks().forEach((t) => t.stop());
  window.__benchBaseline = { pc: null, stream: null, pending: [] };
  delete window.__benchAcceptedAt;
}
