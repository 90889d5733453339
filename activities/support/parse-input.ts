/**
 * Input validation against a catalogue schema: bad input is a non-retryable ValidationError
 * naming each field, since retrying cannot fix it. Domains word the message in one of two
 * ways (tests and callers rely on both), so the wording is chosen explicitly.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';

export interface InputErrorWording {
  /** Text between the activity type and the problems: '' or 'bad input: '. */
  lead: string;
  /** How a problem with the whole input (empty path) is named. */
  wholeInput: string;
  /** An absent input (undefined or null) is parsed as `{}`, so an all-optional schema accepts it. */
  absentAsEmpty: boolean;
  /** The list of problems also goes into the failure's details. */
  problemsAsDetails: boolean;
}

/** `<type>: <field>: <problem>; …`, absent input read as `{}` (child, pds, transfer, safeguarding, immunisation). */
export const FIELD_PROBLEMS: InputErrorWording = {
  lead: '',
  wholeInput: 'input',
  absentAsEmpty: true,
  problemsAsDetails: false,
};
/** `<type>: bad input: <field>: <problem>; …`, absent input refused (screening, notify). */
export const BAD_INPUT: InputErrorWording = {
  lead: 'bad input: ',
  wholeInput: '(input)',
  absentAsEmpty: false,
  problemsAsDetails: false,
};

export function parseInput<S extends z.ZodType>(
  activityType: string,
  schema: S,
  input: unknown,
  wording: InputErrorWording = FIELD_PROBLEMS,
): z.infer<S> {
  const parsed = schema.safeParse(wording.absentAsEmpty ? (input ?? {}) : input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || wording.wholeInput}: ${i.message}`);
  throw ApplicationFailure.create({
    type: 'ValidationError',
    message: `${activityType}: ${wording.lead}${problems.join('; ')}`,
    nonRetryable: true,
    details: wording.problemsAsDetails ? [problems] : [],
  });
}

/** A parser for one domain's catalogue entries: `parse(type, raw)` gives the input typed as that entry declares. */
export function parserFor<C extends Record<string, { input: z.ZodType }>>(catalogue: C, wording?: InputErrorWording) {
  return <K extends keyof C & string>(type: K, raw: unknown): z.output<C[K]['input']> =>
    parseInput(type, catalogue[type].input, raw, wording) as z.output<C[K]['input']>;
}
