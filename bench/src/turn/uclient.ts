/** Parsing of `turnutils_uclient` output. */
export interface UclientReport {
  flows: number;
  sentMessages: number;
  receivedMessages: number;
  lostPackets: number;
  lossPercent: number;
  rttAvgMs: number;
  rttMaxMs: number;
  jitterAvgMs: number;
  jitterMaxMs: number;
  /** Per-second received bytes (all flows), from the progress lines. */
  perSecondBytes: { second: number; bytes: number }[];
}

export function parseUclient(output: string, flows: number): UclientReport {
  const lost = /Total lost packets (\d+) \(([\d.]+)%\)/.exec(output);
  const rtt = /Average round trip delay ([\d.]+) ms; min = (\d+) ms, max = (\d+) ms/.exec(output);
  const jitter = /Average jitter ([\d.]+) ms; min = (\d+) ms, max = (\d+) ms/.exec(output);
  const totals = /tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(output);
  if (!lost || !rtt || !jitter || !totals) {
    throw new Error(`turnutils_uclient did not finish a run:\n${output.slice(-1500)}`);
  }
  const progress = [
    ...output.matchAll(/^(\d+): : start_mclient: msz=\d+, .*tot_recv_bytes ~ (\d+)/gm),
  ].map((m) => ({ second: Number(m[1]), total: Number(m[2]) }));
  const perSecondBytes: { second: number; bytes: number }[] = [];
  for (let i = 1; i < progress.length; i++) {
    const dt = progress[i]!.second - progress[i - 1]!.second;
    if (dt > 0) {
      perSecondBytes.push({
        second: progress[i]!.second,
        bytes: (progress[i]!.total - progress[i - 1]!.total) / dt,
      });
    }
  }
  return {
    flows,
    sentMessages: Number(totals[1]),
    receivedMessages: Number(totals[2]),
    lostPackets: Number(lost[1]),
    lossPercent: Number(lost[2]),
    rttAvgMs: Number(rtt[1]),
    rttMaxMs: Number(rtt[3]),
    jitterAvgMs: Number(jitter[1]),
    jitterMaxMs: Number(jitter[3]),
    perSecondBytes,
  };
}
