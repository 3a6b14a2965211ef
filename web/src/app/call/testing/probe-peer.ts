/** The part of RTCPeerConnection a probe uses; `gather` plays the relay's answer. */
export class ProbePeer extends EventTarget {
  closed = false;
  channels: string[] = [];
  constructor(readonly configuration: RTCConfiguration) {
    super();
  }
  createDataChannel(label: string): void {
    this.channels.push(label);
  }
  createOffer(): Promise<RTCSessionDescriptionInit> {
    return Promise.resolve({ type: 'offer', sdp: 'offer' });
  }
  setLocalDescription(): Promise<void> {
    return Promise.resolve();
  }
  gather(candidate: string | null): void {
    const event = new Event('icecandidate') as Event & { candidate: unknown };
    event.candidate = candidate === null ? null : { candidate };
    this.dispatchEvent(event);
  }
  close(): void {
    this.closed = true;
  }
}

/** What a relay's answer to an allocation looks like in an icecandidate event. */
export const RELAY_CANDIDATE =
  'candidate:1 1 udp 41885439 198.51.100.7 50000 typ relay raddr 0.0.0.0 rport 0';

export function probePeerFactory(peers: ProbePeer[]) {
  return (configuration: RTCConfiguration) => {
    const pc = new ProbePeer(configuration);
    peers.push(pc);
    return pc as unknown as RTCPeerConnection;
  };
}
