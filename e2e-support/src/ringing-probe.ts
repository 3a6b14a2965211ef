import type { BrowserContext, Page } from 'playwright-core';
import type { StartedTestContainer } from 'testcontainers';

/** One `signal` the page received over the signaling socket. */
export interface ReceivedSignal {
  at: number;
  from: string;
  kind: 'offer' | 'answer' | 'candidate' | 'other';
}

/** One socket.io event on the page's signaling websocket: when, which way, which event. */
export interface SignalingFrame {
  at: number;
  direction: 'in' | 'out';
  name: string;
}

declare global {
  interface Window {
    /** Every camera/microphone track getUserMedia handed the page. */
    __e2eMediaTracks?: MediaStreamTrack[];
    /** Every `signal` event that arrived on a socket.io websocket of the page. */
    __e2eSignals?: ReceivedSignal[];
    /** Every socket.io event the page sent or received, by name and time (bench timelines). */
    __e2eFrames?: SignalingFrame[];
  }
}

/**
 * Records what a ringing call must not leave behind or let through: the tracks
 * getUserMedia returns (is a camera still live?) and every `signal` frame the page
 * receives (did anything of the callee reach the caller before Accept?). Reads the
 * socket.io text frames as they arrive, without the application's help.
 */
export async function instrumentRinging(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const tracks: MediaStreamTrack[] = [];
    const signals: ReceivedSignal[] = [];
    const frames: SignalingFrame[] = [];
    window.__e2eMediaTracks = tracks;
    window.__e2eSignals = signals;
    window.__e2eFrames = frames;
    // socket.io: `42/signaling,["signal",{...}]` (an ack id may follow the comma).
    const eventName = (data: unknown): string | undefined =>
      typeof data === 'string' ? /^42\/signaling,\d*\["([^"]+)"/.exec(data)?.[1] : undefined;
    const devices = navigator.mediaDevices;
    if (devices) {
      const getUserMedia = devices.getUserMedia.bind(devices);
      devices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        tracks.push(...stream.getTracks());
        return stream;
      };
    }
    const NativeWebSocket = window.WebSocket;
    class RecordedWebSocket extends NativeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (event: MessageEvent) => {
          if (typeof event.data !== 'string') return;
          const name = eventName(event.data);
          if (name !== undefined && frames.length < 10_000)
            frames.push({ at: Date.now(), direction: 'in', name });
          const match = /^42\/signaling,\d*(\[.*)$/s.exec(event.data);
          if (!match) return;
          try {
            const [name, payload] = JSON.parse(match[1]!) as [string, Record<string, unknown>];
            if (name !== 'signal') return;
            const description = payload['description'] as { type?: string } | undefined;
            const kind =
              description?.type === 'offer' || description?.type === 'answer'
                ? description.type
                : 'candidate' in payload
                  ? 'candidate'
                  : 'other';
            signals.push({ at: Date.now(), from: String(payload['from']), kind });
          } catch {
            // Not JSON we understand: not a signal.
          }
        });
      }

      override send(data: Parameters<WebSocket['send']>[0]): void {
        const name = eventName(data);
        if (name !== undefined && frames.length < 10_000)
          frames.push({ at: Date.now(), direction: 'out', name });
        super.send(data);
      }
    }
    window.WebSocket = RecordedWebSocket;
  });
}

/** Camera tracks of the page that are still live (the camera light is on). */
export function liveCameraTracks(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window.__e2eMediaTracks ?? []).filter((t) => t.kind === 'video' && t.readyState === 'live')
        .length,
  );
}

export function receivedSignals(page: Page): Promise<ReceivedSignal[]> {
  return page.evaluate(() => [...(window.__e2eSignals ?? [])]);
}

/** Remote ICE candidates in the getStats() of every peer connection the page made. */
export function remoteCandidates(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const found: string[] = [];
    for (const pc of window.__e2ePeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((entry: { type: string; address?: string; candidateType?: string }) => {
        if (entry.type === 'remote-candidate')
          found.push(`${entry.candidateType ?? '?'} ${entry.address ?? ''}`);
      });
    }
    return found;
  });
}

/**
 * Relay sockets coturn holds right now: its UDP sockets bound inside the relay port
 * range (one per live allocation), read from the container's /proc/net/udp{,6}.
 */
export async function relaySockets(turn: StartedTestContainer): Promise<number> {
  const { output, exitCode } = await turn.exec([
    'sh',
    '-c',
    'echo "${TURN_MIN_PORT:-49160} ${TURN_MAX_PORT:-49200}"; cat /proc/net/udp /proc/net/udp6',
  ]);
  if (exitCode !== 0) throw new Error(`could not read coturn's sockets: ${output}`);
  const [range, ...lines] = output.trim().split('\n');
  const [min, max] = (range ?? '').split(' ').map(Number);
  if (!min || !max) throw new Error(`no relay port range in "${range}"`);
  let count = 0;
  for (const line of lines) {
    // "  12: 0100007F:C02A 00000000:0000 07 …": local address:port (hex) is field 2.
    const port = Number.parseInt(line.trim().split(/\s+/)[1]?.split(':')[1] ?? '', 16);
    if (port >= min && port <= max) count++;
  }
  return count;
}
