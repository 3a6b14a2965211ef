import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';

/** Paths polled by probes and scrapers: logged at debug so they do not drown the rest. */
const QUIET_PATHS = new Set(['/api/health', '/metrics']);

/**
 * One JSON access-log line per HTTP request: method, path (no query string, which may
 * hold search terms), status, duration. Never headers or bodies (tokens, passwords).
 */
export function requestLogger(
  pino: Pino,
): (request: Request, response: Response, next: NextFunction) => void {
  const log = pino.child({ context: 'HTTP' });
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const path = request.originalUrl.split('?')[0] ?? '';
      const fields = {
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        ip: request.ip,
      };
      if (QUIET_PATHS.has(path)) log.debug(fields, 'request');
      else log.info(fields, 'request');
    });
    next();
  };
}
