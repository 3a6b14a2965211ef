import { passed, type MeasuredStep, type Ramp } from './ramp.ts';
import { measuredStep } from './measured-step.fixture.ts';
import { signalingVerdict, triedNote } from './verdict.ts';

/** The core the server shares is a little busier than the server itself. */
const step = (rate: number, over: Partial<MeasuredStep> = {}): MeasuredStep =>
  measuredStep(rate, { serverCoreBusy: 0.4, ...over });

const slow = { latency: { count: 900, p50: 50, p90: 90, p99: 150, max: 300 } };

function rampOf(server: string, steps: MeasuredStep[], comparison: MeasuredStep): Ramp {
  return {
    server,
    steps,
    sustained: Math.max(0, ...steps.filter(passed).map((s) => s.rate)),
    comparison,
    generators: 1,
    profile: null,
    profileSummary: {
      busy: 0.8,
      top: [],
      byArea: [
        { area: 'node core / native', share: 0.43 },
        { area: 'socket.io-parser', share: 0.09 },
      ],
    },
    profileRate: steps.at(-1)!.rate,
    incidents: [],
  };
}

/** A relay that fails at 1500/s with its generator's core full, 60 µs per message. */
const relay = rampOf(
  'baseline relay',
  [step(1000), step(1250), step(1500, { ...slow, generatorCpu: 0.96, serverCpu: 0.9 })],
  step(625, {
    serverMicrosPerMessage: 60,
    latency: { count: 1, p50: 0.3, p90: 1, p99: 10, max: 20 },
  }),
);

describe('signalingVerdict', () => {
  it('calls a missed rate missed, with the CPU cost that caps it and the generator-bound relay', () => {
    const gw = rampOf(
      'gateway',
      [step(500), step(650), step(800, { ...slow, serverCpu: 0.75, redisCpu: 0.1 })],
      step(625, {
        serverCpu: 0.6,
        redisCpu: 0.08,
        serverCoreBusy: 0.9,
        serverMicrosPerMessage: 75,
        redisMicrosPerMessage: 10,
        latency: { count: 1, p50: 20, p90: 60, p99: 120, max: 200 },
      }),
    );
    const [rate, p99] = signalingVerdict(gw, relay);
    expect(rate).toContain('650 against 1250 calls/s = 0.52×, **missed**');
    expect(rate).toContain(
      "85.0 µs per message (gateway 75.0 + Redis 10.0) against the relay's 60.0",
    );
    // 1e6 / (85 × 15) = 784; 1e6 / (60 × 15) = 1111; 784 / 1111 = 0.71
    expect(rate).toContain('would carry 784 against 1111 calls/s (0.71×)');
    expect(rate).toContain('the CPU cost alone would allow 0.70×');
    expect(rate).toContain('gateway first failed at 800 calls/s');
    expect(rate).toContain('limited by the load generator (96 % of its core)');
    expect(rate).toContain('the true ratio is lower than the one shown');
    expect(p99).toContain('120.0 against 10.0 ms = 12.00×, **missed**');
    expect(p99).toContain('node core / native 43 %, socket.io-parser 9 %');
  });

  it('says when the CPU cost alone keeps the gateway below the target', () => {
    const gw = rampOf(
      'gateway',
      [step(500), step(650, slow)],
      step(625, { serverMicrosPerMessage: 100, redisMicrosPerMessage: 10 }),
    );
    expect(signalingVerdict(gw, relay)[0]).toContain('the CPU cost alone keeps it below 0.70×');
  });

  it('calls met targets met', () => {
    const gw = rampOf(
      'gateway',
      [step(1000), step(1250, slow)],
      step(625, { latency: { count: 1, p50: 0.5, p90: 2, p99: 14, max: 30 } }),
    );
    const [rate, p99] = signalingVerdict(gw, relay);
    expect(rate).toContain('1000 against 1250 calls/s = 0.80×, **met**');
    expect(rate).toContain('the CPU cost alone allows 0.70× too');
    expect(p99).toContain('= 1.40×, **met**');
  });
});

describe('signalingVerdict when the rate is met but the cost per message is not', () => {
  it('says the rate ratio owes to where the ramps stopped', () => {
    const gw = rampOf(
      'gateway',
      [step(1000), step(1250, slow)],
      step(625, { serverMicrosPerMessage: 100, redisMicrosPerMessage: 10 }),
    );
    expect(signalingVerdict(gw, relay)[0]).toContain(
      'the rate ratio met here owes to where this ramp and the relay’s stopped',
    );
  });
});

describe('signalingVerdict with a disturbed relay', () => {
  it('flags a relay ramp whose core was busy with other work, and does not for a clean one', () => {
    const gw = rampOf('gateway', [step(500), step(650, slow)], step(200));
    const noisy = rampOf(
      'baseline relay',
      [step(400), step(500, { ...slow, serverCpu: 0.33, serverCoreBusy: 0.84 })],
      step(200, { serverCpu: 0.18, serverCoreBusy: 0.98 }),
    );
    const [rate, p99] = signalingVerdict(gw, noisy);
    expect(p99).toContain("The relay's comparison step was disturbed (core 98 % busy, relay 18 %)");
    expect(rate).toContain(
      "**The relay's ramp was disturbed**: at 500 calls/s its core was 84 % busy while the relay itself used 33 %; at 200 calls/s its core was 98 % busy while the relay itself used 18 %",
    );
    expect(signalingVerdict(gw, relay).join(' ')).not.toContain('disturbed');
  });
});

describe('triedNote', () => {
  it('lists what earlier sessions and this one tried', () => {
    const note = triedNote();
    expect(note).toMatch(/^Tried on the gateway's signaling path/);
    expect(note).toContain('compiled from the protocol contract');
    expect(note).toContain('this session:');
    expect(note).toContain('group commit');
  });
});
