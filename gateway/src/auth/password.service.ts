import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id password hashing (@node-rs/argon2 defaults: argon2id, 19 MiB, 2 passes,
 * the OWASP baseline). Verification of an unknown user runs against a dummy hash so
 * response time does not reveal whether the account exists.
 */
@Injectable()
export class PasswordService {
  private dummyHash: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    if (passwordHash === undefined) {
      this.dummyHash ??= hash('callgate-timing-equaliser');
      await verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }
}
