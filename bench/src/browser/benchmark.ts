import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from '../lib/cleanup.ts';
import { row, type Benchmark, type Row } from '../lib/result.ts';
import { atMostPlus, atMostTimes } from '../lib/targets.ts';
import { summarize } from '../lib/stats.ts';
import { barChartSvg } from '../lib/svg.ts';
import type { RingingCost, Variant } from './call-timing.ts';
import {
  limitNote,
  longestTaskBeforeFrame,
  ringingNote,
  ringingTable,
  stageNote,
  stat,
  TRIED,
  type Stage,
} from './notes.ts';

/** Runs the Jest-driven browser part and returns its variants. */
function runBrowserCalls(
  repoRoot: string,
  calls: number,
  log: (m: string) => void,
): Promise<{ variants: Variant[]; ringing: RingingCost[]; failures: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-bench-calls-'));
  onCleanup('call set-up output directory', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'call-setup.json');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'tools/jest.mjs'),
        '-c',
        join(repoRoot, 'bench/jest.call-setup.config.cjs'),
        '--runInBand',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, BENCH_CALLS: String(calls), BENCH_CALL_SETUP_OUT: out },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const stopChild = onCleanup('call set-up Jest run', () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    let tail = '';
    const failures: string[] = [];
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
      for (const match of chunk.toString().matchAll(/● (.+›.+)\n\s*\n?\s*(.+)/g)) {
        failures.push(`${match[1]!.trim()}: ${match[2]!.trim()}`);
      }
      for (const line of chunk.toString().split('\n'))
        if (/stack up|✓|✕|failed/i.test(line)) log(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // BENCH_CALL_SETUP_TIMEOUT_MIN: a shared, heavily loaded machine needs longer than a quiet one.
    const timer = setTimeout(
      () => child.kill('SIGTERM'),
      Number(process.env['BENCH_CALL_SETUP_TIMEOUT_MIN'] ?? 15) * 60_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      void stopChild();
      if (!existsSync(out)) {
        reject(new Error(`the browser run wrote no results (exit ${code}): ${tail.slice(-1500)}`));
        return;
      }
      const variants = JSON.parse(readFileSync(out, 'utf8')) as Variant[];
      const ringingFile = `${out}.ringing.json`;
      const ringing = existsSync(ringingFile)
        ? (JSON.parse(readFileSync(ringingFile, 'utf8')) as RingingCost[])
        : [];
      if (code !== 0)
        log(`browser run exited with ${code}; using the ${variants.length} variants it measured`);
      resolve({ variants, ringing, failures });
    });
  });
}

export const callSetupBenchmark: Benchmark = {
  name: 'call-setup',
  title: '1. Call set-up in real Chromium',
  async run(context) {
    const calls = context.quick ? 3 : 20;
    const {
      variants: all,
      ringing,
      failures,
    } = await runBrowserCalls(context.repoRoot, calls, context.log);
    const variants = all.filter((v) => v.calls.length > 0);
    if (variants.length === 0) {
      throw new Error(`no call was measured: ${failures.join('; ') || 'see the Jest output'}`);
    }
    const find = (name: string) => variants.find((v) => v.name === name);
    const rows: Row[] = [];
    for (const mode of ['direct', 'relay'] as const) {
      const stack = find(`stack-${mode}`);
      const base = find(`baseline-${mode}`);
      for (const key of ['frameMs', 'iceMs'] as const) {
        const s = stat(stack, key).p50;
        const b = stat(base, key).p50;
        const what = key === 'frameMs' ? 'first decoded remote frame' : 'ICE connected';
        rows.push(
          row(
            `${mode === 'relay' ? 'Relay-only' : 'Direct'}: accept → ${what}, p50 (callee)`,
            'ms',
            s,
            `baseline-${mode}`,
            b,
            key === 'frameMs' ? '≤ 0.6× baseline' : '—',
            key === 'frameMs' ? atMostTimes(s, b, 0.6) : null,
          ),
        );
      }
    }
    const direct = stat(find('stack-direct'), 'frameMs').p50;
    const relay = stat(find('stack-relay'), 'frameMs').p50;
    rows.push(
      row(
        'Relay-only p50 vs direct p50 (stack, first frame)',
        'ms',
        relay,
        'stack direct',
        direct,
        '≤ direct + 100 ms',
        atMostPlus(relay, direct, 100),
      ),
    );

    const fmt = (v: number) => (Number.isFinite(v) ? Math.round(v).toString() : 'n/a');
    const table = [
      '| Variant | What | Calls | No frame in 30 s | Callee connection created p50 ms | Offer applied p50 ms | ICE connected p50 / p90 / max ms | First frame p50 / p90 / max ms | Caller first frame p50 ms | Callee longest task before its first frame, p50 ms | Selected pair (callee local/remote) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...variants.map((v) => {
        const ice = stat(v, 'iceMs');
        const frame = stat(v, 'frameMs');
        const callerFrame = summarize(
          v.calls.map((c) => c.callerFrameMs).filter((x): x is number => x !== null),
        );
        const pairs = [...new Set(v.calls.map((c) => c.pair))].join(', ');
        const missed = v.calls.filter((c) => c.frameMs === null).length;
        return `| ${v.name} | ${v.description} | ${v.calls.length} | ${missed} | ${fmt(stat(v, 'pcMs').p50)} | ${fmt(stat(v, 'offerMs').p50)} | ${fmt(ice.p50)} / ${fmt(ice.p90)} / ${fmt(ice.max)} | ${fmt(frame.p50)} / ${fmt(frame.p90)} / ${fmt(frame.max)} | ${fmt(callerFrame.p50)} | ${fmt(longestTaskBeforeFrame(v))} | ${pairs} |`;
      }),
    ].join('\n');
    const stages: [string, Stage][] = [
      ['callee answer set', 'answerMs'],
      ['callee sent accept', 'acceptSentMs'],
      ['caller got accepted', 'callerAcceptedMs'],
      ['caller got answer', 'callerAnswerInMs'],
      ['caller applies it', 'callerRemoteCalledMs'],
      ['caller applied it', 'callerAnswerMs'],
      ['callee ICE connected', 'iceMs'],
      ['caller ICE connected', 'callerIceMs'],
      ['callee connected (DTLS)', 'connectedMs'],
      ['caller connected (DTLS)', 'callerConnectedMs'],
      ['caller first frame encoded', 'callerEncodedMs'],
      ['callee first video packet', 'packetMs'],
      ['callee first frame', 'frameMs'],
      ['caller first frame', 'callerFrameMs'],
    ];
    const timeline = [
      `**Where the time goes** — p50 ms after the accept of each step, per variant (the callee's answer; the stack's \`call:accept\` leaving the callee's page, \`call:accepted\` and the answer reaching the caller's, and the caller calling \`setRemoteDescription\` with it — "—" for the baseline, whose signaling is the bench process; the caller having applied it; each side's \`iceConnectionState\` and \`connectionState\` reaching connected, the caller's first encoded video frame and its first packet at the callee, each side's first decoded frame):`,
      '',
      `| Variant | ${stages.map(([label]) => label).join(' | ')} |`,
      `| --- | ${stages.map(() => '---:').join(' | ')} |`,
      ...variants.map(
        (v) => `| ${v.name} | ${stages.map(([, key]) => fmt(stat(v, key).p50)).join(' | ')} |`,
      ),
    ].join('\n');
    const names = ['stack', 'baseline', 'baseline-fetch', 'baseline-pool'];
    const chart = barChartSvg({
      title: 'Accept → first decoded remote frame (p50, callee)',
      yLabel: 'ms',
      categories: names,
      series: (['direct', 'relay'] as const).map((mode) => ({
        name: mode === 'direct' ? 'direct' : 'relay-only',
        values: names.map(
          (n) =>
            stat(
              find(
                n === 'stack' ? `stack-${mode}` : `${n.replace('baseline', `baseline-${mode}`)}`,
              ),
              'frameMs',
            ).p50,
        ),
      })),
    });
    return {
      method: `Two Chromiums (Debian's, headless, fake camera and microphone) in the end-to-end suite's browser containers on one Docker network with the composed stack (\`docker-compose.yml\` + \`infra/compose.e2e.yml\`, started by the e2e harness [e2e-support/src/stack.ts](../e2e-support/src/stack.ts)). **Stack**: two people signed up through the UI; the caller presses "Call …", the callee "Accept" (driven by accessible names, [e2e-support/src/person.ts](../e2e-support/src/person.ts)); ${calls} calls per mode, hung up between calls. **Baseline**: the same two browsers, each a page on the same origin running only the bench's WebRTC code ([bench/src/browser/in-page.ts](../bench/src/browser/in-page.ts)); offer, answer and trickled candidates are relayed by the bench process through DevTools (no gateway, no socket.io), ICE servers are the same coturn with gateway-issued credentials. The baseline's caller camera is open before accept and its callee opens its own after; the stack pre-negotiates while it rings (notes). Timing, all inside the pages (the containers share the host's clock): the click on "Accept" seen by a capture-phase listener in the callee's page (baseline: the moment the callee page starts its media request), then when \`iceConnectionState\` becomes connected and when \`getStats()\` first shows a decoded inbound video frame (polled every 5 ms once connected). Relay-only is the app's "Relay only" switch (\`iceTransportPolicy: 'relay'\`). Variants show what credential prefetch and candidate pooling change: *baseline-fetch* fetches TURN credentials from the gateway after accept (as the app does today), *baseline-pool* adds \`iceCandidatePoolSize: 1\` on a connection created before accept. Diagnostics, never used for these figures (run through \`BENCH_CALLS=8 node tools/jest.mjs -c bench/jest.call-setup.config.cjs --runInBand -t 'direct: (baseline|stack through the UI)$'\`): \`BENCH_TRACE_PEERS=1\` prints each call's timeline of both pages — descriptions, candidates, ICE and connection states, first candidate, first encoded and decoded frame, camera settings ([bench/src/browser/peer-trace.ts](../bench/src/browser/peer-trace.ts)); \`BENCH_PROFILE_DIR=/abs/dir\` writes the callee page's CPU profile per call; \`BROWSER_EXTRA_FLAGS="--enable-logging=stderr --vmodule=dtls_transport=1,p2p_transport_channel=1,video_stream_encoder=1" BENCH_BROWSER_LOGS=/abs/dir\` keeps Chromium's own log.`,
      rows,
      details: [table, timeline, ringingTable(ringing)],
      charts: [{ file: 'call-setup.svg', title: 'Accept → first frame by variant', svg: chart }],
      notes: [
        ...failures.map((f) => `Not measured — ${f}`),
        ...(['direct', 'relay'] as const).flatMap((mode) => [
          limitNote(mode, find(`stack-${mode}`), find(`baseline-${mode}`)),
          stageNote(mode, find(`stack-${mode}`), find(`baseline-${mode}`)),
        ]),
        `**Tried** (call set-up, sessions 4–6): ${TRIED.join(' ')}`,
        'Pre-negotiation (issue 13): the app creates both connections while it rings — the caller with the invite (its offer and candidates relayed to the ringing callee), the callee with its camera preview, the offer applied and answered locally (gathering starts there) (the caller\'s candidates held back from ICE, so no check leaves) — and sends nothing of the callee before Accept. So the stack\'s "callee connection created", "offer applied" and "answer set" are before the accept (negative); after it only sending that answer (inside \`call:accept\`, handed to the caller inside \`call:accepted\`), the connectivity checks, DTLS and the first encoded frame remain. The baseline still negotiates after accept, as it did; the *-fetch* and *-pool* rows show what credential fetching and pre-gathering alone change.',
        "At the click (issue 13): the stack's call view renders only its header, videos and controls when the call is answered; chat, devices and the connection panel follow after the first remote picture and idle ([web/src/app/call/first-picture.ts](../web/src/app/call/first-picture.ts)); `call:accept` leaves before that render and the ring's audio context is closed a second later. The probe reads only the video receiver's stats (`RTCRtpReceiver.getStats()`), for stack and baseline alike: the whole connection's report every 5 ms cost the page up to ~30 ms per poll. \"No frame in 30 s\" counts calls the p50s leave out.",
        ringingNote(ringing),
      ],
    };
  },
};
