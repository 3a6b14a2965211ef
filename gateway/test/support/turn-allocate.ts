import { createHash, createHmac, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal TURN client (RFC 5766 Allocate over TCP with long-term credentials), enough
 * to tell exactly how coturn answers a credential: success, or the STUN error code.
 */
const MAGIC_COOKIE = 0x2112a442;
const ALLOCATE_REQUEST = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  requestedTransport: 0x0019,
  xorRelayedAddress: 0x0016,
} as const;

export type AllocateOutcome =
  { ok: true; relayed: boolean } | { ok: false; code: number; reason: string };

interface StunMessage {
  type: number;
  attributes: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const buffer = Buffer.alloc(20);
  buffer.writeUInt16BE(type, 0);
  buffer.writeUInt16BE(length, 2);
  buffer.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(buffer, 8);
  return buffer;
}

function allocateRequest(auth?: {
  username: string;
  realm: string;
  nonce: Buffer;
  key: Buffer;
}): Buffer {
  const transactionId = randomBytes(12);
  const attributes = [attribute(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]))];
  if (auth !== undefined) {
    attributes.push(
      attribute(ATTR.username, Buffer.from(auth.username, 'utf8')),
      attribute(ATTR.realm, Buffer.from(auth.realm, 'utf8')),
      attribute(ATTR.nonce, auth.nonce),
    );
    const body = Buffer.concat(attributes);
    // MESSAGE-INTEGRITY covers the header with a length that already counts itself (24 bytes).
    const signed = Buffer.concat([header(ALLOCATE_REQUEST, body.length + 24, transactionId), body]);
    const integrity = createHmac('sha1', auth.key).update(signed).digest();
    return Buffer.concat([signed, attribute(ATTR.messageIntegrity, integrity)]);
  }
  const body = Buffer.concat(attributes);
  return Buffer.concat([header(ALLOCATE_REQUEST, body.length, transactionId), body]);
}

function parse(buffer: Buffer): StunMessage {
  const type = buffer.readUInt16BE(0);
  const length = buffer.readUInt16BE(2);
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  while (offset < 20 + length) {
    const attrType = buffer.readUInt16BE(offset);
    const attrLength = buffer.readUInt16BE(offset + 2);
    attributes.set(attrType, buffer.subarray(offset + 4, offset + 4 + attrLength));
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  return { type, attributes };
}

class StunConnection {
  private buffered = Buffer.alloc(0);
  private waiting: ((message: Buffer) => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.drain();
    });
  }

  request(message: Buffer, timeoutMs = 5000): Promise<StunMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TURN server did not answer')), timeoutMs);
      this.waiting = (raw) => {
        clearTimeout(timer);
        resolve(parse(raw));
      };
      this.socket.write(message);
      this.drain();
    });
  }

  private drain(): void {
    if (this.waiting === undefined || this.buffered.length < 20) return;
    const total = 20 + this.buffered.readUInt16BE(2);
    if (this.buffered.length < total) return;
    const message = this.buffered.subarray(0, total);
    this.buffered = this.buffered.subarray(total);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting(message);
  }
}

function errorOf(message: StunMessage): { code: number; reason: string } {
  const value = message.attributes.get(ATTR.errorCode);
  if (value === undefined) return { code: 0, reason: 'no ERROR-CODE attribute' };
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}

/** Tries one TURN allocation at `host:port` (TCP) with the given credential. */
export async function tryAllocate(
  host: string,
  port: number,
  username: string,
  password: string,
): Promise<AllocateOutcome> {
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  try {
    const connection = new StunConnection(socket);
    const challenge = await connection.request(allocateRequest());
    if (challenge.type !== ALLOCATE_ERROR || errorOf(challenge).code !== 401) {
      throw new Error(`expected a 401 challenge, got type 0x${challenge.type.toString(16)}`);
    }
    const realm = challenge.attributes.get(ATTR.realm)!.toString('utf8');
    const nonce = challenge.attributes.get(ATTR.nonce)!;
    const key = createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
    const answer = await connection.request(allocateRequest({ username, realm, nonce, key }));
    if (answer.type === ALLOCATE_SUCCESS)
      return { ok: true, relayed: answer.attributes.has(ATTR.xorRelayedAddress) };
    if (answer.type === ALLOCATE_ERROR) return { ok: false, ...errorOf(answer) };
    throw new Error(`unexpected STUN message type 0x${answer.type.toString(16)}`);
  } finally {
    socket.destroy();
  }
}
