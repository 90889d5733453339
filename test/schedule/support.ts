/** Helpers for the schedule scenario tests: evaluate a child and read the answer compactly. */
import { evaluateSchedule, type ChildSchedule, type Immunisation, type Sex } from '../../schedule';

export const GRACE_DAYS = 28;

export function scheduleOf(
  dateOfBirth: string,
  asOf: string,
  given: ReadonlyArray<readonly [product: string, givenOn: string]> = [],
  sex?: Sex,
): ChildSchedule {
  const immunisations: Immunisation[] = given.map(([product, givenOn], i) => ({ product, givenOn, ref: `e${i + 1}` }));
  return evaluateSchedule({ dateOfBirth, sex }, immunisations, { asOf, graceDays: GRACE_DAYS });
}

/** The dose codes of a child's schedule, sorted. */
export function codesOf(s: ChildSchedule): string[] {
  return s.doses.map((d) => d.code).sort();
}

/** One dose of a schedule by code (fails the test when absent). */
export function doseOf(s: ChildSchedule, code: string) {
  const d = s.doses.find((x) => x.code === code);
  if (!d) throw new Error(`no dose ${code} in the schedule (has ${codesOf(s).join(', ')})`);
  return d;
}

/** code → status, for the codes asked about. */
export function statuses(s: ChildSchedule, codes: readonly string[]): Record<string, string> {
  return Object.fromEntries(codes.map((c) => [c, doseOf(s, c).status]));
}

/** code → due date, for the codes asked about. */
export function dueDates(s: ChildSchedule, codes: readonly string[]): Record<string, string> {
  return Object.fromEntries(codes.map((c) => [c, doseOf(s, c).dueOn]));
}
