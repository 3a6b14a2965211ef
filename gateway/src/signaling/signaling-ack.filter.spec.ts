import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { MetricsService } from '../metrics/metrics.service';
import { SignalingAckFilter } from './signaling-ack.filter';
import { CallgateError } from '../common/callgate-error';

function hostWith(ack: unknown): ArgumentsHost {
  return { getArgs: () => [{}, {}, ack, 'call:accept'] } as unknown as ArgumentsHost;
}

describe('SignalingAckFilter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('answers a CallgateError through the ack with its code and counts it', async () => {
    const metrics = new MetricsService();
    const ack = jest.fn();
    new SignalingAckFilter(metrics).catch(
      CallgateError.forbidden('You are not a member of this call.'),
      hostWith(ack),
    );
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { code: 'forbidden', message: 'You are not a member of this call.' },
    });
    expect(await metrics.registry.metrics()).toMatch(
      /callgate_errors_total\{transport="ws",code="forbidden"[^}]*\} 1/,
    );
  });

  it('hides unexpected errors behind "internal" and tolerates a missing ack', () => {
    const ack = jest.fn();
    const filter = new SignalingAckFilter(new MetricsService());
    filter.catch(new Error('database exploded'), hostWith(ack));
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong on the server; try again.' },
    });
    expect(() =>
      filter.catch(new WsException('Forbidden resource'), hostWith(undefined)),
    ).not.toThrow();
  });
});
