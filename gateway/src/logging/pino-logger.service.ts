import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

/** Log bytes collected before one write(2) (lines are written whole). */
export const LOG_BUFFER_BYTES = 4096;
/** Longest a line waits in the buffer on a quiet gateway. */
export const LOG_FLUSH_MS = 250;

/**
 * Where the gateway's lines go (stdout by default): buffered and written asynchronously.
 *
 * Why: with one write per line, the one info line per call ("ended") cost ~7 % of the
 * gateway's CPU under load (docs/BENCHMARKS.md §2): a write(2) in libuv's thread pool
 * on the server's core and a completion callback per line. Collecting up to
 * {@link LOG_BUFFER_BYTES} makes that one write per ~20 lines; {@link LOG_FLUSH_MS}
 * bounds how late a line shows up in `docker logs` when little is logged. What is still
 * buffered is written synchronously when the process exits (pino hooks `exit`), which a
 * SIGTERM reaches through {@link SHUTDOWN_HOOKS} and an uncaught exception reaches by
 * itself.
 */
export function logDestination(dest: number | string = 1) {
  return pino.destination({
    dest,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_MS,
  });
}

/**
 * Options of `app.enableShutdownHooks`: after the shutdown hooks ran, end with
 * `process.exit` (its `exit` event flushes the log buffer) rather than by re-raising the
 * signal, which ends the process without that event and lost the last lines.
 */
export const SHUTDOWN_HOOKS = { useProcessExit: true } as const;

/** Nest's logger interface over pino: one JSON object per line on stdout. */
export class PinoLoggerService implements LoggerService {
  readonly pino: Pino;

  constructor(level: string, destination?: DestinationStream) {
    this.pino = pino(
      { level, base: { service: 'callgate-gateway' }, timestamp: pino.stdTimeFunctions.isoTime },
      destination ?? logDestination(),
    );
  }

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    // Nest passes (message, stack?, context?).
    const [stack, context] = optional.length >= 2 ? optional : [undefined, optional[0]];
    const fields: Record<string, unknown> = {
      context: typeof context === 'string' ? context : undefined,
    };
    if (typeof stack === 'string') fields['stack'] = stack;
    if (message instanceof Error) {
      this.pino.error({ ...fields, err: message }, message.message);
    } else {
      this.pino.error(fields, stringify(message));
    }
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  private write(
    level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    optional: unknown[],
  ): void {
    const context = optional.at(-1);
    const fields = { context: typeof context === 'string' ? context : undefined };
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      this.pino[level]({ ...fields, ...message });
    } else {
      this.pino[level](fields, stringify(message));
    }
  }
}

function stringify(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message);
}
