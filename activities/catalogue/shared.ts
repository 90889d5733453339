/** Building blocks shared by the catalogue's domain files: retry policies and common shapes. */
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
  /**
   * Short PostgreSQL work: run in the workflow's own worker as a Temporal local activity (no
   * task-queue round trip). Read at deploy time and stored in the compiled graph, so a running
   * version keeps its mode. Only for work that needs no heartbeat, no server clock and no other
   * network service, and whose retries back off by at most a minute (they stay in the worker).
   */
  readonly local?: boolean;
}

export const nhsNumber = z.string().regex(/^\d{10}$/, 'an NHS number is 10 digits');
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
export const postcode = z.string().min(5).max(8);
export const odsCode = z.string().min(3).max(10);
export const address = z.object({
  lines: z.array(z.string()).min(1).max(5),
  postcode,
});

/** Quick local work (database writes): a few fast retries. */
export const LOCAL: ActivityRetryPolicy = {
  maximumAttempts: 5,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: ['ValidationError'],
};
/** Calls to national services (PDS): they go down for minutes, so back off further. */
export const NATIONAL: ActivityRetryPolicy = {
  maximumAttempts: 10,
  initialInterval: '5s',
  backoffCoefficient: 2,
  maximumInterval: '10m',
  nonRetryableErrorTypes: ['ValidationError', 'NotFoundError'],
};
/**
 * Messages: writing them to the outbox (database work; delivery is the outbox relay's and never
 * fails a step). Retried for about 20 minutes of database trouble before an incident.
 */
export const MESSAGING: ActivityRetryPolicy = {
  maximumAttempts: 8,
  initialInterval: '10s',
  backoffCoefficient: 2,
  maximumInterval: '15m',
  nonRetryableErrorTypes: ['ValidationError', 'NoContactDetailsError'],
};

export function define<I extends z.ZodType, O extends z.ZodType>(
  d: ActivityDefinition<I, O>,
): ActivityDefinition<I, O> {
  return d;
}
