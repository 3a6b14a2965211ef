import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { ContainerBrowser } from './container-browser.js';
import { APP_URL, SUITE_ADMIN } from './stack.js';
import { signUpThroughUi } from './invites.js';
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
  /** Console errors and HTTP responses ≥ 400 of every tab this person opened. */
  readonly failures: string[] = [];
  /** The tab's latest console messages, for diagnosing a failed scenario. */
  private readonly consoleTail: string[] = [];
  /** Records a URL outside the app's origin in {@link foreignRequests}. */
  private checkUrl: (url: string) => void = () => undefined;

  private constructor(
    readonly username: string,
    readonly side: ContainerBrowser,
    readonly context: BrowserContext,
    /** The person's current tab; {@link reopenTab} replaces it. */
    public page: Page,
  ) {}

  /**
   * A fresh browser profile (context) on `side`, with the app open at the sign-in page.
   * `instrument` adds init scripts of the caller's own (the bench's tracer) after the e2e ones.
   */
  static async open(
    side: ContainerBrowser,
    username: string,
    query = '',
    instrument?: (context: BrowserContext) => Promise<void>,
  ): Promise<Person> {
    const context = await side.browser.newContext({ viewport: { width: 1100, height: 800 } });
    await instrumentPeerConnections(context);
    await instrumentRinging(context);
    await instrument?.(context);
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
    context.on('response', (response) => {
      if (response.status() >= 400) person.failures.push(`${response.status()} ${response.url()}`);
    });
    person.checkUrl = check;
    person.watch(page);
    await page.goto(`${APP_URL}${query}`);
    return person;
  }

  /**
   * Closes the tab and opens the app in a new one of the same browser profile: the
   * refresh cookie stays, `sessionStorage` (what the old tab carried) does not.
   */
  async reopenTab(): Promise<void> {
    const old = this.page;
    const page = await this.context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    this.watch(page);
    await old.close();
    this.page = page;
    await page.goto(APP_URL);
  }

  private watch(page: Page): void {
    page.on('console', (message) => {
      const line = `${new Date().toISOString()} ${message.type()}: ${message.text()}`;
      this.consoleTail.push(line);
      if (this.consoleTail.length > 80) this.consoleTail.shift();
      if (message.type() === 'error') this.failures.push(line);
    });
    page.on('websocket', (socket) => this.checkUrl(socket.url()));
  }

  /**
   * Signs up as a new person would. With REGISTRATION=invite (the suite's stack), unless
   * the page was opened from an invite link, the suite admin makes one first (in a
   * throwaway browser profile) and the person opens it; `open` stacks (the call set-up
   * benchmark) sign up directly.
   */
  async signUp(): Promise<void> {
    await signUpThroughUi(this.page, {
      username: this.username,
      password: this.password,
      browser: this.side.browser,
      appUrl: APP_URL,
      admin: SUITE_ADMIN,
    });
  }

  /** Signs in with the username and `password` (another window of the same person). */
  async signIn(password = this.password): Promise<void> {
    await this.page.getByLabel('Username').fill(this.username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
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

  /** "Voice call <name>": no camera on either side at first. */
  async voiceCall(other: Person): Promise<void> {
    await this.seesOnline(other);
    await this.page
      .getByRole('button', { name: `Voice call ${other.username}`, exact: true })
      .click();
    await this.page.getByRole('button', { name: 'Cancel' }).waitFor();
  }

  /** Waits until the call screen's state text is `text` (`Connected`, `Reconnecting…`). */
  async seesCallState(text: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
    await this.page.getByTestId('call-state').getByText(text, { exact: true }).waitFor({
      timeout: timeoutMs,
    });
  }

  /** Waits until the call's data channel (chat, media state) is open on this side. */
  async dataChannelOpen(): Promise<void> {
    await this.page.locator('[data-testid="chat"][data-open="true"]').waitFor();
  }

  /** Sends one chat line through the call screen's chat form. */
  async sendChat(text: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Message' }).fill(text);
    await this.page.getByRole('button', { name: 'Send', exact: true }).click();
  }

  /** The chat lines on screen, as text. */
  async chatLines(): Promise<string[]> {
    return this.page.getByTestId('chat-text').allInnerTexts();
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
