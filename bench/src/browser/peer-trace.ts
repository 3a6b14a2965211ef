/**
 * The peer-connection tracer of the call set-up bench (`BENCH_TRACE_PEERS=1`): an init
 * script that records, per page, when each RTCPeerConnection applied descriptions and
 * candidates, changed state, gathered its first candidate, and sent and decoded its first
 * video frame; and a formatter that prints one call's events of both pages as one timeline.
 * Diagnostic only: its 5 ms stats polling is load of its own, so figures of a traced run
 * are not the bench's figures.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** One traced event: ms since the epoch, which connection (index in the page), what. */
export interface TraceEvent {
  at: number;
  pc: number;
  what: string;
}

declare global {
  interface Window {
    __benchTrace?: TraceEvent[];
  }
}

/** Whether this run traces (`BENCH_TRACE_PEERS=1`). */
export const tracing = process.env['BENCH_TRACE_PEERS'] === '1';

/** Installs the tracer in every page of `context` (before any page script). */
export async function tracePeers(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const events: TraceEvent[] = [];
    window.__benchTrace = events;
    let count = 0;
    const Native = window.RTCPeerConnection;
    const record = (pc: number, what: string) => events.push({ at: Date.now(), pc, what });
    const ids = new WeakMap<RTCPeerConnection, number>();
    const id = (pc: RTCPeerConnection) => ids.get(pc) ?? -1;
    // Stats of the video sender and receiver every 5 ms from "connected" until both the
    // first encoded and the first decoded frame are seen (or 10 s): the sender's encoder
    // start and the receiver's first packet, neither of which raises an event.
    const watchMedia = (pc: RTCPeerConnection): void => {
      const n = id(pc);
      const seen = new Set<string>();
      const once = (key: string, what: string) => {
        if (seen.has(key)) return;
        seen.add(key);
        record(n, what);
      };
      const until = Date.now() + 10_000;
      const timer = setInterval(() => {
        if (Date.now() > until || pc.connectionState === 'closed' || seen.size >= 4) {
          clearInterval(timer);
          return;
        }
        const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
        const receiver = pc.getReceivers().find((r) => r.track.kind === 'video');
        void sender?.getStats().then((report) =>
          report.forEach((s: Record<string, unknown>) => {
            if (s['type'] !== 'outbound-rtp') return;
            if (Number(s['packetsSent'] ?? 0) > 0) once('sent', 'first video packet sent');
            if (Number(s['framesEncoded'] ?? 0) > 0)
              once(
                'encoded',
                `first frame encoded ${String(s['frameWidth'])}×${String(s['frameHeight'])} (encoder ${String(s['encoderImplementation'])}, limited by ${String(s['qualityLimitationReason'])})`,
              );
          }),
        );
        void receiver?.getStats().then((report) =>
          report.forEach((s: Record<string, unknown>) => {
            if (s['type'] !== 'inbound-rtp' || s['kind'] !== 'video') return;
            if (Number(s['packetsReceived'] ?? 0) > 0) once('packet', 'first video packet in');
            if (Number(s['framesDecoded'] ?? 0) > 0)
              once(
                'decoded',
                `first frame decoded ${String(s['frameWidth'])}×${String(s['frameHeight'])} (${String(s['keyFramesDecoded'])} key, ${Number(s['framesDropped'] ?? 0)} dropped)`,
              );
          }),
        );
      }, 5);
    };
    class TracedPeerConnection extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        const n = count++;
        ids.set(this, n);
        record(n, `created (policy ${configuration?.iceTransportPolicy ?? 'all'})`);
        let gathered = false;
        this.addEventListener('icecandidate', (event) => {
          if (event.candidate && !gathered) {
            gathered = true;
            record(n, `first local candidate ${event.candidate.type ?? '?'}`);
          }
          if (!event.candidate) record(n, 'gathering complete');
        });
        this.addEventListener('iceconnectionstatechange', () =>
          record(n, `ice ${this.iceConnectionState}`),
        );
        this.addEventListener('connectionstatechange', () => {
          record(n, `connection ${this.connectionState}`);
          if (this.connectionState === 'connected') watchMedia(this);
        });
        this.addEventListener('track', (event) => record(n, `track ${event.track.kind}`));
      }
      override async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
        record(id(this), `SRD ${description.type} called`);
        await super.setRemoteDescription(description);
        record(id(this), `SRD ${description.type} done`);
      }
      override async setLocalDescription(description?: RTCLocalSessionDescriptionInit) {
        record(id(this), `SLD ${description?.type ?? 'implicit'} called`);
        await super.setLocalDescription(description);
        record(id(this), `SLD ${this.localDescription?.type ?? '?'} done`);
      }
      override async addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
        record(id(this), `addIceCandidate ${candidate?.candidate ? 'one' : 'end'}`);
        await super.addIceCandidate(candidate ?? undefined);
      }
    }
    // Installed after the e2e recorder, so this extends it: the page's connections are
    // both recorded (window.__e2ePeerConnections) and traced.
    window.RTCPeerConnection = TracedPeerConnection;
    // The camera the page opened, as the browser delivers it.
    const gum = navigator.mediaDevices?.getUserMedia.bind(navigator.mediaDevices);
    if (gum) {
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        record(-1, 'getUserMedia called');
        const stream = await gum(constraints);
        const s = stream.getVideoTracks()[0]?.getSettings();
        record(-1, `getUserMedia done ${s ? `${s.width}×${s.height} @ ${s.frameRate} fps` : ''}`);
        return stream;
      };
    }
  });
}

/** The events a page traced since `since`, and clears them. */
export function readTrace(page: Page, since: number): Promise<TraceEvent[]> {
  return page.evaluate((from) => {
    const events = (window.__benchTrace ?? []).filter((e) => e.at >= from);
    window.__benchTrace?.splice(0);
    return events;
  }, since);
}

/** Both pages' events of one call as one timeline, ms relative to the accept. */
export function timeline(
  title: string,
  acceptedAt: number,
  sides: Record<string, TraceEvent[]>,
): string {
  const rows = Object.entries(sides)
    .flatMap(([side, events]) => events.map((e) => ({ ...e, side })))
    .sort((x, y) => x.at - y.at)
    .map((e) => `${String(e.at - acceptedAt).padStart(7)} ms  ${e.side} pc${e.pc}  ${e.what}`);
  return [`── ${title} (ms after accept)`, ...rows].join('\n');
}
