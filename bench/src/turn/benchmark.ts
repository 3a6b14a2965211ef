import type { Benchmark } from '../lib/result.ts';
import { ENTRY_STEPS, measureEntry } from './entry.ts';
import { measureLoad } from './load.ts';
import { INTERVAL_MS, PACKET_BYTES } from './load-step.ts';

/** `--step` names of this section: `load` plus the default entry's steps. */
const STEPS = ['load', ...ENTRY_STEPS];

export const turnBenchmark: Benchmark = {
  name: 'turn',
  title: '4. TURN relay load',
  async run(context) {
    const unknown = context.steps?.filter((s) => !STEPS.includes(s)) ?? [];
    if (unknown.length > 0) {
      throw new Error(`unknown turn step(s) ${unknown.join(', ')}; known: ${STEPS.join(', ')}`);
    }
    const load =
      context.steps === null || context.steps.includes('load') ? await measureLoad(context) : null;
    const entryWanted =
      context.steps === null || ENTRY_STEPS.some((s) => context.steps?.includes(s));
    const entry = entryWanted ? await measureEntry(context) : { rows: [], details: [], notes: [] };
    return {
      method: `**Through the default entry** (last rows and the per-call table): the default \`docker compose up\` with coturn on the host network, listening and relay addresses pinned to 127.0.0.1 (plus the Docker bridge for web's TURN/TLS leg); \`turnutils_uclient\` on the host network against 127.0.0.1:3478 with credentials signed as the gateway signs them ([bench/src/turn/capacity.ts](../bench/src/turn/capacity.ts)); the host's Chromium (headless, fake camera) opening https://localhost:8443, two people per call, each invited by the bench's admin (made with \`callgate-create-admin\`) and signed up through the UI; one direct call measured and hung up, then the relay-only calls ("Relay only" on) kept up together ([bench/src/turn/relay-calls.ts](../bench/src/turn/relay-calls.ts)). **Load steps**: the project's coturn image (built from [turn/](../turn/), production configuration rendered by its entrypoint) runs in a container pinned to core 0 on a Docker network the bench creates, with the same shared secret as a real gateway process; the gateway issues the credential (\`GET /api/turn/credentials\` for a registered user). \`turnutils_uclient\` (same coturn release, second container pinned to core 1) opens N client-to-client flows (\`-y\`: each packet enters through one client's allocation and leaves through its partner's relay, so both legs cross coturn), ${PACKET_BYTES}-byte packets every ${INTERVAL_MS} ms per flow (1 Mbit/s each way), ${load?.seconds ?? 15} s per step, no RTCP allocations. Loss, jitter and RTT are uclient's own figures; CPU is read from \`/proc/<pid>/stat\` of each container's process every 0.5 s; the busiest 4-second window of the step is reported. Throughput per flow is the median over the steady seconds (≥ 80 % of peak).`,
      rows: [...(load?.rows ?? []), ...entry.rows],
      details: [...(load ? [load.table] : []), ...entry.details],
      charts: load
        ? [{ file: 'turn-load.svg', title: 'coturn CPU and loss vs flows', svg: load.chart }]
        : [],
      notes: [...(load?.notes ?? []), ...entry.notes],
    };
  },
};
