import {
  type ArgumentsHost,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { CallgateError } from './callgate-error';
import { HttpExceptionFilter } from './http-exception.filter';

/** The part of an Express response the filter writes to, recorded. */
function recordingResponse() {
  const sent = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const response = {
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status: (status: number) => {
      sent.status = status;
      return response;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { sent, host };
}

describe('HttpExceptionFilter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it.each([
    [CallgateError.invalidPayload('username must be a string.'), 400],
    [CallgateError.unauthorized('Sign in first.'), 401],
    [CallgateError.tokenExpired(), 401],
    [CallgateError.forbidden('Not yours.'), 403],
    [CallgateError.notFound('No such call.'), 404],
    [CallgateError.conflict('The username "ada" is taken; choose another.'), 409],
    [CallgateError.rateLimited('Slow down.'), 429],
    [CallgateError.internal(), 500],
  ])('renders %s with its status from the one table', (error, status) => {
    const { sent, host } = recordingResponse();
    new HttpExceptionFilter(new MetricsService()).catch(error, host);
    expect(sent.status).toBe(status);
    expect(sent.body).toEqual({
      statusCode: status,
      error: { code: error.code, message: error.message },
    });
  });

  it("sends the error's headers (Retry-After on a lock-out)", () => {
    const { sent, host } = recordingResponse();
    new HttpExceptionFilter(new MetricsService()).catch(
      CallgateError.rateLimited('Try again in 40 seconds.', { 'Retry-After': '40' }),
      host,
    );
    expect(sent.headers).toEqual({ 'Retry-After': '40' });
  });

  it("gives Nest's own HTTP errors a contract code by status, and hides anything else", () => {
    const filter = new HttpExceptionFilter(new MetricsService());
    const unknownRoute = recordingResponse();
    filter.catch(new NotFoundException('Cannot GET /api/nope'), unknownRoute.host);
    expect(unknownRoute.sent.body).toEqual({
      statusCode: 404,
      error: { code: 'not_found', message: 'Cannot GET /api/nope' },
    });
    const tooLarge = recordingResponse();
    filter.catch(new PayloadTooLargeException(), tooLarge.host);
    expect(tooLarge.sent.body).toMatchObject({
      statusCode: 413,
      error: { code: 'invalid_payload' },
    });
    const crash = recordingResponse();
    filter.catch(new Error('connection reset by the database'), crash.host);
    expect(crash.sent.body).toEqual({
      statusCode: 500,
      error: { code: 'internal', message: 'Something went wrong on the server; try again.' },
    });
  });
});
