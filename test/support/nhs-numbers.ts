/**
 * Synthetic NHS numbers for tests: 999… numbers are never issued. Each caller keeps its own
 * prefix so its numbers cannot collide with another helper's or with seeded children (the
 * seed counts up from 999 000 0000).
 */
import { nhsCheckDigit } from '../../core/nhs-number';

/**
 * A generator of valid (Modulus 11) NHS numbers `<prefix><serial><check digit>`, sequential
 * from a random start below `startBelow` (default: half the prefix's range) and wrapping within
 * the range: unique within a test process, where random picks collided now and then.
 */
export function nhsNumberSequence(prefix: string, startBelow?: number): () => string {
  if (!/^\d{1,8}$/.test(prefix)) throw new Error(`an NHS number prefix is 1 to 8 digits, not "${prefix}"`);
  const digits = 9 - prefix.length;
  const range = 10 ** digits;
  let serial = Math.floor(Math.random() * (startBelow ?? range / 2));
  return () => {
    for (;;) {
      const nine = `${prefix}${String(serial++ % range).padStart(digits, '0')}`;
      const check = nhsCheckDigit(nine);
      if (check !== null) return `${nine}${check}`;
    }
  };
}
