/** One entry of RTCConfiguration.iceServers, as the gateway issues it. */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/**
 * `GET /api/turn/credentials` and the `turn:credentials` socket event.
 * coturn's shared-secret (REST API) scheme: `username = "<unix expiry>:<user id>"`,
 * `credential = base64(HMAC-SHA1(secret, username))`.
 */
export interface TurnCredentials {
  iceServers: IceServer[];
  /** Lifetime in seconds. */
  ttl: number;
  /** ISO-8601 instant after which coturn refuses the credential. */
  expiresAt: string;
}
