import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { CallEndReason, CallRecord } from '@callgate/protocol';
import { DatabaseService } from '../database/database.service';

/** A finished call as the signaling layer hands it over. */
export interface FinishedCall {
  id: string;
  callerId: string;
  calleeId: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  reason: CallEndReason;
}

interface CallRow {
  id: string;
  direction: 'outgoing' | 'incoming';
  peer_id: string;
  peer_username: string;
  peer_display_name: string;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date;
  end_reason: CallEndReason;
}

const MISSED_REASONS: readonly CallEndReason[] = ['timeout', 'cancelled'];

/** Call history in PostgreSQL, written once per call when it ends. */
@Injectable()
export class CallHistoryService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CallHistoryService.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly db: DatabaseService) {}

  /**
   * Stores a finished call in the background: signaling never waits for the database.
   * A failed write is logged, not retried (history is informational).
   */
  record(call: FinishedCall): void {
    const write = this.db
      .query(
        `INSERT INTO calls (id, caller_id, callee_id, started_at, answered_at, ended_at, end_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [
          call.id,
          call.callerId,
          call.calleeId,
          call.startedAt,
          call.answeredAt,
          call.endedAt,
          call.reason,
        ],
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.logger.error(`Could not record call ${call.id}: ${(error as Error).message}`);
        },
      )
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Lets writes already under way finish before the pool closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.flush();
  }

  /** Resolves when every write started so far has finished (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async recent(userId: string, limit: number): Promise<CallRecord[]> {
    const rows = await this.db.query<CallRow>(
      `SELECT c.id,
              CASE WHEN c.caller_id = $1 THEN 'outgoing' ELSE 'incoming' END AS direction,
              p.id AS peer_id, p.username AS peer_username, p.display_name AS peer_display_name,
              c.started_at, c.answered_at, c.ended_at, c.end_reason
         FROM calls c
         JOIN users p ON p.id = CASE WHEN c.caller_id = $1 THEN c.callee_id ELSE c.caller_id END
        WHERE c.caller_id = $1 OR c.callee_id = $1
        ORDER BY c.started_at DESC
        LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      peer: { id: row.peer_id, username: row.peer_username, displayName: row.peer_display_name },
      direction: row.direction,
      startedAt: row.started_at.toISOString(),
      answeredAt: row.answered_at?.toISOString() ?? null,
      endedAt: row.ended_at.toISOString(),
      reason: row.end_reason,
      missed:
        row.direction === 'incoming' &&
        row.answered_at === null &&
        MISSED_REASONS.includes(row.end_reason),
      durationSeconds:
        row.answered_at === null
          ? 0
          : Math.max(0, Math.round((row.ended_at.getTime() - row.answered_at.getTime()) / 1000)),
    }));
  }
}
