import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';

/**
 * The relay image exactly as docker-compose.yml builds it (turn/Dockerfile), on an internal
 * dual-stack network of its own, checked with its built-in self test: every peer-policy,
 * quota and TLS rule of turn/turnserver.conf.template has a line there that fails when the
 * rule is missing. Traffic stays inside the container and the internal network.
 */
const run = promisify(execFile);
const TURN_DIR = resolve(__dirname, '../../turn');
const IMAGE = 'callgate-turn:integration';
const SECRET = 'integration-turn-hardening-secret-0123456789';

let network: string;
let certs: string;
let coturn: StartedTestContainer;

async function docker(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('docker', args, { maxBuffer: 8 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code ?? 1 };
  }
}

/** The test certificate and key, where the turn image's entrypoint reads them. */
async function certificateFiles(): Promise<{ content: Buffer; target: string; mode: number }[]> {
  return Promise.all(
    (['fullchain.pem', 'privkey.pem'] as const).map(async (file) => ({
      content: await readFile(join(certs, file)),
      target: `/etc/callgate/certs/${file}`,
      mode: 0o444,
    })),
  );
}

beforeAll(async () => {
  certs = await mkdtemp(join(tmpdir(), 'callgate-turn-certs-'));
  await run('chmod', ['0755', certs]);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(certs, 'privkey.pem'),
    '-out',
    join(certs, 'fullchain.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=turn',
    '-addext',
    'subjectAltName=DNS:turn',
  ]);
  // Readable by coturn's unprivileged user in the container.
  await run('chmod', ['0644', join(certs, 'privkey.pem'), join(certs, 'fullchain.pem')]);
  // A random ULA prefix, so parallel runs do not collide; internal: no route off the machine.
  const prefix = `fd${Math.floor(Math.random() * 0xff)
    .toString(16)
    .padStart(2, '0')}:${Math.floor(Math.random() * 0xffff).toString(16)}:14`;
  network = `callgate-turn-hardening-${process.pid}`;
  const created = await docker(
    'network',
    'create',
    '--internal',
    '--ipv6',
    '--subnet',
    `${prefix}::/64`,
    network,
  );
  if (created.code !== 0) throw new Error(`docker network create failed: ${created.stderr}`);
  await GenericContainer.fromDockerfile(TURN_DIR).build(IMAGE, { deleteOnExit: false });
  coturn = await new GenericContainer(IMAGE)
    .withNetworkMode(network)
    .withEnvironment({ TURN_SECRETS: SECRET, ALLOWED_PEER_IPS: 'self', TURN_USER_QUOTA: '6' })
    .withCopyContentToContainer(await certificateFiles())
    .withWaitStrategy(Wait.forHealthCheck())
    .start();
}, 240_000);

afterAll(async () => {
  await coturn?.stop();
  if (network) await docker('network', 'rm', network);
  if (certs) await rm(certs, { recursive: true, force: true });
});

describe('callgate coturn image: peer policy, quota and TLS', () => {
  let output = '';

  beforeAll(async () => {
    const result = await coturn.exec(['callgate-turn-selftest']);
    output = result.output;
    if (result.exitCode !== 0) console.log(output);
  }, 180_000);

  it('passes its self test with no failure and no skipped IPv6 check', () => {
    expect(output).toMatch(/callgate-turn-selftest: 0 failed/);
    expect(output).not.toMatch(/SKIP {2}IPv6/);
  });

  it.each([
    // documentation, 6to4 relay anycast, benchmarking (IPv4)
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '192.88.99.1',
    '198.18.0.1',
    // 6to4, Teredo / IETF assignments, benchmarking, documentation, site-local (IPv6)
    '2002:a00:1::1',
    '2001::1',
    '2001:2::1',
    '2001:db8::1',
    '3fff::1',
    'fec0::1',
    // older rules still hold
    '10.255.255.254',
    '169.254.169.254',
    'fd00::1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
  ])('refuses to relay to %s (403)', (peer) => {
    expect(output).toContain(`PASS  relaying to ${peer} is refused (403)`);
  });

  it('counts the quota per user id, across credentials, and leaves other users alone', () => {
    expect(output).toContain(
      'PASS  a user holding user-quota=6 allocations gets 486 with another credential too',
    );
    expect(output).toContain('PASS  meanwhile another user still allocates');
  });

  it('speaks TLS with AEAD suites only (no CBC-SHA1, no CBC-SHA256)', () => {
    expect(output).toContain('PASS  TLS 1.2 with an AEAD suite on 5349');
    expect(output).toContain('PASS  CBC suites (SHA-1, SHA-256) are refused on 5349');
  });

  it('logs why it refused: quota and denied peer, with the user', async () => {
    const logs = await docker('logs', coturn.getId());
    const text = logs.stdout + logs.stderr;
    expect(text).toMatch(
      /user <\d+:selftest-quota-[^>]+>: incoming packet ALLOCATE processed, error 486: Allocation Quota Reached/,
    );
    expect(text).toMatch(
      /user <\d+:selftest-peer[^>]+>: incoming packet (CREATE_PERMISSION|CHANNEL_BIND) processed, error 403: Forbidden IP/,
    );
  });

  it('refuses to start with a total-quota larger than its relay range', async () => {
    const result = await docker(
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${certs}:/etc/callgate/certs:ro`,
      '-e',
      `TURN_SECRETS=${SECRET}`,
      '-e',
      'TURN_MIN_PORT=50000',
      '-e',
      'TURN_MAX_PORT=50099',
      '-e',
      'TURN_TOTAL_QUOTA=101',
      IMAGE,
    );
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/TURN_TOTAL_QUOTA must be a whole number from 1 to 100/);
  });

  it('refuses allocations beyond bps-capacity with a logged cause (486 Allocation Bandwidth Quota Reached)', async () => {
    // 10 kB/s per allocation against 20 kB/s in total: the third allocation is refused.
    const limited = await new GenericContainer(IMAGE)
      .withNetworkMode(network)
      .withEnvironment({
        TURN_SECRETS: SECRET,
        ALLOWED_PEER_IPS: 'self',
        TURN_MAX_BPS: '10000',
        TURN_BPS_CAPACITY: '20000',
      })
      .withCopyContentToContainer(await certificateFiles())
      .withWaitStrategy(Wait.forHealthCheck())
      .start();
    try {
      const script = [
        `u="$(($(date +%s)+600)):bandwidth-user"`,
        `p=$(printf %s "$u" | openssl dgst -sha1 -hmac '${SECRET}' -binary | base64)`,
        `timeout 30 turnutils_uclient -y -n 5 -m 2 -u "$u" -w "$p" $(hostname -I | cut -d' ' -f1) 2>&1 || true`,
      ].join('\n');
      const result = await limited.exec(['bash', '-c', script]);
      expect(result.output).toMatch(/error 486 \(Allocation Bandwidth Quota Reached\)/);
      const logs = await docker('logs', limited.getId());
      expect(logs.stdout + logs.stderr).toMatch(
        /user <\d+:bandwidth-user>: incoming packet ALLOCATE processed, error 486: Allocation Bandwidth Quota Reached/,
      );
    } finally {
      await limited.stop();
    }
  }, 120_000);
});
