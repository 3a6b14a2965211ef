import type { WritableSignal } from '@angular/core';
import { type Subscription, filter } from 'rxjs';

import type { PeerChannel } from './peer-channel';
import { PeerSession, type PeerSessionOptions } from './peer-session';
import { STATS_HISTORY, type StatsSample } from './stats';
import { sampleStats } from './stats-sampler';

/**
 * The in-call data channel: pre-negotiated (same id on both sides), so neither side has to
 * wait for the other to create it and a fresh connection after a rejoin gets it again.
 */
export const DATA_CHANNEL_LABEL = 'callgate';
export const DATA_CHANNEL_ID = 0;

/** Where a {@link CallConnection} puts what it sees: the call's, kept across connections. */
export interface CallConnectionOutputs {
  channel: Pick<PeerChannel, 'attach' | 'close'>;
  remoteStream: WritableSignal<MediaStream | null>;
  stats: WritableSignal<StatsSample | null>;
  statsHistory: WritableSignal<readonly StatsSample[]>;
  onConnectionState: (state: RTCPeerConnectionState) => void;
}

/**
 * One peer connection of a call and what hangs on it: the pre-negotiated data channel,
 * the remote stream and stats sampling. A call has one at a time; a rejoin closes it and
 * creates another, while chat, stats history and local media stay with the call (the
 * outputs). {@link close} stops everything it started, so nothing of an old connection
 * writes into the call after it.
 */
export class CallConnection {
  readonly session: PeerSession;
  private readonly dataChannel: RTCDataChannel;
  private readonly subscriptions: Subscription[];

  constructor(
    options: PeerSessionOptions,
    private readonly outputs: CallConnectionOutputs,
  ) {
    const session = new PeerSession(options);
    this.session = session;
    try {
      this.dataChannel = session.pc.createDataChannel(DATA_CHANNEL_LABEL, {
        negotiated: true,
        id: DATA_CHANNEL_ID,
      });
    } catch (error) {
      // Nobody holds this connection yet to close it later: close it now (its TURN
      // allocations are freed) and let connect() report the failure.
      session.close();
      throw error;
    }
    outputs.channel.attach(this.dataChannel);
    // A new stream object each time: a signal set to the same object notifies nobody.
    const showRemote = () =>
      outputs.remoteStream.set(new MediaStream(session.remoteStream.getTracks()));
    showRemote();
    this.subscriptions = [
      session.remoteTracks$.subscribe(showRemote),
      session.connectionState$.subscribe((s) => outputs.onConnectionState(s)),
      // An extra sample the moment media can flow: the badge names the path at once.
      sampleStats(
        () => session.getStats(),
        undefined,
        undefined,
        session.connectionState$.pipe(filter((s) => s === 'connected')),
      ).subscribe((sample) => {
        outputs.stats.set(sample);
        outputs.statsHistory.update((h) => [...h, sample].slice(-STATS_HISTORY));
      }),
    ];
  }

  /** Stops stats and events first, then closes the data channel and the peer connection. */
  close(): void {
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.outputs.channel.close();
    this.dataChannel.close();
    this.session.close();
  }
}
