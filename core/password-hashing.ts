import argon2 from 'argon2';

/**
 * The one set of argon2 parameters for every password hash (OWASP's argon2id baseline: 19 MiB,
 * 2 passes). Seeded accounts and the sign-in's dummy check use it too: a verify costs what its
 * hash's parameters say, so one set is what keeps an unknown username as slow as a known one.
 */
export const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, PASSWORD_HASH_OPTIONS);
}

/** Whether a stored hash was made with other parameters (an older seed): rehash it at the next sign-in. */
export function hashNeedsUpgrade(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS);
  } catch {
    return false;
  }
}
