import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { z } from 'zod';

/** What a new password must be: long enough to resist guessing, short enough to hash cheaply. */
export const newPassword = z.string().min(8, 'must be at least 8 characters').max(256);

const BCRYPT = /^\$2[aby]\$\d{2}\$/;

/** argon2id with the library defaults (19 MiB, 2 passes, 1 lane: the OWASP baseline). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash is a legacy bcrypt one: replace it with argon2id now that the password is known. */
  rehash: boolean;
}

export async function verifyPassword(password: string, storedHash: string): Promise<PasswordCheck> {
  if (BCRYPT.test(storedHash)) {
    const ok = await bcrypt.compare(password, storedHash);
    return { ok, rehash: ok };
  }
  if (!storedHash.startsWith('$argon2')) return { ok: false, rehash: false };
  try {
    return { ok: await verify(storedHash, password), rehash: false };
  } catch {
    // A malformed stored hash is a mismatch, never a 500.
    return { ok: false, rehash: false };
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so a login for an unknown email is not faster. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password');
  await verify(await dummyHash, password).catch(() => false);
}
