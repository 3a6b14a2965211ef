import type { MeasuredCall, Variant } from './call-timing.ts';
import { limitNote, span, stat } from './notes.ts';

/** A call with only the stages the notes read; everything else unmeasured. */
function call(stages: Partial<MeasuredCall>): MeasuredCall {
  return {
    pcMs: null,
    offerMs: null,
    iceMs: null,
    frameMs: null,
    callerIceMs: null,
    callerFrameMs: null,
    answerMs: null,
    callerAnswerMs: null,
    connectedMs: null,
    callerConnectedMs: null,
    firstFrameWidth: null,
    pair: 'host/host',
    ...stages,
  };
}

function variant(kind: 'stack' | 'baseline', calls: MeasuredCall[]): Variant {
  return { name: `${kind}-direct`, mode: 'direct', kind, description: '', calls };
}

describe('call set-up notes', () => {
  it('takes spans per call, so one slow stage does not shift the next', () => {
    const v = variant('stack', [
      call({ callerConnectedMs: 100, frameMs: 200 }),
      call({ callerConnectedMs: 300, frameMs: 350 }),
      call({ callerConnectedMs: 50, frameMs: 130 }),
    ]);
    // Per call: 100, 50, 80 → p50 80; the difference of the p50s would be 200 − 100 = 100.
    expect(span(v, 'callerConnectedMs', 'frameMs')).toBe(80);
    expect(stat(v, 'frameMs').p50 - stat(v, 'callerConnectedMs').p50).toBe(100);
  });

  it('leaves out calls that lack either end of a span', () => {
    const v = variant('stack', [
      call({ callerConnectedMs: 100, frameMs: null }),
      call({ callerConnectedMs: 100, frameMs: 160 }),
    ]);
    expect(span(v, 'callerConnectedMs', 'frameMs')).toBe(60);
  });

  it('says when DTLS is up, what the media start takes for each side, and what 0.6× needs', () => {
    const stack = variant('stack', [
      call({
        callerIceMs: 60,
        callerConnectedMs: 100,
        callerEncodedMs: 150,
        packetMs: 170,
        frameMs: 220,
      }),
    ]);
    const base = variant('baseline', [
      call({
        callerIceMs: 175,
        callerConnectedMs: 180,
        callerEncodedMs: 240,
        packetMs: 250,
        frameMs: 300,
      }),
    ]);
    const note = limitNote('direct', stack, base);
    expect(note).toContain(
      '100 ms after the click for the stack vs 180 ms for the baseline (0.56×; from its ICE connected 40 ms vs 5 ms',
    );
    expect(note).toContain('takes 120 ms vs 120 ms (1.00×)');
    expect(note).toContain(
      'stack: its first encoded frame +50 ms, the first video packet at the callee +70 ms, the decoded frame +120 ms',
    );
    // 0.6 × 300 = 180: 80 ms left for the media start after DTLS at 100, or DTLS by 60.
    expect(note).toContain('is 180 ms');
    expect(note).toContain('would have to fit in 80 ms');
    expect(note).toContain('DTLS would have to be up 60 ms after the click');
  });

  it('says so when a variant is missing rather than printing figures', () => {
    expect(limitNote('relay', undefined, variant('baseline', []))).toBe(
      'What limits it (relay-only): not known (a variant is missing).',
    );
  });
});
