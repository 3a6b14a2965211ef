import { formatDuration } from '../shared/format';
import type { CallState } from './call-state';

type Ended = Extract<CallState, { name: 'ended' }>;

/** The plain sentence shown when a call ends. */
export function endSentence(state: Ended): string {
  const name = state.peer.displayName || state.peer.username;
  const caller = state.role === 'caller';
  switch (state.reason) {
    case 'declined':
      return state.byMe ? `You declined the call from ${name}.` : `${name} declined the call.`;
    case 'busy':
      return `${name} is busy on another call. Try again later.`;
    case 'timeout':
      return caller ? `${name} didn't answer.` : `You missed a call from ${name}.`;
    case 'cancelled':
      return state.byMe || caller ? 'You cancelled the call.' : `${name} cancelled the call.`;
    case 'answered_elsewhere':
      return 'The call was answered on another device.';
    case 'disconnected':
      return `The call with ${name} was disconnected: the connection was lost.`;
    case 'hangup':
      return (
        (state.byMe ? `You ended the call with ${name}` : `${name} ended the call`) +
        (state.durationSeconds > 0 ? ` after ${formatDuration(state.durationSeconds)}.` : '.')
      );
    case 'failed':
      return `The call with ${name} could not continue: ${state.detail ?? 'something went wrong.'}`;
  }
}
