/** What a mail template is: a validated model in, a subject with plain-text and HTML parts out. */
import { z } from 'zod';
import { isValidNhsNumber } from '../../core/nhs-number';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailTemplate<M> {
  readonly name: string;
  readonly audience: 'gp-practice' | 'family';
  readonly description: string;
  /** Strict: a key the template does not know (a full name, an address...) is refused. */
  readonly model: z.ZodType<M>;
  render(model: M): RenderedMail;
}

export function defineTemplate<M>(t: MailTemplate<M>): MailTemplate<M> {
  return t;
}

/** The child, as every email names them: NHS number and initials, nothing more. */
export const childIdentity = {
  nhsNumber: z.string().refine(isValidNhsNumber, 'expected a valid 10-digit NHS number'),
  initials: z.string().regex(/^\p{Lu}{1,4}$/u, 'expected 1 to 4 capital letters (initials only, never a name)'),
};

/** Fields every GP practice email has: the child's identity and the practice it goes to. */
export const gpPracticeFields = {
  ...childIdentity,
  practiceName: z.string().min(1).max(200),
  practiceCode: z.string().regex(/^[A-Z0-9]{1,9}$/, 'expected an ODS code'),
};

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** "A.B." for the text, from "AB". */
export const dotted = (initials: string) =>
  initials
    .split('')
    .map((c) => `${c}.`)
    .join('');

/** 2026-03-04 → 4 March 2026 (dates in emails are written out, never ambiguous). */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const month = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ][m - 1];
  return `${d} ${month} ${y}`;
}
