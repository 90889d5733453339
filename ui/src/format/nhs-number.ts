/** NHS numbers as people read them: 3-3-4 digit groups, e.g. "999 123 4567" (CUI NUM-0015). */
export function formatNhsNumber(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length !== 10) return value;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

/** Groups what has been typed so far (digits only, at most 10), for an input that formats as you type. */
export function groupAsTyped(value: string): string {
  const digits = value.replace(/\D/g, '').slice(0, 10);
  return [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)].filter((part) => part !== '').join(' ');
}

export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/** The Modulus 11 check (same rule as the API); null when valid, else why not. */
export function nhsNumberProblem(value: string): string | null {
  const digits = digitsOf(value);
  if (digits.length !== 10 || /[^\d\s]/.test(value)) return 'Enter a 10-digit NHS number';
  const sum = [...digits.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  if (expected === 10 || expected !== Number(digits[9]))
    return 'Enter a valid NHS number: this one fails its check digit';
  return null;
}
