import type { SignalRelayed } from '@callgate/protocol';
import { EMPTY, Subject, catchError, concatMap, from } from 'rxjs';

import { toCallgateError } from '../shared/api-error';
import type { SignalingClient } from '../signaling/signaling-client';
import type { ActiveCall } from './active-call';
import type { NegotiationMessage } from './perfect-negotiation';

/** The call protocol's outgoing messages, and the ordered application of incoming `signal`s. */
export class CallSignals {
  private readonly incoming = new Subject<{ call: ActiveCall; signal: SignalRelayed }>();

  constructor(private readonly signaling: Pick<SignalingClient, 'on' | 'request'>) {}

  /**
   * Applies every `signal` for the current call strictly in order (`concatMap`: each is
   * fully applied before the next starts); `current` says which call that is, if any.
   */
  applyInOrder(current: () => ActiveCall | null): void {
    this.signaling.on('signal').subscribe((s) => {
      const call = current();
      if (call && s.callId === call.callId && call.acceptsSignals) {
        this.incoming.next({ call, signal: s });
      }
    });
    this.incoming
      .pipe(
        concatMap(({ call, signal }) =>
          from(call.handleSignal(negotiationMessageOf(signal))).pipe(
            catchError((error: unknown) => {
              console.warn('[call] could not apply a signal', error);
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe();
  }

  /** Relays one negotiation message to the other member; a refusal is only logged. */
  send(callId: string, message: NegotiationMessage): void {
    this.signaling
      .request('signal', { callId, ...message })
      .catch((error: unknown) =>
        console.warn('[call] a signal was not confirmed:', toCallgateError(error).message),
      );
  }

  /** Fire-and-forget call events whose outcome this side does not wait for. */
  emit(event: 'call:hangup' | 'call:decline', callId: string): void {
    this.signaling
      .request(event, { callId })
      .catch((error: unknown) =>
        console.warn(`[call] ${event} was not confirmed:`, toCallgateError(error).message),
      );
  }
}

function negotiationMessageOf(signal: SignalRelayed): NegotiationMessage {
  const message: NegotiationMessage = {};
  if (signal.description) message.description = signal.description;
  if (signal.candidate !== undefined) message.candidate = signal.candidate;
  return message;
}
