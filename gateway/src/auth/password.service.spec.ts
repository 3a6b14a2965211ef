import { PasswordService } from './password.service';

describe('PasswordService', () => {
  const passwords = new PasswordService();

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await passwords.hash('correct horse battery');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await passwords.verify(hash, 'correct horse battery')).toBe(true);
    expect(await passwords.verify(hash, 'correct horse battery!')).toBe(false);
  });

  it('answers false for an unknown account and for a corrupt hash', async () => {
    expect(await passwords.verify(undefined, 'whatever-password')).toBe(false);
    expect(await passwords.verify('not-a-hash', 'whatever-password')).toBe(false);
  });
});
