import 'reflect-metadata';
import { createInterface } from 'node:readline/promises';
import { Logger } from '@nestjs/common';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN } from '@callgate/protocol';
import { RegistrationService } from './auth/registration.service';
import { createGateway } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

/**
 * `callgate-create-admin <username> [display name]`: creates an admin account, or makes an
 * existing account admin (enabled, with the new password). Works in every REGISTRATION
 * mode. The password comes from ADMIN_PASSWORD or is read from the terminal (stdin).
 */
async function main(): Promise<void> {
  const [rawUsername, ...nameParts] = process.argv.slice(2);
  const username = rawUsername?.trim().toLowerCase() ?? '';
  if (!USERNAME_PATTERN.test(username)) {
    fail(
      'usage: callgate-create-admin <username> [display name]  (username: 3-32 of a-z 0-9 _ . -)',
    );
  }
  const password = process.env['ADMIN_PASSWORD'] ?? (await prompt(`Password for ${username}: `));
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    fail(`the password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters long.`);
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  Logger.overrideLogger(['error', 'warn']);
  const app = await createGateway(config);
  try {
    const displayName = nameParts.join(' ').trim() || username;
    const { user, created } = await app
      .get(RegistrationService)
      .createAdmin({ username, displayName, password });
    process.stdout.write(
      `${created ? 'Created admin' : 'Made admin'} ${user.username} (${user.id}).\n`,
    );
  } finally {
    await app.close();
  }
  // The closed app holds no connection or timer, so the process ends by itself
  // (shutdown.integration.spec). Safety cap only: should something new keep the event loop
  // alive, a one-shot command must still end (a hang here stalls the e2e suite's set-up).
  setTimeout(() => {
    process.stderr.write('callgate-create-admin: the closed app still held the event loop.\n');
    process.exit(0);
  }, 5_000).unref();
}

async function prompt(question: string): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await lines.question(question)).trim();
  } finally {
    lines.close();
  }
}

function fail(message: string): never {
  process.stderr.write(`callgate-create-admin: ${message}\n`);
  process.exit(64); // EX_USAGE
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  process.stderr.write(
    `callgate-create-admin failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
