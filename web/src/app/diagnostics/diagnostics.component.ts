import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';

import { TurnCredentialsService } from '../call/turn-credentials.service';
import { toCallgateError } from '../shared/api-error';
import { type UrlCheckResult, checkUrl, describeUrl, urlsToCheck } from './connection-check';

interface Row {
  url: string;
  transport: string;
  result: UrlCheckResult | null;
}

/** "Check my connection": can this browser reach our TURN servers, over UDP, TCP and TLS? */
@Component({
  selector: 'cg-diagnostics',
  templateUrl: './diagnostics.component.html',
  styleUrl: './diagnostics.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DiagnosticsComponent {
  private readonly turn = inject(TurnCredentialsService);
  protected readonly rows = signal<Row[]>([]);
  protected readonly running = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly summary = signal<string | null>(null);

  protected async run(): Promise<void> {
    if (this.running()) return;
    this.running.set(true);
    this.error.set(null);
    this.summary.set(null);
    try {
      const credentials = await this.turn.fetch();
      const targets = urlsToCheck(credentials);
      this.rows.set(
        targets.map((t) => ({ url: t.url, transport: describeUrl(t.url).transport, result: null })),
      );
      if (targets.length === 0) {
        this.error.set(
          'The server did not offer any relay address. Ask the operator to configure TURN.',
        );
        return;
      }
      await Promise.all(
        targets.map(async (t, i) => {
          const result = await checkUrl(t.url, t);
          this.rows.update((rows) => rows.map((r, j) => (j === i ? { ...r, result } : r)));
        }),
      );
      const passed = this.rows().filter((r) => r.result?.passed).length;
      this.summary.set(
        passed === targets.length
          ? 'All relay paths work: calls will connect from this network.'
          : passed > 0
            ? `${passed} of ${targets.length} relay paths work: calls will connect, using the ones that passed.`
            : 'No relay path works from this network: calls may fail when a direct path is blocked.',
      );
    } catch (error) {
      this.error.set(toCallgateError(error).message);
    } finally {
      this.running.set(false);
    }
  }

  protected count(row: Row, type: string): number {
    return row.result?.candidates.filter((c) => c.type === type).length ?? 0;
  }

  protected addresses(row: Row, type: string): string {
    return [
      ...new Set(row.result?.candidates.filter((c) => c.type === type).map((c) => c.address)),
    ].join(', ');
  }
}
