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

/** Rows of one INSERT at most (7 parameters each, far below PostgreSQL's 65,535). */
export const HISTORY_ROWS_PER_INSERT = 200;

const COLUMNS = 7;

function insertOf(calls: readonly FinishedCall[]): { text: string; values: unknown[] } {
  const rows = calls.map((_, r) => {
    const p = Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`);
    return `(${p.join(', ')})`;
  });
  return {
    text: `INSERT INTO calls (id, caller_id, callee_id, started_at, answered_at, ended_at, end_reason)
         VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING`,
    values: calls.flatMap((call) => [
      call.id,
      call.callerId,
      call.calleeId,
      call.startedAt,
      call.answeredAt,
      call.endedAt,
      call.reason,
    ]),
  };
}

/**
 * Call history in PostgreSQL, written once per call when it ends.
 *
 * One INSERT is in flight at a time; calls that end meanwhile wait and go into the next
 * one together (group commit). On a quiet gateway every call is written at once, as
 * before; under load the batch grows with the rate, and the per-query cost (a pool
 * checkout, a protocol round trip, a socket write) is paid once per batch instead of
 * once per call: the INSERT per call was ~6 % of the gateway's busy time at 500 calls/s
 * (docs/BENCHMARKS.md §2). A call is never held longer than the INSERT before it.
 */
@Injectable()
export class CallHistoryService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CallHistoryService.name);
  private queued: FinishedCall[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly db: DatabaseService) {}

  /**
   * Stores a finished call in the background: signaling never waits for the database.
   * A failed write is logged, not retried (history is informational).
   */
  record(call: FinishedCall): void {
    this.queued.push(call);
    this.writing ??= this.drain();
  }

  /** Lets writes already under way finish before the pool closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.flush();
  }

  /** Resolves when every call recorded so far is written (or its failure logged). */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, HISTORY_ROWS_PER_INSERT);
        await this.write(batch);
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(batch: FinishedCall[]): Promise<void> {
    const { text, values } = insertOf(batch);
    try {
      await this.db.query(text, values);
      return;
    } catch (error) {
      if (batch.length === 1) {
        this.logger.error(`Could not record call ${batch[0]!.id}: ${(error as Error).message}`);
        return;
      }
    }
    // One bad row (a user deleted meanwhile) fails the whole statement: the others are
    // written one by one, so only that call's record is lost, as with one INSERT per call.
    for (const call of batch) await this.write([call]);
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
