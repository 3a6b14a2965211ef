import type { Browser } from 'playwright-core';
import type { StartedDockerComposeEnvironment, StartedTestContainer } from 'testcontainers';
import { connectThroughTunnel, DevToolsTunnel } from './browser-control.js';

/** A browser container of the composed environment and the Chromium inside it. */
export interface ContainerBrowser {
  service: string;
  container: StartedTestContainer;
  browser: Browser;
  /** Disconnects Playwright (the browser process keeps running) and closes the tunnel. */
  detach(): Promise<void>;
}

/** Connects to the Chromium of compose service `service` (container `<service>-1`). */
export async function attachBrowser(
  environment: StartedDockerComposeEnvironment,
  service: string,
): Promise<ContainerBrowser> {
  const container = environment.getContainer(`${service}-1`);
  const tunnel = await DevToolsTunnel.open(container.getId());
  const browser = await connectThroughTunnel(tunnel);
  return {
    service,
    container,
    browser,
    detach: async () => {
      await browser.close();
      await tunnel.close();
    },
  };
}

/** The container's address on the compose network whose name ends with `network`. */
export function addressOn(container: StartedTestContainer, network: string): string {
  const name = container.getNetworkNames().find((candidate) => candidate.endsWith(`_${network}`));
  if (!name) throw new Error(`${container.getName()} is not on network ${network}`);
  return container.getIpAddress(name);
}
