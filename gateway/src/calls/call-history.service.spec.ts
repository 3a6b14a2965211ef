import type { DatabaseService } from '../database/database.service';
import { CallHistoryService, type FinishedCall } from './call-history.service';

function call(id: string, over: Partial<FinishedCall> = {}): FinishedCall {
  return {
    id,
    callerId: 'alice',
    calleeId: 'bob',
    startedAt: '2026-12-01T20:00:00.000Z',
    answeredAt: '2026-12-01T20:00:02.000Z',
    endedAt: '2026-12-01T20:01:00.000Z',
    reason: 'hangup',
    ...over,
  };
}

/** A database whose queries finish when the test says so; records every statement. */
class FakeDatabase {
  readonly statements: { text: string; values: unknown[] }[] = [];
  private readonly waiting: (() => void)[] = [];
  /** Ids whose row makes a statement fail (as a foreign key violation would). */
  readonly bad = new Set<string>();

  query(text: string, values: unknown[]): Promise<never[]> {
    this.statements.push({ text, values });
    const failing = values.some((v) => typeof v === 'string' && this.bad.has(v));
    return new Promise((resolve, reject) => {
      this.waiting.push(() =>
        failing ? reject(new Error('violates foreign key constraint')) : resolve([]),
      );
    });
  }

  /** Finishes every query in flight and lets the service react. */
  async finishAll(): Promise<void> {
    for (let round = 0; round < 20 && this.waiting.length > 0; round++) {
      this.waiting.splice(0).forEach((finish) => finish());
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  ids(statement: number): unknown[] {
    return this.statements[statement]!.values.filter((_, i) => i % 7 === 0);
  }
}

const logged = jest.fn();

function service(db: FakeDatabase): CallHistoryService {
  const history = new CallHistoryService(db as unknown as DatabaseService);
  jest.spyOn(history['logger'], 'error').mockImplementation(logged);
  return history;
}

beforeEach(() => logged.mockReset());

describe('CallHistoryService.record', () => {
  it('writes a call at once when nothing else is being written', () => {
    const db = new FakeDatabase();
    service(db).record(call('c1'));
    expect(db.statements).toHaveLength(1);
    expect(db.statements[0]!.values).toEqual([
      'c1',
      'alice',
      'bob',
      '2026-12-01T20:00:00.000Z',
      '2026-12-01T20:00:02.000Z',
      '2026-12-01T20:01:00.000Z',
      'hangup',
    ]);
    expect(db.statements[0]!.text).toMatch(
      /VALUES \(\$1, \$2, \$3, \$4, \$5, \$6, \$7\) ON CONFLICT/,
    );
  });

  it('puts the calls that end during a write into one INSERT after it', async () => {
    const db = new FakeDatabase();
    const history = service(db);
    history.record(call('c1'));
    for (const id of ['c2', 'c3', 'c4']) history.record(call(id));
    expect(db.statements).toHaveLength(1);
    await db.finishAll();
    expect(db.statements).toHaveLength(2);
    expect(db.ids(1)).toEqual(['c2', 'c3', 'c4']);
    expect(db.statements[1]!.text).toContain('($15, $16, $17, $18, $19, $20, $21)');
    await history.flush();
  });

  it('writes the other calls of a batch one by one when one row fails, and logs that one', async () => {
    const db = new FakeDatabase();
    const history = service(db);
    db.bad.add('c3');
    history.record(call('c1'));
    for (const id of ['c2', 'c3', 'c4']) history.record(call(id));
    const flushed = history.flush();
    await db.finishAll();
    await flushed;
    expect(db.statements.map((_, i) => db.ids(i))).toEqual([
      ['c1'],
      ['c2', 'c3', 'c4'],
      ['c2'],
      ['c3'],
      ['c4'],
    ]);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith(
      'Could not record call c3: violates foreign key constraint',
    );
  });

  it('flush waits for the calls still queued behind the write in flight', async () => {
    const db = new FakeDatabase();
    const history = service(db);
    history.record(call('c1'));
    history.record(call('c2'));
    let flushed = false;
    const done = history.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    await db.finishAll();
    await done;
    expect(db.statements).toHaveLength(2);
  });
});
