import type { CallEndReason, CallRole, UserSummary } from '@callgate/protocol';
import { BehaviorSubject, type Observable } from 'rxjs';

/** Why a call ended on this side: the gateway's reasons, or a local failure to set it up. */
export type EndReason = CallEndReason | 'failed';

export type CallState =
  | { readonly name: 'idle' }
  | { readonly name: 'outgoing'; readonly callId: string | null; readonly peer: UserSummary }
  | { readonly name: 'incoming'; readonly callId: string; readonly peer: UserSummary }
  | {
      readonly name: 'connecting';
      readonly callId: string;
      readonly peer: UserSummary;
      readonly role: CallRole;
    }
  | {
      readonly name: 'connected' | 'reconnecting';
      readonly callId: string;
      readonly peer: UserSummary;
      readonly role: CallRole;
      /** Epoch ms of the first time media connected; the duration counts from here. */
      readonly connectedAt: number;
    }
  | {
      readonly name: 'ended';
      readonly callId: string | null;
      readonly peer: UserSummary;
      readonly role: CallRole;
      readonly reason: EndReason;
      /** True when this side ended it (hung up, cancelled, declined). */
      readonly byMe: boolean;
      readonly durationSeconds: number;
      /** For `failed`: what went wrong, as a sentence. */
      readonly detail?: string;
    };

export type CallStateName = CallState['name'];

/** Every transition the client allows; anything else is a bug and is refused. */
export const CALL_TRANSITIONS: Readonly<Record<CallStateName, readonly CallStateName[]>> = {
  // `idle → connecting` and `ended → connecting`: rejoining a call after a reload.
  idle: ['outgoing', 'incoming', 'connecting'],
  // `outgoing → outgoing` records the call id once the gateway acknowledged the invite.
  outgoing: ['outgoing', 'connecting', 'ended'],
  incoming: ['connecting', 'ended'],
  connecting: ['connected', 'ended'],
  connected: ['reconnecting', 'ended'],
  reconnecting: ['connected', 'ended'],
  ended: ['idle', 'outgoing', 'incoming', 'connecting'],
};

function sameState(a: CallState, b: CallState): boolean {
  const left = a as unknown as Record<string, unknown>;
  const right = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    const x = left[key];
    const y = right[key];
    if (key === 'peer') {
      if ((x as UserSummary).id !== (y as UserSummary).id) return false;
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

/**
 * The call's lifecycle. All changes go through {@link setState}, which refuses transitions
 * not in {@link CALL_TRANSITIONS}, logs each change, and emits only when something changed.
 */
export class CallStateMachine {
  private readonly subject = new BehaviorSubject<CallState>({ name: 'idle' });
  readonly state$: Observable<CallState> = this.subject.asObservable();

  constructor(private readonly log: (message: string) => void = (m) => console.info(m)) {}

  get state(): CallState {
    return this.subject.value;
  }

  /** Applies `next`; returns whether the state changed. */
  setState(next: CallState): boolean {
    const current = this.subject.value;
    if (sameState(current, next)) return false;
    if (!CALL_TRANSITIONS[current.name].includes(next.name)) {
      this.log(`[call] refused transition ${current.name} → ${next.name}`);
      return false;
    }
    this.log(
      `[call] ${current.name} → ${next.name}` + (next.name === 'ended' ? ` (${next.reason})` : ''),
    );
    this.subject.next(next);
    return true;
  }

  /** Whether a call is in progress (ringing or live). */
  get busy(): boolean {
    const name = this.subject.value.name;
    return name !== 'idle' && name !== 'ended';
  }
}
