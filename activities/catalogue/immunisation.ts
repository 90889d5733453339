/**
 * Catalogue entries: the immunisation schedule, its gaps, the daily overdue sweep and the
 * steps of the missed-immunisation follow-up. Inputs are the process variables a service task
 * sees; variables an entry does not name are ignored.
 */
import { z } from 'zod';
import { define, isoDate, LOCAL } from './shared';

const id = z
  .union([z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive whole number'), z.number().int().positive()])
  .transform(String);
const doseCode = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a dose code is lower-case letters, digits and dashes, e.g. 6in1-1');
const safeguardingAlert = z.enum(['none', 'concern', 'child_protection_plan', 'looked_after']);
const followUpOutcome = z.enum(['given', 'no_longer_offered', 'declined', 'child_inactive']);

/** A dose missing from the child's record, with when to give it when the schedule is resumed. */
const gap = z.object({
  code: z.string(),
  vaccine: z.string(),
  dose: z.number().int(),
  dueOn: isoDate,
  /** Due date plus the locality's grace period has passed. */
  overdue: z.boolean(),
  /** The last day the dose may be given (upper age limit, else the end of the CHIS age range). */
  offerUntil: isoDate,
  /** Catch-up visit: the schedule resumed (never restarted) with 4 weeks between visits and between doses of a vaccine. */
  catchUpOn: isoDate,
});

export const IMMUNISATION_ACTIVITIES = {
  'immunisation.checkGaps': define({
    description:
      "Compare the child's immunisation history with the schedule's rules for their birth cohort (equivalent products count): the doses due and missing that are still offered. No history on record means unimmunised: every due dose is a gap, and the schedule resumes (catch-up visits 4 weeks apart), it does not restart.",
    // Null is taken as absent: an input mapping of an unset variable gives null.
    input: z.object({ childId: id, dateOfBirth: isoDate.nullish(), asOf: isoDate.nullish() }),
    output: z.object({
      upToDate: z.boolean(),
      /** No immunisation on record although doses were due: treated as unimmunised. */
      treatedAsUnimmunised: z.boolean(),
      dosesOnRecord: z.number().int(),
      gaps: z.array(gap),
      /** The next dose due after asOf that is not a gap yet, if any. */
      nextDue: z.object({ code: z.string(), vaccine: z.string(), dose: z.number().int(), dueOn: isoDate }).nullable(),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  // Queued, not local: long (heartbeats) and starts follow-up instances through the Temporal server.
  'immunisation.sweepOverdue': define({
    description:
      "The daily overdue sweep: evaluates, with the schedule's rules (by birth cohort and appointment date, equivalent products, minimum ages and intervals, upper age limits), the children whose answer can have changed (a new immunisation or fact on the record, or a dose becoming overdue), records a follow-up per child and dose that became overdue in the look-back window (due window + the locality grace period) and is not given, then starts one immunisation-follow-up instance per new follow-up, in batches. Idempotent; resumes after a crash.",
    input: z.object({
      asOf: isoDate.optional(),
      /** Doses that became overdue in this many days up to asOf (default 28; longer evaluates every child: 36500 = a catch-up of everything still offered). */
      lookbackDays: z.number().int().min(1).max(36_500).optional(),
      /** Process instances started per batch (default 200). */
      startBatchSize: z.number().int().min(1).max(5_000).optional(),
    }),
    output: z.object({ sweepId: z.string(), asOf: isoDate, found: z.number().int(), started: z.number().int() }),
    retry: LOCAL,
    startToCloseTimeout: '30m',
  }),
  'immunisation.checkDose': define({
    description:
      "At the start of a follow-up: is the dose still missing, still offered, the child still active; and the child's current safeguarding alert.",
    input: z.object({
      childId: id,
      doseCode,
      vaccine: z.string().min(1),
      dose: z.number().int().positive(),
      asOf: isoDate.optional(),
    }),
    output: z.object({
      stillMissing: z.boolean(),
      /** Why not, when stillMissing is false (the follow-up is then closed with it). */
      closeAs: followUpOutcome.nullable(),
      safeguardingAlert,
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'immunisation.recordWasNotBrought': define({
    description:
      "Count a Was Not Brought immunisation appointment for this dose (once per appointment). Escalate when the count reaches the limit (default 2), or the child-protection limit (default 1) for a child on a child protection plan or looked after; one escalation per child and appointment across the child's follow-ups.",
    input: z.object({
      childId: id,
      doseCode,
      vaccine: z.string().min(1),
      appointment: z
        .object({
          kind: z.string().optional(),
          date: isoDate.optional(),
          vaccine: z.string().optional(),
          outcome: z.string().optional(),
        })
        .loose()
        .optional(),
      wasNotBroughtLimit: z.number().int().min(1).max(20).default(2),
      childProtectionLimit: z.number().int().min(1).max(20).default(1),
    }),
    output: z.object({
      /** False when the appointment was for another vaccine or already counted. */
      counted: z.boolean(),
      wasNotBroughtCount: z.number().int(),
      limit: z.number().int(),
      escalate: z.boolean(),
      safeguardingAlert,
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'immunisation.closeFollowUp': define({
    description: 'Close the follow-up with its outcome (given, no longer offered, declined, child inactive); audited.',
    input: z.object({ childId: id, doseCode, outcome: followUpOutcome }),
    output: z.object({ closed: z.boolean() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
};
