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

/**
 * Receive-buffer drops summed per kind of socket in the network namespace of `pid`, from
 * the `drops` column of /proc/<pid>/net/udp: sockets bound to `listenerPort` (coturn's
 * listener and per-client sockets) and all others (its relay sockets).
 */
export function udpDropsBySocket(
  pid: number,
  listenerPort: number,
): { listener: number; relay: number } {
  const sums = { listener: 0, relay: 0 };
  for (const line of readFileSync(`/proc/${pid}/net/udp`, 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 13) continue;
    const port = parseInt(fields[1]!.split(':')[1]!, 16);
    sums[port === listenerPort ? 'listener' : 'relay'] += Number(fields[fields.length - 1]);
  }
  return sums;
}
