import type { BenchUser } from './clients.ts';
import { connectAll } from './connect-all.ts';

class FakeConnection {
  closed = false;
  constructor(
    readonly url: string,
    readonly user: string,
    readonly address: string,
  ) {}
  close(): void {
    this.closed = true;
  }
}

const users = (n: number): BenchUser[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${i}`, token: `t${i}` }));

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('connectAll', () => {
  it("returns user i's connection at index i, spread over the URLs and source addresses", async () => {
    const connections = await connectAll(
      ['http://a', 'http://b'],
      users(5),
      ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
      async (url, user, address) => {
        await tick();
        return new FakeConnection(url, user.id, address);
      },
      2,
    );
    expect(connections.map((c) => [c.url, c.user, c.address])).toEqual([
      ['http://a', 'u0', '127.0.0.2'],
      ['http://b', 'u1', '127.0.0.3'],
      ['http://a', 'u2', '127.0.0.4'],
      ['http://b', 'u3', '127.0.0.2'],
      ['http://a', 'u4', '127.0.0.3'],
    ]);
  });

  it('never has more than `concurrency` handshakes in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    await connectAll(
      ['http://a'],
      users(20),
      ['127.0.0.2'],
      async (url, user, address) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await tick();
        inFlight--;
        return new FakeConnection(url, user.id, address);
      },
      4,
    );
    expect(peak).toBe(4);
  });

  it('closes every connection it opened, also those still in flight, when one fails', async () => {
    const opened: FakeConnection[] = [];
    const failure = new Error('connect u3: refused with unauthorized');
    const run = connectAll(
      ['http://a'],
      users(10),
      ['127.0.0.2'],
      async (url, user, address) => {
        // u3 fails at once; the others' handshakes complete later.
        if (user.id === 'u3') throw failure;
        await tick();
        const connection = new FakeConnection(url, user.id, address);
        opened.push(connection);
        return connection;
      },
      4,
    );
    await expect(run).rejects.toBe(failure);
    expect(opened.map((c) => c.user)).toEqual(['u0', 'u1', 'u2']);
    expect(opened.every((c) => c.closed)).toBe(true);
  });

  it('refuses to spread users over no URL or no address', async () => {
    const connect = () => Promise.resolve(new FakeConnection('', '', ''));
    await expect(connectAll([], users(1), ['127.0.0.2'], connect)).rejects.toThrow(
      'at least one server URL',
    );
    await expect(connectAll(['http://a'], users(1), [], connect)).rejects.toThrow(
      'at least one server URL',
    );
  });
});
