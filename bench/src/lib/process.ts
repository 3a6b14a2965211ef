import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { onCleanup } from './cleanup.ts';
import { sleep } from './time.ts';

/** Niceness of pinned servers and load generators (negative: needs root, else ignored). */
export const PINNED_NICENESS = process.getuid?.() === 0 ? -10 : 0;

/** Gives every thread of `pid` the pinned niceness (renice per thread: Linux priorities are per thread). */
export async function raisePriority(pid: number): Promise<void> {
  if (PINNED_NICENESS === 0) return;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    await run('renice', ['-n', String(PINNED_NICENESS), '-p', tid]).catch(() => undefined);
  }
}

export interface StartedProcess {
  child: ChildProcess;
  pid: number;
  /** Collected stdout+stderr (first 20 kB and last 200 kB), for diagnostics. */
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** CPU list for `taskset -c`, e.g. "0". */
  cpus?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Echo output lines with this prefix. */
  echo?: string;
  /**
   * Send stdout to this file instead of a pipe (as Docker's json-file log driver does):
   * a server that logs synchronously must not be slowed by how fast the bench reads.
   */
  stdoutFile?: string;
}

/** Spawns a command (optionally pinned with taskset) and registers it for cleanup. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): StartedProcess {
  // Pinned processes also run at a raised priority, so other work on a shared machine
  // disturbs the measured server (and, in the same way, its baseline) less.
  const [file, argv] = options.cpus
    ? ['nice', ['-n', String(PINNED_NICENESS), 'taskset', '-c', options.cpus, command, ...args]]
    : [command, [...args]];
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'a') : undefined;
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  // The start of the output (inspector URL, start-up errors) is kept whatever follows.
  let head = '';
  let buffer = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    if (head.length < 20_000) head += text.slice(0, 20_000 - head.length);
    buffer = (buffer + text).slice(-200_000);
    if (options.echo) {
      for (const line of text.split('\n')) if (line.trim()) console.log(`${options.echo} ${line}`);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  const stop = onCleanup(`${command} (pid ${pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const ended = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!ended) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, pid, output: () => `${head}\n…\n${buffer}`, exited, stop };
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Write-family syscalls (write, writev, sendmsg…) a process made so far, all threads
 * (`syscw` of `/proc/<pid>/io`); 0 when the kernel does not expose it.
 */
export function writeSyscalls(pid: number): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/^syscw:\s*(\d+)/m.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs a command to completion and returns its stdout; throws with stderr on failure. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited with ${code ?? signal}: ${err.slice(-2000) || out.slice(-2000)}`,
          ),
        );
    });
  });
}

/** Number of open file descriptors of a process (sockets included). */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
