import { waitFor } from './time.ts';
import type { StartedProcess } from './process.ts';

/**
 * A minimal Chrome DevTools Protocol client for a Node process started with
 * `--inspect=127.0.0.1:0`: lets the bench force a full GC and read heap figures from
 * outside, without adding any hook to the product.
 */
export class InspectorSession {
  private readonly socket: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  /** Finds the inspector URL in the process output and connects to it. */
  static async attach(process: StartedProcess): Promise<InspectorSession> {
    const url = await waitFor(
      'the inspector URL',
      () => /Debugger listening on (ws:\/\/\S+)/.exec(process.output())?.[1],
      30_000,
    );
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), {
        once: true,
      });
    });
    return new InspectorSession(socket);
  }

  send(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Full, compacting GC (twice: weak references and finalizers need a second pass). */
  async collectGarbage(): Promise<void> {
    await this.send('HeapProfiler.enable');
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
  }

  /** `process.memoryUsage()` of the inspected process. */
  async memoryUsage(): Promise<NodeJS.MemoryUsage> {
    const result = (await this.send('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(result.result.value) as NodeJS.MemoryUsage;
  }

  close(): void {
    this.socket.close();
  }
}
