/**
 * Whether this browser's network reaches our relay over UDP. A browser allocates one relay
 * per TURN URL on each of its network interfaces and keeps them all for the whole call, and
 * under load it may settle on the TURN/TLS one although UDP works (docs/STACK.md): media
 * over TCP then stalls on every lost packet. So a connection gets the TURN/TCP and TURN/TLS
 * URLs only where UDP is not known to work; where it is, the relay over UDP alone.
 *
 * Found out by asking the relay for an allocation over TURN/UDP in a throwaway connection
 * (closed when its gathering ends: the relay frees what it granted), when credentials
 * arrive and again after the network changed or a call's connection had to be restarted.
 */

/** A relay candidate over UDP takes two round trips; a network that drops UDP never answers. */
export const PROBE_TIMEOUT_MS = 3000;
/** A result this old is checked again with the next credentials. */
export const PROBE_MAX_AGE_MS = 5 * 60_000;

export type CreatePeerConnection = (configuration: RTCConfiguration) => RTCPeerConnection;

/** A `turn:` URL that uses UDP (UDP is the default transport of `turn:`). */
export function isUdpTurnUrl(url: string): boolean {
  if (!url.startsWith('turn:')) return false;
  const transport = /[?&]transport=([a-z]+)/i.exec(url)?.[1]?.toLowerCase();
  return transport === undefined || transport === 'udp';
}

/** `servers` with only their TURN/UDP URLs; entries left without a URL are dropped. */
export function udpOnly(servers: readonly RTCIceServer[]): RTCIceServer[] {
  return servers.flatMap((server) => {
    const urls = (Array.isArray(server.urls) ? server.urls : [server.urls]).filter(isUdpTurnUrl);
    return urls.length > 0 ? [{ ...server, urls }] : [];
  });
}

/**
 * Asks the relay for allocations over TURN/UDP only: true as soon as one is granted. The
 * connection is closed (its allocations released) once gathering is over or the time is
 * up, not at the first grant: closing while other allocations (one per interface) are on
 * their way would leave those on the relay until their lifetime ends, counted against the
 * user's quota.
 */
export async function probeUdpRelay(
  servers: readonly RTCIceServer[],
  createPeerConnection: CreatePeerConnection,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<boolean> {
  const iceServers = udpOnly(servers);
  if (iceServers.length === 0) return false;
  let pc: RTCPeerConnection;
  try {
    pc = createPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
  } catch {
    return false;
  }
  const connection = pc;
  const { promise, resolve } = Promise.withResolvers<boolean>();
  let granted = false;
  const finish = (): void => {
    clearTimeout(timer);
    connection.close();
    resolve(granted);
  };
  const timer = setTimeout(finish, timeoutMs);
  connection.addEventListener('icecandidate', (event: RTCPeerConnectionIceEvent) => {
    // `null` ends gathering: every allocation was answered (or refused, or never will be).
    if (event.candidate === null) finish();
    else if (/ typ relay( |$)/.test(event.candidate.candidate)) {
      granted = true;
      resolve(true);
    }
  });
  try {
    connection.createDataChannel('udp-relay-probe');
    await connection.setLocalDescription(await connection.createOffer());
  } catch {
    finish();
  }
  return promise;
}

/** The last probe's answer for this network, and the probe itself when one is due. */
export class UdpRelayProbe {
  private answer: boolean | null = null;
  private answeredAt = 0;
  private running: Promise<boolean> | null = null;

  constructor(
    private readonly createPeerConnection: CreatePeerConnection,
    private readonly timeoutMs = PROBE_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** true / false as last found on this network; `null` while unknown (or being found). */
  get udpWorks(): boolean | null {
    return this.answer;
  }

  /** Probes with `servers` unless a recent answer stands or a probe is running. */
  refresh(servers: readonly RTCIceServer[]): Promise<boolean> {
    if (this.running) return this.running;
    if (this.answer !== null && this.now() - this.answeredAt < PROBE_MAX_AGE_MS) {
      return Promise.resolve(this.answer);
    }
    const running = probeUdpRelay(servers, this.createPeerConnection, this.timeoutMs).then(
      (works) => {
        if (this.running === running) {
          this.answer = works;
          this.answeredAt = this.now();
          this.running = null;
        }
        return works;
      },
    );
    this.running = running;
    return running;
  }

  /** The network changed, or a connection failed: nothing is known until the next probe. */
  forget(): void {
    this.answer = null;
    this.running = null;
  }

  /** What a new connection gets: TURN/UDP alone where it is known to work, else everything. */
  serversFor(servers: readonly RTCIceServer[]): RTCIceServer[] {
    if (this.answer !== true) return [...servers];
    const udp = udpOnly(servers);
    return udp.length > 0 ? udp : [...servers];
  }
}
