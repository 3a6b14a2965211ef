import type { Ack } from '@callgate/protocol';
import { Subject } from 'rxjs';

import { CallgateError } from '../../shared/api-error';

/** The socket as the call layer sees it: server events we push, client events we record. */
export class FakeSignaling {
  private readonly subjects = new Map<string, Subject<unknown>>();
  readonly sent: { event: string; payload: Record<string, unknown> }[] = [];
  readonly answers = new Map<string, (payload: unknown) => unknown>();

  on(event: string) {
    return this.subject(event).asObservable();
  }
  push(event: string, payload: unknown): void {
    this.subject(event).next(payload);
  }
  /** As SignalingClient.request: a refusing ack rejects with a CallgateError. */
  request(event: string, payload: Record<string, unknown>): Promise<unknown> {
    this.sent.push({ event, payload });
    const answer = this.answers.get(event);
    return Promise.resolve(answer ? answer(payload) : { ok: true }).then((reply) => {
      const ack = reply as Ack;
      return ack.ok ? ack : Promise.reject(CallgateError.fromBody(ack.error));
    });
  }
  events(name: string) {
    return this.sent.filter((s) => s.event === name).map((s) => s.payload);
  }
  private subject(event: string): Subject<unknown> {
    let s = this.subjects.get(event);
    if (!s) this.subjects.set(event, (s = new Subject()));
    return s;
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}
