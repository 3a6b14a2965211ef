import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    __e2eCallStates?: string[];
    axe?: { run(context: Document, options: object): Promise<AxeResults> };
  }
}

/** What the page's latest peer connection sends and receives, by kind. */
export interface SendReceive {
  peerConnections: number;
  /** Labels of the live tracks on video senders (`screen:…` for a shared screen). */
  videoSenderLabels: string[];
  audioSenders: number;
  audioPacketsReceived: number;
}

export async function sendReceive(page: Page): Promise<SendReceive> {
  return page.evaluate(async () => {
    // The call's connection: the newest with media. The app's UDP relay probe (a data
    // channel only) may be newer.
    const calls = (window.__e2ePeerConnections ?? []).filter((c) => c.getTransceivers().length > 0);
    const pc = calls.at(-1);
    if (!pc)
      return {
        peerConnections: 0,
        videoSenderLabels: [],
        audioSenders: 0,
        audioPacketsReceived: 0,
      };
    const live = pc.getSenders().filter((s) => s.track && s.track.readyState === 'live');
    let audioPacketsReceived = 0;
    (await pc.getStats()).forEach((entry: Record<string, unknown>) => {
      if (entry['type'] === 'inbound-rtp' && entry['kind'] === 'audio')
        audioPacketsReceived += Number(entry['packetsReceived'] ?? 0);
    });
    return {
      peerConnections: calls.length,
      videoSenderLabels: live
        .filter((s) => s.track?.kind === 'video')
        .map((s) => s.track?.label ?? ''),
      audioSenders: live.filter((s) => s.track?.kind === 'audio').length,
      audioPacketsReceived,
    };
  });
}

/** From now on, every text the call screen's state line shows is kept, in order. */
export async function recordCallStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const states: string[] = [];
    window.__e2eCallStates = states;
    const read = () => {
      const text = document.querySelector('[data-testid="call-state"]')?.textContent?.trim() ?? '';
      if (text && states[states.length - 1] !== text) states.push(text);
    };
    read();
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}

export async function recordedCallStates(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window.__e2eCallStates ?? [])]);
}

interface AxeResults {
  violations: { id: string; help: string; nodes: { target: unknown[] }[] }[];
  passes: { id: string }[];
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core rules on the page. The source is evaluated through DevTools, which the
 * page's CSP (`script-src 'self'`) does not govern; nothing is added to the page's origin.
 */
export async function axeViolations(
  page: Page,
  rules: string[],
): Promise<{ violations: string[]; passed: string[] }> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (values) => window.axe!.run(document, { runOnly: { type: 'rule', values } }),
    rules,
  );
  return {
    violations: results.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`,
    ),
    passed: results.passes.map((p) => p.id),
  };
}

/** Reads `read()` until `ok` holds (every 100 ms); fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
