/** How often stats are sampled, and how much history the charts keep. */
export const STATS_INTERVAL_MS = 2_000;
export const STATS_HISTORY = 30; // 30 × 2 s = the last 60 s

/** One entry of an RTCStatsReport, as a plain record. */
export interface StatsEntry {
  id: string;
  type: string;
  timestamp: number;
  [key: string]: unknown;
}

/** Which candidates carry the media. */
export interface CandidatePath {
  localType: string;
  remoteType: string;
  /** Transport of the local candidate (`udp` / `tcp`). */
  protocol: string;
  /** For a local relay candidate: how we reach the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol: string | null;
  localAddress: string | null;
  remoteAddress: string | null;
}

/** Cumulative counters; samples are deltas between two of these. */
export interface StatsCounters {
  timestamp: number;
  bytesSent: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  framesDecoded: number;
}

export interface StatsReading {
  counters: StatsCounters;
  rttMs: number | null;
  /** What the decoder reports (`framesPerSecond`), when it does. */
  reportedFps: number | null;
  resolution: string | null;
  path: CandidatePath | null;
}

export interface StatsSample {
  timestamp: number;
  rttMs: number | null;
  /** Bits per second. */
  outBitrate: number | null;
  inBitrate: number | null;
  packetLossPercent: number | null;
  fps: number | null;
  resolution: string | null;
  framesDecoded: number;
  path: CandidatePath | null;
}

function num(entry: StatsEntry | undefined, key: string): number | null {
  const value = entry?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(entry: StatsEntry | undefined, key: string): string | null {
  const value = entry?.[key];
  return typeof value === 'string' ? value : null;
}

function selectedPair(
  entries: StatsEntry[],
  byId: Map<string, StatsEntry>,
): StatsEntry | undefined {
  for (const transport of entries.filter((e) => e.type === 'transport')) {
    const id = str(transport, 'selectedCandidatePairId');
    if (id && byId.has(id)) return byId.get(id);
  }
  const pairs = entries.filter((e) => e.type === 'candidate-pair');
  return (
    pairs.find((p) => p['selected'] === true) ??
    pairs.find((p) => p['nominated'] === true && p['state'] === 'succeeded')
  );
}

function address(candidate: StatsEntry | undefined): string | null {
  const ip = str(candidate, 'address') ?? str(candidate, 'ip');
  const port = num(candidate, 'port');
  return ip === null ? null : port === null ? ip : `${ip}:${port}`;
}

/** Extracts what we chart from one `getStats()` report. */
export function readStats(report: Iterable<StatsEntry>, timestamp: number): StatsReading {
  const entries = [...report];
  const byId = new Map(entries.map((e) => [e.id, e]));
  const counters: StatsCounters = {
    timestamp,
    bytesSent: 0,
    bytesReceived: 0,
    packetsReceived: 0,
    packetsLost: 0,
    framesDecoded: 0,
  };
  let reportedFps: number | null = null;
  let resolution: string | null = null;
  for (const e of entries) {
    if (e.type === 'outbound-rtp') {
      counters.bytesSent += num(e, 'bytesSent') ?? 0;
    } else if (e.type === 'inbound-rtp') {
      counters.bytesReceived += num(e, 'bytesReceived') ?? 0;
      counters.packetsReceived += num(e, 'packetsReceived') ?? 0;
      counters.packetsLost += Math.max(0, num(e, 'packetsLost') ?? 0);
      if (e['kind'] === 'video') {
        counters.framesDecoded += num(e, 'framesDecoded') ?? 0;
        reportedFps = num(e, 'framesPerSecond') ?? reportedFps;
        const width = num(e, 'frameWidth');
        const height = num(e, 'frameHeight');
        if (width && height) resolution = `${width}×${height}`;
      }
    }
  }
  const pair = selectedPair(entries, byId);
  const rtt = num(pair, 'currentRoundTripTime');
  let path: CandidatePath | null = null;
  if (pair) {
    const local = byId.get(str(pair, 'localCandidateId') ?? '');
    const remote = byId.get(str(pair, 'remoteCandidateId') ?? '');
    if (local && remote) {
      path = {
        localType: str(local, 'candidateType') ?? 'unknown',
        remoteType: str(remote, 'candidateType') ?? 'unknown',
        protocol: str(local, 'protocol') ?? 'unknown',
        relayProtocol: str(local, 'relayProtocol'),
        localAddress: address(local),
        remoteAddress: address(remote),
      };
    }
  }
  return { counters, rttMs: rtt === null ? null : rtt * 1000, reportedFps, resolution, path };
}

/** One chart point from the previous counters and a fresh reading. */
export function computeSample(previous: StatsCounters | null, reading: StatsReading): StatsSample {
  const now = reading.counters;
  const seconds = previous ? (now.timestamp - previous.timestamp) / 1000 : 0;
  const delta = (key: keyof Omit<StatsCounters, 'timestamp'>): number | null => {
    if (!previous || seconds <= 0) return null;
    const d = now[key] - previous[key];
    return d < 0 ? null : d; // counters restart when a track is replaced
  };
  const sent = delta('bytesSent');
  const received = delta('bytesReceived');
  const packets = delta('packetsReceived');
  const lost = delta('packetsLost');
  const frames = delta('framesDecoded');
  const expected = packets !== null && lost !== null ? packets + lost : null;
  return {
    timestamp: now.timestamp,
    rttMs: reading.rttMs,
    outBitrate: sent === null ? null : (sent * 8) / seconds,
    inBitrate: received === null ? null : (received * 8) / seconds,
    packetLossPercent:
      expected === null ? null : expected === 0 ? 0 : ((lost ?? 0) / expected) * 100,
    fps: reading.reportedFps ?? (frames === null ? null : frames / seconds),
    resolution: reading.resolution,
    framesDecoded: now.framesDecoded,
    path: reading.path,
  };
}

/** The badge: "Direct", or "Relayed (TURN/UDP|TCP|TLS)" when our side goes through TURN. */
export function describePath(path: CandidatePath | null): string {
  if (!path) return 'Connecting…';
  if (path.localType === 'relay') {
    return `Relayed (TURN/${(path.relayProtocol ?? 'udp').toUpperCase()})`;
  }
  if (path.remoteType === 'relay') return 'Relayed (TURN, by the other side)';
  return 'Direct';
}

/**
 * `relay/relay udp`, or `relay/relay udp via TURN/TLS` when our leg to the relay uses another
 * transport: the selected pair in a form tests and support staff can read.
 */
export function describePair(path: CandidatePath | null): string {
  if (!path) return 'none';
  const pair = `${path.localType}/${path.remoteType} ${path.protocol}`;
  const leg = path.localType === 'relay' ? path.relayProtocol : null;
  return leg && leg !== path.protocol ? `${pair} via TURN/${leg.toUpperCase()}` : pair;
}

/** An RTCStatsReport as plain objects (for the diagnostics hook and for readStats). */
export function statsEntries(report: RTCStatsReport): StatsEntry[] {
  const entries: StatsEntry[] = [];
  report.forEach((value: StatsEntry) => entries.push({ ...value }));
  return entries;
}
