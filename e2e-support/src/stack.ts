import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DockerComposeEnvironment,
  type StartedDockerComposeEnvironment,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import { attachBrowser, type ContainerBrowser } from './container-browser.js';
import { createAdminCommand } from './invites.js';
import { createTestCertificates, type TestCertificates } from './test-certificates.js';

export const REPOSITORY_ROOT = join(__dirname, '../..');
/** The address every test browser opens: nginx's TLS port on the compose networks. */
export const APP_URL = 'https://web:8443/';
/** Short, so the ring-timeout scenario does not wait 30 s. */
export const RING_TIMEOUT_MS = 8_000;
/** The gateway's minimum: credentials expire within one scenario's reach. */
export const TURN_TTL_SECONDS = 60;

/**
 * Development only: leave the stack running after the suite (and reuse it next time, with
 * its certificates in tmp/e2e-certs and secrets in tmp/e2e-secrets.json).
 */
const keepStack = process.env['CALLGATE_E2E_KEEP_STACK'] === '1';

/**
 * Compose project of the suite; fixed so that built images keep their tags.
 * `CALLGATE_E2E_PROJECT` gives a second checkout on the same machine a stack of its own.
 */
export const E2E_PROJECT = process.env['CALLGATE_E2E_PROJECT'] || 'callgate-e2e';
const PROJECT = E2E_PROJECT;

export const BROWSER_SERVICES = [
  'browser-a',
  'browser-b',
  'browser-iso-a',
  'browser-iso-b',
] as const;
export type BrowserService = (typeof BROWSER_SERVICES)[number];

/** The composed stack plus the test browsers, started once for every scenario. */
export interface CallgateStack {
  environment: StartedDockerComposeEnvironment;
  browsers: Record<BrowserService, ContainerBrowser>;
  turn: StartedTestContainer;
  turnProduction: StartedTestContainer;
  /** The shared secret coturn and the gateway were given (the test signs with it too). */
  turnSecret: string;
  certificates: TestCertificates;
  stop(): Promise<void>;
}

/**
 * `docker-compose.yml` + `infra/compose.e2e.yml`, built and started, every service
 * healthy, and Playwright connected to the four browsers.
 */
export async function startStack(): Promise<CallgateStack> {
  const { certificates, turnSecret, jwtSecret, databasePassword } = stackSettings();
  // A run that died before its afterAll leaves containers and volumes (an initialised
  // database with another password) behind: start from nothing.
  if (!keepStack) composeDown(certificates.dir);
  const started = Date.now();
  // A fixed project name keeps the built images' tags stable between runs.
  let compose = new DockerComposeEnvironment(REPOSITORY_ROOT, [
    'docker-compose.yml',
    'infra/compose.e2e.yml',
  ]).withBuild();
  // Development only: reuse a stack left running by CALLGATE_E2E_KEEP_STACK=1.
  if (keepStack) compose = compose.withNoRecreate();
  // After withNoRecreate(), which sets a project name of its own.
  compose = compose.withProjectName(PROJECT);
  const environment = await compose
    // Never a developer's .env: the test stack gets exactly the settings below.
    .withEnvironmentFile(emptyEnvFile())
    .withEnvironment({
      CERTS_DIR: certificates.dir,
      JWT_SECRET: jwtSecret,
      TURN_SECRETS: turnSecret,
      POSTGRES_PASSWORD: databasePassword,
      TURN_HOST: 'turn',
      TURN_TTL_SECONDS: String(TURN_TTL_SECONDS),
      RING_TIMEOUT_MS: String(RING_TIMEOUT_MS),
      // The default (invite): Person.signUp gets each link from the suite admin below.
      LOG_LEVEL: 'info',
    })
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(180_000)
    .up()
    .catch((error: unknown) => {
      if (!keepStack) composeDown(certificates.dir);
      throw error;
    });
  console.log(`stack up (build + start) in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const browsers = {} as Record<BrowserService, ContainerBrowser>;
  try {
    for (const service of BROWSER_SERVICES) {
      browsers[service] = await attachBrowser(environment, service);
    }
  } catch (error) {
    await environment.down({ removeVolumes: true, timeout: 0 });
    throw error;
  }

  await createSuiteAdmin(environment.getContainer('gateway-1'));

  return {
    environment,
    browsers,
    turn: environment.getContainer('turn-1'),
    turnProduction: environment.getContainer('turn-production-1'),
    turnSecret,
    certificates,
    stop: async () => {
      for (const side of Object.values(browsers)) {
        await side.detach().catch(() => undefined);
      }
      if (keepStack) return;
      await environment.down({ removeVolumes: true, timeout: 0 });
      rmSync(certificates.dir, { recursive: true, force: true });
    },
  };
}

/**
 * The account that hands out invite links to the scenarios' people (REGISTRATION is
 * invite, as in production). Made with the documented admin command, so that stays true.
 */
export const SUITE_ADMIN = {
  username: 'suite-admin',
  password: randomBytes(18).toString('hex'),
} as const;

async function createSuiteAdmin(gateway: StartedTestContainer): Promise<void> {
  const result = await gateway.exec(createAdminCommand(SUITE_ADMIN));
  if (result.exitCode !== 0) {
    throw new Error(`callgate-create-admin failed (${result.exitCode}): ${result.output}`);
  }
}

/** `docker compose down -v` for the suite's project, whatever state it is in. */
function composeDown(certsDir: string): void {
  const result = spawnSync(
    'docker',
    [
      'compose',
      '-p',
      PROJECT,
      '-f',
      'docker-compose.yml',
      '-f',
      'infra/compose.e2e.yml',
      '--env-file',
      emptyEnvFile(),
      'down',
      '-v',
      '-t',
      '0',
      '--remove-orphans',
    ],
    { cwd: REPOSITORY_ROOT, env: { ...process.env, CERTS_DIR: certsDir }, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`docker compose down failed: ${result.stderr}`);
}

function emptyEnvFile(): string {
  const file = join(REPOSITORY_ROOT, 'tmp', 'e2e-empty.env');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  return file;
}

interface StackSettings {
  certificates: TestCertificates;
  turnSecret: string;
  jwtSecret: string;
  databasePassword: string;
}

/** Fresh certificates and secrets per run; kept in tmp/e2e-keep with CALLGATE_E2E_KEEP_STACK. */
function stackSettings(): StackSettings {
  const names = ['web', 'turn', 'localhost', '127.0.0.1'];
  const fresh = (certificates: TestCertificates): StackSettings => ({
    certificates,
    turnSecret: randomBytes(32).toString('hex'),
    jwtSecret: randomBytes(32).toString('hex'),
    databasePassword: randomBytes(16).toString('hex'),
  });
  if (!keepStack) return fresh(createTestCertificates(names));
  const keepDir = join(REPOSITORY_ROOT, 'tmp', 'e2e-keep');
  const file = join(keepDir, 'settings.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StackSettings;
  const settings = fresh(createTestCertificates(names, join(keepDir, 'certs')));
  writeFileSync(file, JSON.stringify(settings));
  return settings;
}

/** Everything a container wrote to stdout and stderr so far (`docker logs`). */
export function containerLogs(container: StartedTestContainer): string {
  const result = spawnSync('docker', ['logs', container.getId()], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`docker logs ${container.getName()}: ${result.stderr}`);
  return result.stdout + result.stderr;
}
