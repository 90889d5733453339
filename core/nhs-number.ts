/**
 * NHS number rules: 10 digits, the 10th a Modulus 11 check digit over digits 1–9
 * weighted 10..2. A check value of 10 means the number can never be valid.
 */

/** The check digit for nine digits, or null when the check value is 10 (no valid number). */
export function nhsCheckDigit(firstNine: string): number | null {
  if (!/^\d{9}$/.test(firstNine)) throw new Error('nhsCheckDigit needs exactly nine digits');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** Why a value is not a valid NHS number, in plain words, or null when it is valid. */
export function nhsNumberProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string of 10 digits';
  const digits = value.replace(/\s/g, '');
  if (!/^\d+$/.test(digits)) return 'must contain digits only';
  if (digits.length !== 10) return `must be 10 digits long, got ${digits.length}`;
  const expected = nhsCheckDigit(digits.slice(0, 9));
  if (expected === null) return 'is not a valid NHS number (its check value is 10)';
  if (expected !== Number(digits[9])) return 'has a wrong check digit';
  return null;
}

export function isValidNhsNumber(value: unknown): value is string {
  return nhsNumberProblem(value) === null;
}

/** Canonical storage form: 10 digits, no spaces. Assumes the value was validated. */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/\s/g, '');
}

/** Display form used by NHS systems: 3-3-4 digits. */
export function formatNhsNumber(value: string): string {
  const d = normaliseNhsNumber(value);
  return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
}
