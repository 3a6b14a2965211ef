import { limitedBy, passed, type MeasuredStep, type Ramp } from './ramp.ts';
import { measuredStep } from './measured-step.fixture.ts';

const step = measuredStep;

function rampOf(steps: MeasuredStep[]): Ramp {
  return {
    server: 'gateway',
    steps,
    sustained: Math.max(0, ...steps.filter(passed).map((s) => s.rate)),
    comparison: null,
    generators: 1,
    profile: null,
    profileSummary: null,
    profileRate: 0,
    incidents: [],
  };
}

const slow = { latency: { count: 900, p50: 50, p90: 90, p99: 150, max: 300 } };

describe('passed', () => {
  it('needs p99 under 100 ms, no error, no backlog and every call completed', () => {
    expect(passed(step(100))).toBe(true);
    expect(passed(step(100, slow))).toBe(false);
    expect(passed(step(100, { errors: { 'ack:unavailable': 1 } }))).toBe(false);
    expect(passed(step(100, { backlogged: 1 }))).toBe(false);
    expect(passed(step(100, { completed: 599 }))).toBe(false);
  });
});

describe('limitedBy', () => {
  it('names the generator when its core was full at the first failing step', () => {
    const r = rampOf([step(100), step(200, { ...slow, generatorCpu: 0.95 })]);
    expect(limitedBy(r)).toBe(
      'gateway first failed at 200 calls/s, limited by the load generator (95 % of its core)',
    );
  });

  it('counts Redis as part of the server core', () => {
    const r = rampOf([step(100), step(200, { ...slow, serverCpu: 0.7, redisCpu: 0.25 })]);
    expect(limitedBy(r)).toBe(
      'gateway first failed at 200 calls/s, limited by the server core (70 % server processes + 25 % Redis)',
    );
  });

  it('says when neither core was full', () => {
    const r = rampOf([step(100), step(200, { ...slow, serverCpu: 0.35 })]);
    expect(limitedBy(r)).toMatch(/limited by neither core being full \(server side 35 %/);
  });

  it('names a server core that was full although the server side used less of it', () => {
    const shared = { ...slow, serverCpu: 0.76, redisCpu: 0.06, serverCoreBusy: 0.97 };
    expect(limitedBy(rampOf([step(100), step(200, shared)]))).toBe(
      'gateway first failed at 200 calls/s, limited by the server core, shared: busy 97 %, of which 76 % server processes + 6 % Redis; the rest is kernel network work and other processes on that core',
    );
  });

  it('says when the ramp never failed', () => {
    expect(limitedBy(rampOf([step(100)]))).toBe(
      'gateway passed every step of the ramp (not saturated)',
    );
  });
});
