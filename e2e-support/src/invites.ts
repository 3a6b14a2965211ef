import type { Browser, Page } from 'playwright-core';

/**
 * Sign-up on an invite-only stack (REGISTRATION=invite, the default), as a person does it:
 * an admin makes an invite link, the newcomer opens it and fills in the sign-up form.
 * Shared by the e2e suite (containerised Chromium, https://web:8443) and the TURN bench
 * (the host's Chromium, https://localhost:8443). Imports types only, so the bench can load
 * this file with plain Node as well as through ts-jest.
 */

/** An account that hands out invite links; made with the documented admin command. */
export interface InvitingAdmin {
  readonly username: string;
  readonly password: string;
}

/**
 * `callgate-create-admin <username>` with the password in ADMIN_PASSWORD (README), as argv
 * for an exec in a gateway container. Creates the account or makes an existing one admin.
 */
export function createAdminCommand(admin: InvitingAdmin): string[] {
  if (!/^[A-Za-z0-9._-]+$/.test(admin.username) || !/^[A-Za-z0-9._-]+$/.test(admin.password)) {
    // Both go through a shell: refuse anything that would need quoting.
    throw new Error(`admin username and password must match [A-Za-z0-9._-]+`);
  }
  return [
    'sh',
    '-c',
    `ADMIN_PASSWORD='${admin.password}' exec callgate-create-admin ${admin.username}`,
  ];
}

/** Whether this page's stack needs an invite to sign up (invite mode with an admin there). */
export async function signUpNeedsInvite(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const response = await fetch('/api/auth/registration');
    if (!response.ok) throw new Error(`registration mode: HTTP ${response.status}`);
    const info = (await response.json()) as { mode: string; firstAccount: boolean };
    return info.mode === 'invite' && !info.firstAccount;
  });
}

/**
 * `page.goto`, again when Chromium aborted it because the host's network interfaces changed
 * (`net::ERR_NETWORK_CHANGED`: Docker adding or removing a bridge while a Chromium on the
 * host loads a page, as in the TURN bench). A person's browser would load the page again.
 */
export async function gotoPage(page: Page, url: string, tries = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      return;
    } catch (error) {
      const changed = error instanceof Error && error.message.includes('net::ERR_NETWORK_CHANGED');
      if (!changed || attempt >= tries) throw error;
      await page.waitForTimeout(500);
    }
  }
}

/**
 * A fresh invite link (absolute URL) from `admin`, made through the admin API in a
 * throwaway profile of `browser`, so the newcomer's own profile never holds the admin's
 * session.
 */
export async function inviteLink(
  browser: Browser,
  appUrl: string,
  admin: InvitingAdmin,
  note = 'e2e',
): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await gotoPage(page, appUrl);
    const { path } = await page.evaluate(
      async ({ admin, note }) => {
        const login = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(admin),
        });
        if (!login.ok) throw new Error(`admin sign-in: HTTP ${login.status}`);
        const { accessToken } = (await login.json()) as { accessToken: string };
        const created = await fetch('/api/admin/invites', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
          body: JSON.stringify({ note }),
        });
        if (!created.ok) throw new Error(`invite: HTTP ${created.status}`);
        return (await created.json()) as { path: string };
      },
      { admin: { username: admin.username, password: admin.password }, note },
    );
    return new URL(path, appUrl).href;
  } finally {
    await context.close();
  }
}

export interface NewPerson {
  username: string;
  password: string;
  /** The browser the page belongs to (the admin's throwaway profile opens in it). */
  browser: Browser;
  appUrl: string;
  admin: InvitingAdmin;
  /** Label of the invite the admin makes. */
  note?: string;
}

/**
 * Signs up through the UI as a new person would and waits until they are online. Unless
 * the page already came from an invite link, an invite-only stack gets one from the admin
 * first; an `open` stack (or the very first account) signs up directly.
 */
export async function signUpThroughUi(page: Page, person: NewPerson): Promise<void> {
  if (!page.url().includes('invite=') && (await signUpNeedsInvite(page))) {
    await gotoPage(
      page,
      await inviteLink(person.browser, person.appUrl, person.admin, person.note),
    );
    await page.getByTestId('invite-notice').waitFor();
  }
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByTestId('connection-state').getByText('Online').waitFor();
}
