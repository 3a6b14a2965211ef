import { CALL_END_REASONS, type UserSummary } from '@callgate/protocol';

import { endSentence } from './call-sentences';
import { type CallState, type CallStateName, CallStateMachine, type EndReason } from './call-state';

const bob: UserSummary = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

function stateNamed(
  name: CallStateName,
  overrides: Partial<Record<string, unknown>> = {},
): CallState {
  const base = { callId: 'c1', peer: bob, role: 'caller' as const, connectedAt: 1000 };
  switch (name) {
    case 'idle':
      return { name };
    case 'outgoing':
      return { name, callId: 'c1', peer: bob, ...overrides };
    case 'incoming':
      return { name, callId: 'c1', peer: bob, ...overrides };
    case 'connecting':
      return { name, callId: 'c1', peer: bob, role: 'caller', ...overrides };
    case 'connected':
    case 'reconnecting':
      return { name, ...base, ...overrides };
    case 'ended':
      return {
        name,
        callId: 'c1',
        peer: bob,
        role: 'caller',
        reason: 'hangup',
        byMe: true,
        durationSeconds: 0,
        ...overrides,
      };
  }
}

/** Drives a fresh machine into `name` along allowed transitions. */
function machineIn(name: CallStateName): CallStateMachine {
  const paths: Record<CallStateName, CallStateName[]> = {
    idle: [],
    outgoing: ['outgoing'],
    incoming: ['incoming'],
    connecting: ['outgoing', 'connecting'],
    connected: ['outgoing', 'connecting', 'connected'],
    reconnecting: ['outgoing', 'connecting', 'connected', 'reconnecting'],
    ended: ['outgoing', 'ended'],
  };
  const machine = new CallStateMachine(() => undefined);
  for (const step of paths[name]) expect(machine.setState(stateNamed(step))).toBe(true);
  expect(machine.state.name).toBe(name);
  return machine;
}

/**
 * The lifecycle the client promises, written out here rather than read from
 * CALL_TRANSITIONS, so a changed table fails this spec until the change is meant.
 */
const ALLOWED = new Set([
  'idle → outgoing',
  'idle → incoming',
  'idle → connecting', // rejoining a call after a reload
  'outgoing → outgoing', // the call id arrives with the invite's ack
  'outgoing → connecting',
  'outgoing → ended',
  'incoming → connecting',
  'incoming → ended',
  'connecting → connected',
  'connecting → ended',
  'connected → reconnecting',
  'connected → ended',
  'reconnecting → connected',
  'reconnecting → ended',
  'ended → idle',
  'ended → outgoing',
  'ended → incoming',
  'ended → connecting', // rejoining a call after a reload
]);

const ALL: CallStateName[] = [
  'idle',
  'outgoing',
  'incoming',
  'connecting',
  'connected',
  'reconnecting',
  'ended',
];

describe('CallStateMachine', () => {
  it('starts idle and is not busy', () => {
    const machine = new CallStateMachine(() => undefined);
    expect(machine.state).toEqual({ name: 'idle' });
    expect(machine.busy).toBe(false);
  });

  describe.each(ALL)('from %s', (from) => {
    it.each(ALL)(`to %s follows the transition table`, (to) => {
      const machine = machineIn(from);
      const emitted: CallState[] = [];
      const sub = machine.state$.subscribe((s) => emitted.push(s));
      // A different call id makes self-transitions a real change.
      const next = stateNamed(to, to === from ? { callId: 'c2' } : {});
      const allowed = ALLOWED.has(`${from} → ${to}`);
      expect(machine.setState(next)).toBe(allowed);
      expect(machine.state.name).toBe(allowed ? to : from);
      expect(emitted).toHaveLength(allowed ? 2 : 1); // BehaviorSubject replays the current state
      sub.unsubscribe();
    });
  });

  it('refuses what would break a call: a second call while one rings or runs, skipping set-up', () => {
    for (const [from, to] of [
      ['incoming', 'outgoing'],
      ['connecting', 'outgoing'],
      ['connected', 'incoming'],
      ['idle', 'connected'],
      ['incoming', 'connected'],
      ['connected', 'connecting'],
      ['ended', 'connected'],
    ] as const) {
      const machine = machineIn(from);
      expect(machine.setState(stateNamed(to))).toBe(false);
      expect(machine.state.name).toBe(from);
    }
  });

  it('emits nothing when the same state is set again', () => {
    const log: string[] = [];
    const machine = new CallStateMachine((m) => log.push(m));
    const emitted: CallState[] = [];
    machine.state$.subscribe((s) => emitted.push(s));
    expect(machine.setState(stateNamed('outgoing'))).toBe(true);
    expect(machine.setState(stateNamed('outgoing'))).toBe(false);
    expect(machine.setState({ name: 'outgoing', callId: 'c1', peer: { ...bob } })).toBe(false);
    expect(emitted.map((s) => s.name)).toEqual(['idle', 'outgoing']);
    expect(log).toEqual(['[call] idle → outgoing']);
  });

  it('logs refused transitions without changing state', () => {
    const log: string[] = [];
    const machine = new CallStateMachine((m) => log.push(m));
    expect(machine.setState(stateNamed('connected'))).toBe(false);
    expect(machine.state.name).toBe('idle');
    expect(log).toEqual(['[call] refused transition idle → connected']);
  });

  it('walks a full call: idle → outgoing → connecting → connected → reconnecting → connected → ended → idle', () => {
    const machine = new CallStateMachine(() => undefined);
    const names: string[] = [];
    machine.state$.subscribe((s) => names.push(s.name));
    for (const name of [
      'outgoing',
      'connecting',
      'connected',
      'reconnecting',
      'connected',
      'ended',
      'idle',
    ] as const) {
      expect(machine.setState(stateNamed(name))).toBe(true);
    }
    expect(names).toEqual([
      'idle',
      'outgoing',
      'connecting',
      'connected',
      'reconnecting',
      'connected',
      'ended',
      'idle',
    ]);
  });

  it.each([...CALL_END_REASONS, 'failed'] as EndReason[])(
    'ends with reason %s from every live state',
    (reason) => {
      for (const from of [
        'outgoing',
        'incoming',
        'connecting',
        'connected',
        'reconnecting',
      ] as const) {
        const machine = machineIn(from);
        expect(machine.setState(stateNamed('ended', { reason }))).toBe(true);
        const state = machine.state;
        expect(state.name === 'ended' && state.reason).toBe(reason);
        expect(machine.busy).toBe(false);
      }
    },
  );
});

describe('endSentence', () => {
  const ended = (reason: EndReason, extra: Record<string, unknown> = {}) =>
    stateNamed('ended', { reason, byMe: false, ...extra }) as Extract<CallState, { name: 'ended' }>;

  it.each<[EndReason, Record<string, unknown>, string]>([
    ['declined', {}, 'Bob declined the call.'],
    ['declined', { byMe: true, role: 'callee' }, 'You declined the call from Bob.'],
    ['busy', {}, 'Bob is busy on another call. Try again later.'],
    ['timeout', {}, "Bob didn't answer."],
    ['timeout', { role: 'callee' }, 'You missed a call from Bob.'],
    ['cancelled', { byMe: true }, 'You cancelled the call.'],
    ['cancelled', { role: 'callee' }, 'Bob cancelled the call.'],
    ['answered_elsewhere', { role: 'callee' }, 'The call was answered on another device.'],
    ['disconnected', {}, 'The call with Bob was disconnected: the connection was lost.'],
    ['hangup', { byMe: true, durationSeconds: 65 }, 'You ended the call with Bob after 1:05.'],
    ['hangup', { durationSeconds: 0 }, 'Bob ended the call.'],
    ['failed', { detail: 'no relay.' }, 'The call with Bob could not continue: no relay.'],
  ])('%s %o → %s', (reason, extra, sentence) => {
    expect(endSentence(ended(reason, extra))).toBe(sentence);
  });
});
