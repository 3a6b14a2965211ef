/**
 * The call set-up bench's environment: the e2e suite's composed stack with its two test
 * browsers under a project name of its own, and the baseline's pages on the same origin.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import {
  DockerComposeEnvironment,
  Wait,
  type StartedDockerComposeEnvironment,
} from 'testcontainers';
import {
  APP_URL,
  attachBrowser,
  type ContainerBrowser,
  createTestCertificates,
  REPOSITORY_ROOT,
} from '@callgate/e2e-support';
import { tracePeers, tracing } from './peer-trace.ts';

export type BrowserService = 'browser-a' | 'browser-b';

export interface BenchStack {
  environment: StartedDockerComposeEnvironment;
  browsers: Record<BrowserService, ContainerBrowser>;
  stop(): Promise<void>;
}

/**
 * The e2e suite's composed stack (docker-compose.yml + infra/compose.e2e.yml) under a
 * project name of its own — the e2e suite's fixed name may be in use on this machine —
 * and only the two browsers on the shared `lan` network.
 */
export async function startBenchStack(): Promise<BenchStack> {
  const certificates = createTestCertificates(['web', 'turn', 'localhost', '127.0.0.1']);
  const started = Date.now();
  const environment = await new DockerComposeEnvironment(REPOSITORY_ROOT, [
    'docker-compose.yml',
    'infra/compose.e2e.yml',
  ])
    .withBuild()
    .withProjectName(`callgate-bench-calls-${randomBytes(3).toString('hex')}`)
    .withEnvironment({
      CERTS_DIR: certificates.dir,
      JWT_SECRET: randomBytes(32).toString('hex'),
      TURN_SECRETS: randomBytes(32).toString('hex'),
      POSTGRES_PASSWORD: randomBytes(16).toString('hex'),
      TURN_HOST: 'turn',
      LOG_LEVEL: 'info',
      REGISTRATION: 'open',
    })
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(180_000)
    .up(['gateway', 'browser-a', 'browser-b']);
  console.log(`stack up (build + start) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const browsers = {} as Record<BrowserService, ContainerBrowser>;
  const stop = async () => {
    const logs = process.env['BENCH_BROWSER_LOGS'];
    if (logs) {
      // Chromium's own log (BROWSER_EXTRA_FLAGS="--enable-logging=stderr --vmodule=…").
      for (const service of ['browser-a', 'browser-b']) {
        const stream = await environment.getContainer(`${service}-1`).logs();
        const chunks: Buffer[] = [];
        await new Promise<void>((resolve) => {
          stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
          stream.on('end', resolve);
          setTimeout(resolve, 5_000);
        });
        writeFileSync(`${logs}/${service}.log`, Buffer.concat(chunks));
      }
    }
    for (const side of Object.values(browsers)) await side.detach().catch(() => undefined);
    await environment.down({ removeVolumes: true, timeout: 0 });
    rmSync(certificates.dir, { recursive: true, force: true });
  };
  try {
    for (const service of ['browser-a', 'browser-b'] as const) {
      browsers[service] = await attachBrowser(environment, service);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { environment, browsers, stop };
}

/** A baseline side: a page on the app's origin running only the bench's own WebRTC code. */
export interface BaselineSide {
  context: BrowserContext;
  page: Page;
  token: string;
  /** Messages from the other side are applied in order, after `ready`. */
  chain: Promise<void>;
}

export async function openBaselineSide(
  stack: BenchStack,
  service: BrowserService,
  name: string,
): Promise<BaselineSide> {
  const context = await stack.browsers[service].browser.newContext();
  if (tracing) await tracePeers(context);
  const page = await context.newPage();
  // Any page of the origin will do (a secure context for getUserMedia); the app's own
  // scripts stay on the sign-in screen and create no peer connection.
  await page.goto(APP_URL);
  // web does not wait for the gateway (nginx answers 502 until it is up): wait for it here.
  const deadline = Date.now() + 120_000;
  while (
    !(await page.evaluate(() =>
      fetch('/api/health').then(
        (r) => r.ok,
        () => false,
      ),
    ))
  ) {
    if (Date.now() > deadline)
      throw new Error('the gateway did not become healthy behind web in 120 s');
    await page.waitForTimeout(500);
  }
  const token = await page.evaluate(async (username) => {
    const res = await fetch('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'bench-password-1234' }),
    });
    if (!res.ok) throw new Error(`register: HTTP ${res.status}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }, name);
  return { context, page, token, chain: Promise.resolve() };
}

/** Gateway-issued TURN credentials, fetched from the page (same origin, same path as the app). */
export function fetchIceServers(side: BaselineSide): Promise<RTCIceServer[]> {
  return side.page.evaluate(async (token) => {
    const res = await fetch('/api/turn/credentials', {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`turn credentials: HTTP ${res.status}`);
    const body = (await res.json()) as { iceServers: RTCIceServer[] };
    return body.iceServers;
  }, side.token);
}
