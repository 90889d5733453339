import argon2 from 'argon2';
import { hashNeedsUpgrade, hashPassword } from '../../core/password-hashing';

export { hashNeedsUpgrade, hashPassword };

// Made once, with the same parameters as every real hash (core/password-hashing.ts).
let dummyHash: Promise<string> | null = null;

/** Makes the dummy hash now, so that the first sign-in of an unknown username is not the slow one. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('no account has this password');
  return dummyHash;
}

/**
 * Verifies a password against a stored hash. With no account (or no password on it) a dummy
 * hash of the same parameters is still checked, so the response time does not tell whether
 * the username exists.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    await argon2.verify(await prepareDummyHash(), password);
    return false;
  }
  try {
    return await argon2.verify(storedHash, password);
  } catch {
    return false; // a malformed stored hash is a failed sign-in, not a crash
  }
}
