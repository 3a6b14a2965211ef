import { readFileSync } from 'node:fs';

/**
 * UDP datagrams the kernel dropped because a socket's receive buffer was full
 * (`RcvbufErrors` in /proc/net/snmp), for the network namespace of `pid` (the host's when
 * omitted). Read per side, it tells whether loss happened at coturn or at the generator.
 */
export function udpReceiveBufferErrors(pid?: number): number {
  const [header, values] = readFileSync(`/proc/${pid ?? 'self'}/net/snmp`, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  if (!header || !values) throw new Error(`no Udp counters in /proc/${pid ?? 'self'}/net/snmp`);
  const index = header.split(/\s+/).indexOf('RcvbufErrors');
  return Number(values.split(/\s+/)[index]);
}
