import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway CA and one server certificate it signed, as files on disk. */
export interface TestCertificates {
  /** Directory holding `ca.pem`, `fullchain.pem`, `privkey.pem` (mounted as `./certs`). */
  dir: string;
  caFile: string;
}

/**
 * Generates a CA and a server certificate for `names` (DNS names; IP addresses go in as
 * IP SANs). The key is world-readable on purpose: coturn reads it as `nobody`, and the
 * directory exists only for one test run.
 */
export function createTestCertificates(
  names: readonly string[],
  dir = mkdtempSync(join(tmpdir(), 'callgate-e2e-certs-')),
): TestCertificates {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const san = names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');

  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=Callgate e2e test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'ca.pem',
  ]);
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'privkey.pem']);
  run(['req', '-new', '-key', 'privkey.pem', '-subj', `/CN=${names[0]}`, '-out', 'server.csr']);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
    ].join('\n'),
  );
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  ]);
  execFileSync('sh', ['-c', 'cat server.pem ca.pem > fullchain.pem'], { cwd: dir });
  for (const file of ['ca.pem', 'fullchain.pem', 'privkey.pem']) chmodSync(join(dir, file), 0o644);
  return { dir, caFile: join(dir, 'ca.pem') };
}
