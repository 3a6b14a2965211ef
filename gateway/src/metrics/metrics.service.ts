import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one gateway instance. Its own registry (not prom-client's
 * global one), so several apps in one test process do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connectedSockets = new Gauge({
    name: 'callgate_signaling_connected_sockets',
    help: 'Signaling sockets currently connected.',
    registers: [this.registry],
  });

  private activeCallsSource: (() => Promise<Record<'ringing' | 'active', number>>) | undefined;

  /**
   * Read from the shared store when scraped (every replica reports the same totals), not
   * on every call transition: that cost two Redis commands per invite, accept and end.
   */
  readonly activeCalls: Gauge<'phase'> = new Gauge({
    name: 'callgate_calls_active',
    help: 'Call sessions currently open, by phase (ringing or active).',
    labelNames: ['phase'] as const,
    registers: [this.registry],
    collect: async () => {
      // A store that cannot answer leaves the last values (the scrape still succeeds).
      const counts = await this.activeCallsSource?.().catch(() => undefined);
      if (counts === undefined) return;
      this.activeCalls.set({ phase: 'ringing' }, counts.ringing);
      this.activeCalls.set({ phase: 'active' }, counts.active);
    },
  });

  readonly callOutcomes = new Counter({
    name: 'callgate_call_outcomes_total',
    help: 'call:ended notifications by reason (answered_elsewhere counts once per call).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly turnCredentialsIssued = new Counter({
    name: 'callgate_turn_credentials_issued_total',
    help: 'TURN credentials issued, by channel (rest or socket).',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly signalingMessages = new Counter({
    name: 'callgate_signaling_messages_total',
    help: 'Client-to-server signaling messages received, by event.',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'callgate_errors_total',
    help: 'Errors answered to clients, by transport (http or ws) and contract error code.',
    labelNames: ['transport', 'code'] as const,
    registers: [this.registry],
  });

  /** Where `callgate_calls_active` reads its counts at scrape time. */
  countActiveCallsWith(source: () => Promise<Record<'ringing' | 'active', number>>): void {
    this.activeCallsSource = source;
  }

  constructor() {
    this.registry.setDefaultLabels({ service: 'callgate-gateway' });
    collectDefaultMetrics({ register: this.registry, prefix: 'callgate_' });
  }
}
