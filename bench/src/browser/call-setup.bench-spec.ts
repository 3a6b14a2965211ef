/**
 * Benchmark 1 (call set-up in real Chromium), run by Jest so it can reuse the end-to-end
 * harness as is: the composed stack with its test browsers (e2e-support/src/stack.ts), and
 * people driven through the UI (e2e-support/src/person.ts). Started by
 * bench/src/browser/benchmark.ts, which reads the JSON this writes to BENCH_CALL_SETUP_OUT.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { hangUp, liveCameraTracks, Person, relaySockets } from '@callgate/e2e-support';
import {
  type BaselineSide,
  type BenchStack,
  fetchIceServers,
  openBaselineSide,
  startBenchStack,
} from './bench-stack.ts';
import {
  baselineClose,
  baselineOpenMedia,
  baselinePrepare,
  baselineReceive,
  baselineStart,
  probeSetup,
} from './in-page.ts';
import { measured, type MeasuredCall, type RingingCost, type Variant } from './call-timing.ts';
import { readTrace, timeline, tracePeers, tracing } from './peer-trace.ts';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 20);
const VARIANT_CALLS = Math.max(3, Math.ceil(CALLS / 2));
const PROBE_TIMEOUT_MS = 30_000;

const RING_HOLD_MS = 5_000;
const results: Variant[] = [];
const ringing: RingingCost[] = [];

describe('call set-up benchmark', () => {
  let stack: BenchStack;
  let alice: Person;
  let bob: Person;
  let a: BaselineSide;
  let b: BaselineSide;
  const suffix = Date.now().toString(36);

  beforeAll(async () => {
    stack = await startBenchStack();
    a = await openBaselineSide(stack, 'browser-a', `bbase-a-${suffix}`);
    b = await openBaselineSide(stack, 'browser-b', `bbase-b-${suffix}`);
    // The test process is the baseline's signaling channel: a message from one page is
    // applied in the other, in order.
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      await from.page.exposeFunction('__benchSend', (message: string) => {
        to.chain = to.chain.then(() =>
          to.page.evaluate(baselineReceive, { message, configuration: currentConfiguration }),
        );
      });
    }
  }, 900_000);

  afterAll(async () => {
    const out = process.env['BENCH_CALL_SETUP_OUT'] ?? 'call-setup.json';
    writeFileSync(out, JSON.stringify(results, null, 2));
    writeFileSync(`${out}.ringing.json`, JSON.stringify(ringing, null, 2));
    for (const side of [a, b]) await side?.context.close().catch(() => undefined);
    for (const person of [alice, bob]) await person?.leave().catch(() => undefined);
    await stack?.stop();
  }, 120_000);

  let currentConfiguration: RTCConfiguration = {};

  /** BENCH_TRACE_PEERS=1: both pages' traced events of one call, on the test's output. */
  async function printTrace(
    title: string,
    call: MeasuredCall,
    caller: Page,
    callee: Page,
  ): Promise<void> {
    const since = (call.acceptedAt ?? Date.now()) - 15_000;
    const sides = {
      caller: await readTrace(caller, since),
      callee: await readTrace(callee, since),
    };
    const tasks = (call.calleeLongTasks ?? []).map(([at, ms]) => `${at}+${ms}`).join(', ');
    console.log(`${timeline(title, call.acceptedAt ?? 0, sides)}\n  callee long tasks: ${tasks}`);
  }

  /** The two people of the stack calls, signed up through the UI on first use. */
  async function people(): Promise<void> {
    if (alice && bob) return;
    const instrument = tracing ? tracePeers : undefined;
    alice = await Person.open(stack.browsers['browser-a'], `balice-${suffix}`, '', instrument);
    bob = await Person.open(stack.browsers['browser-b'], `bbob-${suffix}`, '', instrument);
    await alice.signUp();
    await bob.signUp();
  }

  async function stackCalls(mode: 'direct' | 'relay'): Promise<void> {
    await people();
    const variant: Variant = {
      name: `stack-${mode}`,
      mode,
      kind: 'stack',
      description: `composed stack, through the UI${mode === 'relay' ? ', "Relay only" on' : ''}`,
      calls: [],
    };
    results.push(variant);
    await alice.setRelayOnly(mode === 'relay');
    await bob.setRelayOnly(mode === 'relay');
    for (let i = 0; i < CALLS; i++) {
      const count = (page: Page) => page.evaluate(() => (window.__e2ePeerConnections ?? []).length);
      const [callerBefore, calleeBefore] = [await count(alice.page), await count(bob.page)];
      await alice.call(bob);
      await bob.hearsRingingFrom(alice);
      const probes = Promise.all([
        bob.page.evaluate(probeSetup, { pcCountBefore: calleeBefore, timeoutMs: PROBE_TIMEOUT_MS }),
        alice.page.evaluate(probeSetup, {
          pcCountBefore: callerBefore,
          timeoutMs: PROBE_TIMEOUT_MS,
        }),
      ]);
      const profiler = process.env['BENCH_PROFILE_DIR']
        ? await bob.page.context().newCDPSession(bob.page)
        : null;
      await profiler?.send('Profiler.enable');
      await profiler?.send('Profiler.setSamplingInterval', { interval: 200 });
      await profiler?.send('Profiler.start');
      const acceptedAt = await bob.accept();
      const [callee, caller] = await probes;
      if (profiler) {
        const { profile } = await profiler.send('Profiler.stop');
        writeFileSync(
          `${process.env['BENCH_PROFILE_DIR']}/callee-${mode}-${i}.cpuprofile`,
          JSON.stringify(profile),
        );
        await profiler.detach();
      }
      const call = measured(acceptedAt, callee, caller);
      variant.calls.push(call);
      if (tracing) await printTrace(`${variant.name} call ${i + 1}`, call, alice.page, bob.page);
      await hangUp(alice, bob);
    }
    await alice.setRelayOnly(false);
    await bob.setRelayOnly(false);
  }

  /**
   * A container's CPU time so far, µs: cgroup v2 `cpu.stat` (usage_usec), else cgroup v1
   * `cpuacct.usage` (ns); NaN when the container shows neither (then CPU is not reported,
   * the allocations and the camera still are).
   */
  async function cpuMicros(service: string): Promise<number> {
    const { output } = await stack.environment
      .getContainer(`${service}-1`)
      .exec([
        'sh',
        '-c',
        'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || echo "v1 $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null)"',
      ]);
    const v2 = /usage_usec (\d+)/.exec(output);
    if (v2) return Number(v2[1]);
    const v1 = /^v1 (\d+)/m.exec(output);
    return v1 ? Number(v1[1]) / 1000 : Number.NaN;
  }

  /** Busy CPU of both browser containers over `ms`, in % of one core. */
  async function cpuOver(ms: number): Promise<{ caller: number; callee: number }> {
    const before = [await cpuMicros('browser-a'), await cpuMicros('browser-b')];
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = [await cpuMicros('browser-a'), await cpuMicros('browser-b')];
    const elapsedUs = (Date.now() - started) * 1000;
    return {
      caller: ((after[0]! - before[0]!) / elapsedUs) * 100,
      callee: ((after[1]! - before[1]!) / elapsedUs) * 100,
    };
  }

  /** Holds rings unanswered: allocations, camera and CPU they cost, then Decline. */
  async function ringingCosts(mode: 'direct' | 'relay', rings: number): Promise<void> {
    await people();
    await alice.setRelayOnly(mode === 'relay');
    await bob.setRelayOnly(mode === 'relay');
    const turn = stack.environment.getContainer('turn-1');
    for (let i = 0; i < rings; i++) {
      const idle = await cpuOver(RING_HOLD_MS);
      const before = await relaySockets(turn);
      await alice.call(bob);
      await bob.hearsRingingFrom(alice);
      // Let the pre-negotiation finish (offer applied, pools gathered), then measure.
      await bob.page.waitForFunction(() =>
        (window.__e2ePeerConnections ?? []).some(
          (pc) => pc.connectionState !== 'closed' && pc.remoteDescription?.type === 'offer',
        ),
      );
      await bob.page.waitForTimeout(1_000);
      const held = (await relaySockets(turn)) - before;
      const camera = await liveCameraTracks(bob.page);
      const busy = await cpuOver(RING_HOLD_MS);
      await bob.decline();
      await alice.reads(`${bob.username} declined the call.`);
      await alice.page.waitForTimeout(2_000);
      ringing.push({
        mode,
        allocationsHeld: held,
        calleeCameraTracks: camera,
        callerCpuRinging: busy.caller,
        callerCpuIdle: idle.caller,
        calleeCpuRinging: busy.callee,
        calleeCpuIdle: idle.callee,
        allocationsLeftAfterDecline: (await relaySockets(turn)) - before,
      });
      await alice.dismissOutcome();
      await bob.dismissOutcome();
    }
    await alice.setRelayOnly(false);
    await bob.setRelayOnly(false);
  }

  async function baselineCalls(
    mode: 'direct' | 'relay',
    flavour: 'plain' | 'fetch' | 'pool',
    calls: number,
  ): Promise<void> {
    const variant: Variant = {
      name: `baseline-${mode}${flavour === 'plain' ? '' : `-${flavour}`}`,
      mode,
      kind: 'baseline',
      description: {
        plain:
          'same browsers, SDP/candidates relayed by the test process, credentials fetched before accept',
        fetch:
          'as baseline, but TURN credentials fetched from the gateway after accept (what the app does)',
        pool: 'as baseline, plus iceCandidatePoolSize 1 on a connection created before accept',
      }[flavour],
      calls: [],
    };
    results.push(variant);
    const policy: RTCIceTransportPolicy = mode === 'relay' ? 'relay' : 'all';
    for (let i = 0; i < calls; i++) {
      await Promise.all([a.page.evaluate(baselineClose), b.page.evaluate(baselineClose)]);
      // The caller's camera is already open when the callee accepts (the app opens it at
      // the invite); the callee opens its own after accepting.
      await a.page.evaluate(baselineOpenMedia, false);
      const prefetched = flavour === 'fetch' ? null : await fetchIceServers(a);
      if (prefetched) {
        currentConfiguration = {
          iceServers: prefetched,
          iceTransportPolicy: policy,
          bundlePolicy: 'max-bundle',
        };
      }
      if (flavour === 'pool') {
        const pooled = { ...currentConfiguration, iceCandidatePoolSize: 1 };
        await Promise.all([
          a.page.evaluate(baselinePrepare, pooled),
          b.page.evaluate(baselinePrepare, pooled),
        ]);
        await a.page.waitForTimeout(1_000);
      }
      // Timed at the callee, like the stack calls' headline figures.
      const probes = Promise.all([
        b.page.evaluate(probeSetup, { pcCountBefore: 0, timeoutMs: PROBE_TIMEOUT_MS }),
        a.page.evaluate(probeSetup, { pcCountBefore: 0, timeoutMs: PROBE_TIMEOUT_MS }),
      ]);
      const t0 = Date.now();
      const calleeReady = (async () => {
        if (flavour === 'fetch') {
          const servers = await fetchIceServers(b);
          currentConfiguration = {
            iceServers: servers,
            iceTransportPolicy: policy,
            bundlePolicy: 'max-bundle',
          };
        }
        await b.page.evaluate(baselineOpenMedia, true);
      })();
      b.chain = calleeReady;
      a.chain = Promise.resolve();
      // "accepted" reaches the caller, which then fetches (variant) and offers.
      if (flavour === 'fetch') {
        const servers = await fetchIceServers(a);
        currentConfiguration = {
          iceServers: servers,
          iceTransportPolicy: policy,
          bundlePolicy: 'max-bundle',
        };
      }
      await a.page.evaluate(baselineStart, { configuration: currentConfiguration, offer: true });
      const [callee, caller] = await probes;
      const call = measured(t0, callee, caller);
      variant.calls.push(call);
      await Promise.all([a.chain, b.chain]).catch(() => undefined);
      if (tracing) await printTrace(`${variant.name} call ${i + 1}`, call, a.page, b.page);
    }
    await Promise.all([a.page.evaluate(baselineClose), b.page.evaluate(baselineClose)]);
  }

  // Interleaved per mode so that load on the machine affects stack and baseline alike.
  for (const mode of ['direct', 'relay'] as const) {
    it(`${mode}: baseline`, () => baselineCalls(mode, 'plain', CALLS), 900_000);
    it(`${mode}: stack through the UI`, () => stackCalls(mode), 900_000);
    it(`${mode}: what a held ring costs`, () => ringingCosts(mode, 3), 900_000);
    it(
      `${mode}: baseline with credentials fetched after accept`,
      () => baselineCalls(mode, 'fetch', VARIANT_CALLS),
      900_000,
    );
    it(
      `${mode}: baseline with a candidate pool`,
      () => baselineCalls(mode, 'pool', VARIANT_CALLS),
      900_000,
    );
  }
});
