import type { PeerMediaState } from '@callgate/protocol';

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

/** What the other side's media is doing, as sentences for a polite live region. */
export function remoteMediaSentences(name: string, media: PeerMediaState | null): string[] {
  if (!media) return [];
  const sentences: string[] = [];
  if (media.sharingScreen) sentences.push(`${name} is sharing their screen.`);
  if (media.cameraOff) sentences.push(`${name} turned their camera off.`);
  if (media.micMuted) sentences.push(`${name} muted their microphone.`);
  return sentences;
}

/** Up to two initials, shown in place of a switched-off camera: "Ada Lovelace" → "AL". */
export function initialsOf(name: string): string {
  return name
    .trim()
    .split(/[\s._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? '')
    .join('');
}
