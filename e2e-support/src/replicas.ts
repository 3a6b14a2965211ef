import { spawnSync } from 'node:child_process';
import { E2E_PROJECT } from './stack.js';

/** One gateway container of the suite's compose project. */
export interface GatewayReplica {
  /** Full container id; the gateway's replica id starts with its 12-character prefix. */
  id: string;
  name: string;
  running: boolean;
}

function docker(args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`docker ${args.join(' ')} failed: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

function projectContainers(service: string): GatewayReplica[] {
  const out = docker([
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${E2E_PROJECT}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.ID}} {{.Names}} {{.State}}',
  ]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', name = '', state = ''] = line.split(' ');
      return { id, name, running: state === 'running' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function gatewayReplicas(): GatewayReplica[] {
  return projectContainers('gateway');
}

function redisContainer(): string {
  const redis = projectContainers('redis')[0];
  if (redis === undefined) throw new Error('the e2e stack has no redis container');
  return redis.name;
}

/**
 * Runs a Lua script in the stack's Redis (the password from its own secrets volume).
 * Test-only inspection: the proof of which replica holds which socket is what the
 * replicas themselves recorded.
 */
function redisEval(script: string, ...args: string[]): string {
  return docker([
    'exec',
    redisContainer(),
    'sh',
    '-c',
    'REDISCLI_AUTH="$(cat /run/callgate-secrets/redis_password)" exec redis-cli --no-raw "$@"',
    'redis-cli',
    'EVAL',
    script,
    '0',
    ...args,
  ]);
}

/** Presence record of `username`: socket id → replica id, newest first. */
const SOCKETS_OF = `
for _, key in ipairs(redis.call('KEYS', 'cg:summary:*')) do
  local summary = cjson.decode(redis.call('GET', key))
  if summary.username == ARGV[1] then
    local id = string.sub(key, 12)
    local out = {}
    local raw = redis.call('HGETALL', 'cg:sockets:' .. id)
    for i = 1, #raw, 2 do table.insert(out, raw[i] .. '=' .. raw[i + 1]) end
    return out
  end
end
return {}
`;

/**
 * The gateway container holding `username`'s newest socket, as the replicas recorded it
 * in Redis (replica id = container host name + suffix), or undefined when offline.
 */
export function replicaOf(username: string): GatewayReplica | undefined {
  const entries = redisEval(SOCKETS_OF, username)
    .split('\n')
    .map((line) => /"([^"=]+)=([^"|]+)\|(\d+)"/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ replica: match[2] ?? '', at: Number(match[3]) }))
    .sort((a, b) => b.at - a.at);
  const newest = entries[0];
  if (newest === undefined) return undefined;
  return gatewayReplicas().find((gw) => newest.replica.startsWith(gw.id.slice(0, 12)));
}

export function killReplica(replica: GatewayReplica): void {
  docker(['kill', '--signal', 'KILL', replica.name]);
}

/** `docker compose restart redis`, then waits until its health check passes again. */
export async function restartRedis(): Promise<void> {
  const name = redisContainer();
  docker(['restart', name]);
  await waitHealthy(name);
}

/** Starts gateway containers a scenario killed (if Docker has not already) and waits. */
export async function reviveGateways(): Promise<void> {
  for (const replica of gatewayReplicas()) {
    if (!replica.running) docker(['start', replica.name]);
    await waitHealthy(replica.name);
  }
}

async function waitHealthy(container: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const health = docker(['inspect', '--format', '{{.State.Health.Status}}', container]);
    if (health === 'healthy') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${container} did not become healthy within ${timeoutMs} ms`);
}
