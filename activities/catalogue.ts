/**
 * The typed activity catalogue: every activity type a BPMN service/send task may name
 * (`zeebe:taskDefinition type`), with its input/output shapes and retry policy.
 *
 * Declarations only: implementations live in other files and are registered with the
 * worker under these names. Workflow code may import this file (it has no Node built-ins and
 * no I/O) to read retry policies; the compiler reads the names to reject unknown types.
 */
import { z } from 'zod';

/** Temporal-compatible retry settings (durations in ms-format strings such as '5s', '10m'). */
export interface ActivityRetryPolicy {
  readonly maximumAttempts: number;
  readonly initialInterval: string;
  readonly backoffCoefficient: number;
  readonly maximumInterval: string;
  /** Error types that mean "retrying cannot help" (bad input, not found...). */
  readonly nonRetryableErrorTypes: readonly string[];
}

export interface ActivityDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly description: string;
  readonly input: I;
  readonly output: O;
  readonly retry: ActivityRetryPolicy;
  /** Longest a single attempt may run. */
  readonly startToCloseTimeout: string;
}

const nhsNumber = z.string().regex(/^\d{10}$/, 'an NHS number is 10 digits');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
const postcode = z.string().min(5).max(8);
const odsCode = z.string().min(3).max(10);
const address = z.object({
  lines: z.array(z.string()).min(1).max(5),
  postcode,
});

/** Quick local work (database writes): a few fast retries. */
const LOCAL: ActivityRetryPolicy = { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: ['ValidationError'] };
/** Calls to national services (PDS): they go down for minutes, so back off further. */
const NATIONAL: ActivityRetryPolicy = { maximumAttempts: 10, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['ValidationError', 'NotFoundError'] };
/** Email / messages: retry for a while; a failure then raises an incident. */
const MESSAGING: ActivityRetryPolicy = { maximumAttempts: 8, initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '15m', nonRetryableErrorTypes: ['ValidationError', 'NoContactDetailsError'] };

function define<I extends z.ZodType, O extends z.ZodType>(d: ActivityDefinition<I, O>): ActivityDefinition<I, O> {
  return d;
}

export const ACTIVITY_CATALOGUE = {
  'child.createOrMatchRecord': define({
    description: 'Create the child record, or match the existing one for this NHS number (never two records per NHS number).',
    input: z.object({
      nhsNumber,
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      dateOfBirth: isoDate,
      sex: z.enum(['male', 'female', 'indeterminate', 'unknown']).optional(),
      address,
      gpPracticeCode: odsCode.optional(),
      mother: z.object({ nhsNumber: nhsNumber.optional(), name: z.string().optional() }).optional(),
    }),
    output: z.object({ childId: z.string(), created: z.boolean() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'child.deriveLocality': define({
    description: 'Work out the responsible locality from the postcode (or the GP practice when the postcode is outside the region).',
    input: z.object({ postcode, gpPracticeCode: odsCode.optional() }),
    output: z.object({ locality: z.string(), inRegion: z.boolean() }),
    retry: LOCAL,
    startToCloseTimeout: '10s',
  }),
  'pds.lookupPatient': define({
    description: 'Look up a patient on the national demographics service (PDS).',
    input: z.object({ nhsNumber }),
    output: z.object({
      found: z.boolean(),
      dateOfBirth: isoDate.optional(),
      address: address.optional(),
      gpPracticeCode: odsCode.optional(),
      deceased: z.boolean().optional(),
    }),
    retry: NATIONAL,
    startToCloseTimeout: '1m',
  }),
  'notify.emailGpPractice': define({
    description: "Email the child's GP practice (birth, mover, overdue immunisations).",
    input: z.object({ gpPracticeCode: odsCode, template: z.string(), childId: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
    output: z.object({ messageId: z.string() }),
    retry: MESSAGING,
    startToCloseTimeout: '1m',
  }),
  'notify.remindFamily': define({
    description: "Remind the family (immunisation due/overdue, appointment) by their preferred contact method.",
    input: z.object({ childId: z.string(), reminder: z.string(), preferredContact: z.enum(['email', 'sms', 'letter']).optional() }),
    output: z.object({ sentVia: z.enum(['email', 'sms', 'letter']) }),
    retry: MESSAGING,
    startToCloseTimeout: '1m',
  }),
  'transfer.changeResponsibleLocality': define({
    description: 'Move responsibility for the child to another locality (the record stays).',
    input: z.object({ childId: z.string(), fromLocality: z.string(), toLocality: z.string(), reason: z.string() }),
    output: z.object({ changedAt: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'immunisation.checkGaps': define({
    description: 'Compare the immunisation history with the schedule for the date of birth.',
    input: z.object({ childId: z.string(), dateOfBirth: isoDate, asOf: isoDate.optional() }),
    output: z.object({
      upToDate: z.boolean(),
      gaps: z.array(z.object({ vaccine: z.string(), dueOn: isoDate, overdue: z.boolean() })),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'screening.checkOutstanding': define({
    description: 'List screening (blood spot, hearing, NIPE) still outstanding and whether it can still be offered.',
    input: z.object({ childId: z.string(), dateOfBirth: isoDate }),
    output: z.object({
      outstanding: z.array(z.object({ programme: z.string(), offerUntil: isoDate.optional() })),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'safeguarding.raiseConcern': define({
    description: 'Raise a safeguarding concern for a safeguarding lead to decide on.',
    input: z.object({ childId: z.string(), reason: z.string(), severity: z.enum(['low', 'medium', 'high']) }),
    output: z.object({ concernId: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
} as const satisfies Record<string, ActivityDefinition>;

export type ActivityType = keyof typeof ACTIVITY_CATALOGUE;
export type ActivityInput<T extends ActivityType> = z.infer<(typeof ACTIVITY_CATALOGUE)[T]['input']>;
export type ActivityOutput<T extends ActivityType> = z.infer<(typeof ACTIVITY_CATALOGUE)[T]['output']>;

/** The names the BPMN compiler accepts as service/send task types. */
export const ACTIVITY_TYPES: ReadonlySet<string> = new Set(Object.keys(ACTIVITY_CATALOGUE));

export function isActivityType(name: string): name is ActivityType {
  return Object.prototype.hasOwnProperty.call(ACTIVITY_CATALOGUE, name);
}

export function activityDefinition(name: string): ActivityDefinition | undefined {
  return isActivityType(name) ? ACTIVITY_CATALOGUE[name] : undefined;
}
