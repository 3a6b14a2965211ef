import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as Pino } from 'pino';

/** Nest's logger interface over pino: one JSON object per line on stdout. */
export class PinoLoggerService implements LoggerService {
  readonly pino: Pino;

  constructor(level: string, destination?: NodeJS.WritableStream) {
    this.pino = pino(
      { level, base: { service: 'callgate-gateway' }, timestamp: pino.stdTimeFunctions.isoTime },
      // Asynchronous stdout: a line no longer costs a blocking write(2) inside the
      // signaling handler that logged it; lines written in one tick go out together, and
      // pino flushes what is pending at exit.
      destination ?? pino.destination({ dest: 1, sync: false }),
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
