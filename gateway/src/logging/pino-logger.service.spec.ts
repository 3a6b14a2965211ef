import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_BUFFER_BYTES, logDestination, PinoLoggerService } from './pino-logger.service';

const FIXTURE = join(__dirname, '../testing/log-shutdown.fixture.ts');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  messages: string[];
}

/** Runs the fixture (the gateway's logger and shutdown hooks in a bare Nest context). */
function runFixture(file: string, mode: 'term' | 'crash', lines: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', FIXTURE, file, mode, String(lines)],
      {
        env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../tsconfig.app.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) child.kill('SIGTERM');
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!existsSync(file)) {
        reject(new Error(`the fixture wrote no log (exit ${code}): ${stderr}`));
        return;
      }
      const messages = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      resolve({ code, signal, messages });
    });
  });
}

describe('PinoLoggerService', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'callgate-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('collects short lines into one write instead of one write per line', async () => {
    const file = join(dir, 'buffered.log');
    const destination = logDestination(file);
    await once(destination, 'ready');
    const logger = new PinoLoggerService('info', destination);
    logger.log('Call 1: ended (hangup)', 'CallService');
    logger.log('Call 2: ended (hangup)', 'CallService');
    expect(readFileSync(file, 'utf8')).toBe('');
    destination.flushSync();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'Call 1: ended (hangup)',
      'Call 2: ended (hangup)',
    ]);
    destination.end();
  });

  it('writes on its own once a buffer full of lines is collected', async () => {
    const file = join(dir, 'full.log');
    const destination = logDestination(file);
    const logger = new PinoLoggerService('info', destination);
    const line = 'x'.repeat(100);
    for (let i = 0; i * 100 < LOG_BUFFER_BYTES * 2; i++) logger.log(line);
    await new Promise((resolve) => destination.once('write', resolve));
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(LOG_BUFFER_BYTES);
    destination.end();
  });

  it("keeps every line, the shutdown hook's last one too, when the process gets SIGTERM", async () => {
    const run = await runFixture(join(dir, 'term.log'), 'term', 5);
    const fixtureLines = run.messages.filter((m) => /^line \d|^shutting down/.test(m));
    expect(fixtureLines).toEqual([
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
      'shutting down on SIGTERM',
    ]);
    // A clean stop: process.exit(0) after the hooks, not the re-raised signal.
    expect(run).toMatchObject({ code: 0, signal: null });
  }, 30_000);

  it('keeps every line when the process dies of an uncaught exception', async () => {
    const run = await runFixture(join(dir, 'crash.log'), 'crash', 5);
    expect(run.code).not.toBe(0);
    expect(run.messages.filter((m) => m.startsWith('line '))).toEqual([
      'line 0',
      'line 1',
      'line 2',
      'line 3',
      'line 4',
    ]);
  }, 30_000);
});
