/** Test doubles for WebRTC objects jsdom does not have. Used by unit tests only. */

/** Enough of RTCPeerConnection for the call layer: JSEP states, events, close. */
export class FakeRtcPeer extends EventTarget {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: { type: RTCSdpType; sdp: string } | null = null;
  closed = false;
  readonly candidates: RTCIceCandidateInit[] = [];
  readonly channels: FakeDataChannel[] = [];
  readonly addedTracks: MediaStreamTrack[] = [];
  constructor(public configuration: RTCConfiguration) {
    super();
  }
  createDataChannel(label: string, init: RTCDataChannelInit = {}): FakeDataChannel {
    const channel = new FakeDataChannel(label, init);
    this.channels.push(channel);
    return channel;
  }
  readonly senders: FakeSender[] = [];
  addTrack(track: MediaStreamTrack): RTCRtpSender {
    this.addedTracks.push(track);
    const sender = new FakeSender(track);
    this.senders.push(sender);
    return sender as unknown as RTCRtpSender;
  }
  addTransceiver(_kind: string, _init?: RTCRtpTransceiverInit): void {}
  getSenders(): RTCRtpSender[] {
    return this.senders as unknown as RTCRtpSender[];
  }
  getTransceivers(): RTCRtpTransceiver[] {
    return [];
  }
  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }
  readonly calls: string[] = [];
  setConfiguration(configuration: RTCConfiguration): void {
    this.calls.push('setConfiguration');
    this.configuration = configuration;
  }
  restartIce(): void {
    this.calls.push('restartIce');
  }
  getStats(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map<string, unknown>());
  }
  setLocalDescription(): Promise<void> {
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: 'answer' };
      this.signalingState = 'stable';
    } else {
      this.localDescription = { type: 'offer', sdp: 'offer' };
      this.signalingState = 'have-local-offer';
    }
    return Promise.resolve();
  }
  setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    this.remoteDescription = { type: d.type, sdp: d.sdp ?? '' };
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    return Promise.resolve();
  }
  addIceCandidate(c: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) return Promise.reject(new Error('no remote description'));
    this.candidates.push(c);
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
  become(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }
}

/** A sender whose encoding parameters are kept, and every `setParameters` recorded. */
export class FakeSender {
  readonly applied: RTCRtpEncodingParameters[][] = [];
  private encodings: RTCRtpEncodingParameters[] = [{ active: true }];
  constructor(readonly track: MediaStreamTrack | null) {}
  getParameters(): RTCRtpSendParameters {
    return {
      encodings: this.encodings.map((e) => ({ ...e })),
      transactionId: 't',
    } as RTCRtpSendParameters;
  }
  setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    this.encodings = parameters.encodings.map((e) => ({ ...e }));
    this.applied.push(this.encodings);
    return Promise.resolve();
  }
}

export class FakeMediaStream {
  private readonly tracks: MediaStreamTrack[];
  constructor(tracks: MediaStreamTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks() {
    return [...this.tracks];
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: MediaStreamTrack) {
    this.tracks.push(t);
  }
}

/** An RTCDataChannel that "opens" when told to and records what was sent. */
export class FakeDataChannel extends EventTarget {
  readyState: RTCDataChannelState = 'connecting';
  readonly sent: string[] = [];
  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit,
  ) {
    super();
  }
  send(data: string): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError: not open');
    this.sent.push(data);
  }
  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }
  receive(data: string): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.dispatchEvent(new Event('close'));
  }
}

/** A camera or microphone track: records `stop()`. */
export class FakeTrack {
  enabled = true;
  readyState: MediaStreamTrackState = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    private readonly settings: MediaTrackSettings = {},
  ) {}
  stop(): void {
    this.readyState = 'ended';
  }
  getSettings(): MediaTrackSettings {
    return this.settings;
  }
}
