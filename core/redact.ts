/**
 * NHS numbers out of logs: a log line (its message, a URL, an error's message or stack) may
 * name a child. Only numbers that pass the Modulus 11 check are replaced, written as ten
 * digits or as `943 476 5919` / `943-476-5919`, so ids and timestamps stay readable.
 */
import { isValidNhsNumber } from './nhs-number';

export const NHS_NUMBER_MASK = '[NHS number]';
const CANDIDATE = /(?<![\d])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d])/g;

export function redactNhsNumbers(text: string): string {
  return text.replace(CANDIDATE, (match, a: string, _sep: string, b: string, c: string) =>
    isValidNhsNumber(`${a}${b}${c}`) ? NHS_NUMBER_MASK : match,
  );
}

/** A copy of a log object with every string in it redacted (plain objects and arrays, a few levels deep). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactNhsNumbers(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error) {
    return { type: value.name, message: redactNhsNumbers(value.message), stack: redactNhsNumbers(value.stack ?? '') };
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]));
}
