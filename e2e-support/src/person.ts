import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { ContainerBrowser } from './container-browser.js';
import { APP_URL } from './stack.js';
import { instrumentRinging } from './ringing-probe.js';
import { instrumentPeerConnections, openPeerConnections } from './webrtc-probe.js';

export const ARTIFACTS_DIR = join(__dirname, '../../e2e/artifacts');
const UI_TIMEOUT_MS = 15_000;

/**
 * One person using Callgate in one tab of a containerised Chromium, driven through the
 * UI by accessible names only (labels, roles, button names), as a person would.
 */
export class Person {
  readonly password = `pw-${Math.random().toString(36).slice(2)}-long-enough`;
  /** Every request or WebSocket the tab opened to anything but the app's own origin. */
  readonly foreignRequests: string[] = [];
  /** The tab's latest console messages, for diagnosing a failed scenario. */
  private readonly consoleTail: string[] = [];

  private constructor(
    readonly username: string,
    readonly side: ContainerBrowser,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** A fresh browser profile (context) on `side`, with the app open at the sign-in page. */
  static async open(side: ContainerBrowser, username: string, query = ''): Promise<Person> {
    const context = await side.browser.newContext({ viewport: { width: 1100, height: 800 } });
    await instrumentPeerConnections(context);
    await instrumentRinging(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const person = new Person(username, side, context, page);
    const origin = new URL(APP_URL).origin;
    const check = (url: string): void => {
      if (/^(data|blob|about):/.test(url)) return;
      const parsed = new URL(url);
      const sameOrigin =
        parsed.origin === origin ||
        (parsed.protocol === 'wss:' && parsed.host === new URL(APP_URL).host);
      if (!sameOrigin) person.foreignRequests.push(url);
    };
    context.on('request', (request) => check(request.url()));
    page.on('console', (message) => {
      person.consoleTail.push(`${new Date().toISOString()} ${message.type()}: ${message.text()}`);
      if (person.consoleTail.length > 80) person.consoleTail.shift();
    });
    page.on('websocket', (socket) => check(socket.url()));
    await page.goto(`${APP_URL}${query}`);
    return person;
  }

  async signUp(): Promise<void> {
    await this.page.getByLabel('Username').fill(this.username);
    await this.page.getByLabel('Password').fill(this.password);
    await this.page.getByRole('button', { name: 'Sign up' }).click();
    await this.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await this.page.getByTestId('connection-state').getByText('Online').waitFor();
  }

  /** Searches for `other` and waits until the contact list shows them online. */
  async seesOnline(other: Person): Promise<void> {
    await this.goToContacts();
    await this.page.getByLabel('Search people').fill(other.username);
    await this.page.getByTestId(`presence-${other.username}`).getByText('Online').waitFor();
    await this.callButton(other).and(this.page.locator(':enabled')).waitFor();
  }

  async call(other: Person): Promise<void> {
    await this.seesOnline(other);
    await this.callButton(other).click();
    await this.page.getByRole('button', { name: 'Cancel' }).waitFor();
  }

  /** Waits for the incoming-call dialog naming `caller`. */
  async hearsRingingFrom(caller: Person): Promise<void> {
    const dialog = this.page.getByRole('alertdialog', { name: 'Incoming call' });
    await dialog.getByText(`${caller.username} is calling you`).waitFor();
  }

  /** Clicks "Accept"; returns the moment of the click (ms since the epoch). */
  async accept(): Promise<number> {
    const button = this.page.getByRole('button', { name: 'Accept' });
    await button.waitFor();
    const clickedAt = Date.now();
    await button.click();
    return clickedAt;
  }

  async decline(): Promise<void> {
    await this.page.getByRole('button', { name: 'Decline' }).click();
  }

  async cancel(): Promise<void> {
    await this.page.getByRole('button', { name: 'Cancel' }).click();
  }

  async hangUp(): Promise<void> {
    await this.page.getByRole('button', { name: 'Hang up' }).click();
  }

  /** Waits until the page shows `sentence` (call outcomes are plain sentences). */
  async reads(sentence: string): Promise<void> {
    await this.page.getByText(sentence, { exact: true }).waitFor();
  }

  /** Dismisses the last call's outcome sentence, if one is shown. */
  async dismissOutcome(): Promise<void> {
    const dismiss = this.page.getByRole('button', { name: 'Dismiss' });
    if (await dismiss.isVisible()) await dismiss.click();
  }

  /**
   * The connection badge on the call screen ("Direct", "Relayed (TURN/UDP)", …), once it
   * names a path: the app samples stats every 2 s and says "Connecting…" until then.
   */
  async connectionBadge(): Promise<string> {
    const badge = this.page
      .getByTestId('connection-badge')
      .filter({ hasText: /^\s*(Direct|Relayed)/ });
    await badge.waitFor();
    return (await badge.innerText()).trim();
  }

  /**
   * Leaves whatever call state a failed scenario left behind (ringing, in a call, an
   * incoming dialog, an outcome sentence), so the next scenario starts idle.
   */
  async endAnyCall(): Promise<void> {
    for (const name of ['Hang up', 'Cancel', 'Decline', 'Dismiss']) {
      const button = this.page.getByRole('button', { name, exact: true });
      if (await button.isVisible()) await button.click().catch(() => undefined);
    }
  }

  /** Flips the "Relay only (force TURN)" switch in Settings to `on`. */
  async setRelayOnly(on: boolean): Promise<void> {
    await this.page.getByRole('link', { name: 'Settings' }).click();
    const toggle = this.page.getByRole('switch', { name: 'Relay only (force TURN)' });
    if ((await toggle.isChecked()) !== on) await toggle.click();
    await this.page
      .getByTestId('relay-state')
      .getByText(on ? 'on' : 'off')
      .waitFor();
    await this.goToContacts();
  }

  async goToContacts(): Promise<void> {
    const link = this.page.getByRole('link', { name: 'Contacts' });
    if (!this.page.url().endsWith('/contacts')) await link.click();
    await this.page.getByRole('heading', { name: 'Contacts' }).waitFor();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const path = join(ARTIFACTS_DIR, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** What the tab said lately and what it shows, for a failure report. */
  async diagnostics(): Promise<string> {
    const status = await this.page
      .getByRole('status')
      .allInnerTexts()
      .catch(() => []);
    return [
      `--- ${this.username} (${this.side.service}) at ${this.page.url()}`,
      `status: ${status.join(' | ')}`,
      ...this.consoleTail.slice(-40),
    ].join('\n');
  }

  /** Peer connections the page still has open (0 after every call, or it leaks). */
  async openPeerConnections(): Promise<number> {
    return openPeerConnections(this.page);
  }

  async leave(): Promise<void> {
    await this.context.close();
  }

  private callButton(other: Person) {
    return this.page.getByRole('button', { name: `Call ${other.username}`, exact: true });
  }
}
