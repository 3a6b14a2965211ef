import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/**
 * A loopback TCP port on the host that forwards each connection into a browser
 * container's DevTools socket (127.0.0.1:9222 inside it) through `docker exec socat`.
 *
 * Browser containers have no control network on purpose: any interface they have is one
 * Chromium gathers ICE candidates on, so a network for DevTools would also be a media path.
 */
export class DevToolsTunnel {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async open(containerId: string): Promise<DevToolsTunnel> {
    const server = createServer((socket) => {
      const relay = spawn(
        'docker',
        ['exec', '-i', containerId, 'socat', '-', 'TCP:127.0.0.1:9222'],
        {
          stdio: ['pipe', 'pipe', 'ignore'],
        },
      );
      socket.pipe(relay.stdin);
      relay.stdout.pipe(socket);
      const stop = (): void => {
        socket.destroy();
        if (relay.exitCode === null) relay.kill();
      };
      socket.on('close', stop);
      socket.on('error', stop);
      relay.on('exit', () => socket.end());
      relay.on('error', stop);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new DevToolsTunnel(server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Connects Playwright to the Chromium behind `tunnel`. Chromium's `/json/version` names
 * its WebSocket as 127.0.0.1:9222 (inside the container), so the address is rewritten.
 */
export async function connectThroughTunnel(tunnel: DevToolsTunnel): Promise<Browser> {
  const base = `127.0.0.1:${tunnel.port}`;
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://${base}/json/version`);
      const { webSocketDebuggerUrl } = (await response.json()) as { webSocketDebuggerUrl: string };
      const endpoint = new URL(webSocketDebuggerUrl);
      endpoint.host = base;
      return await chromium.connectOverCDP(endpoint.toString(), { timeout: 15_000 });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`Chromium DevTools behind ${base} did not answer`, { cause: lastError });
}
