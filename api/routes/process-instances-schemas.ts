import { z } from 'zod';
import { nhsNumberProblem } from '../../core/nhs-number';
import { isoDate, pageLimit } from '../validation';
import { definitionKey, definitionVersion } from './process-definitions-schemas';
import type { InstanceCursor } from '../../records/process-instance-rows';

export const INSTANCE_STATUSES = ['running', 'completed', 'incident', 'cancelled', 'terminated', 'failed'] as const;

/**
 * A business key: usually a child's NHS number, normalised to 10 digits when it is a valid one
 * (messages correlate by exact equality, so "943 476 5919" must become "9434765919").
 */
export const businessKey = () =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .regex(/^[A-Za-z0-9 ._:/-]+$/, 'may hold only letters, digits, spaces and . _ : / -')
    .transform((value) => {
      const digits = value.replace(/\s+/g, '');
      return /^\d{10}$/.test(digits) && nhsNumberProblem(digits) === null ? digits : value;
    })
    .meta({
      description: "Business key, usually the child's NHS number; messages correlate on it",
      examples: ['9434765919'],
    });

/** Process variables: a JSON object whose names FEEL can use. */
export const variables = () =>
  z
    .record(
      z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]*$/,
          'must be a variable name (letters, digits and _; not starting with a digit)',
        ),
      z.unknown(),
    )
    .refine((v) => Object.keys(v).length <= 200, 'may hold at most 200 variables')
    .meta({ description: 'Process variables as a JSON object' });

export const instanceParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9_.:@~/-]{1,300}$/, 'must be a process instance id') })
  .strict();

export const incidentParams = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.:@~/-]{1,300}$/, 'must be a process instance id'),
    incidentId: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be an incident id'),
  })
  .strict();

export const startBody = z
  .object({
    key: definitionKey(),
    version: z
      .number({ error: 'must be a version number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .optional()
      .meta({ description: 'Pin this version; the latest when absent' }),
    businessKey: businessKey().nullable().optional(),
    variables: variables().default({}),
    startEventId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Start at this start event (when the process has several)' }),
  })
  .strict();

export function encodeInstanceCursor(c: InstanceCursor): string {
  return Buffer.from(JSON.stringify([c.startedUs, c.id])).toString('base64url');
}

const cursor = z
  .string()
  .max(500)
  .transform((value, ctx): InstanceCursor => {
    try {
      const [startedUs, id] = z
        .tuple([z.string().regex(/^-?\d{1,20}$/), z.string().min(1).max(300)])
        .parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return { startedUs, id };
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
  })
  .meta({ description: 'The `next` value of the previous page' });

export const listQuery = z
  .object({
    key: definitionKey().optional(),
    version: definitionVersion().optional().meta({ description: 'Only instances of this version of `key`' }),
    status: z.enum(INSTANCE_STATUSES, { error: `must be one of: ${INSTANCE_STATUSES.join(', ')}` }).optional(),
    businessKey: businessKey().optional(),
    startedFrom: isoDate().optional().meta({ description: 'Started on or after this day (UK time), YYYY-MM-DD' }),
    startedTo: isoDate().optional().meta({ description: 'Started on or before this day (UK time), YYYY-MM-DD' }),
    hasIncident: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: 'true: only instances an incident holds; false: only those without one' }),
    limit: pageLimit(25),
    cursor: cursor.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.version !== undefined && q.key === undefined)
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'needs key: a version number belongs to one key' });
    if (q.startedFrom && q.startedTo && q.startedFrom > q.startedTo)
      ctx.addIssue({ code: 'custom', path: ['startedTo'], message: 'must not be before startedFrom' });
  });

export const cancelBody = z
  .object({
    reason: z
      .string({ error: 'is required' })
      .trim()
      .min(3, 'must be at least 3 characters')
      .max(500, 'must be at most 500 characters'),
  })
  .strict();

const messageName = () =>
  z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

export const instanceMessageBody = z
  .object({
    name: messageName(),
    correlationKey: businessKey()
      .nullable()
      .optional()
      .meta({ description: "Defaults to the instance's business key; null for a message without a key" }),
    variables: variables().default({}),
    timeToLiveMs: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600 * 1000, 'must be at most 30 days')
      .optional()
      .meta({ description: 'Keep the message this long if nothing waits for it yet' }),
  })
  .strict();

export const publishBody = z
  .object({
    name: messageName(),
    correlationKey: businessKey()
      .nullable()
      .meta({ description: 'Business key of the instances to reach (null: only message start events)' }),
    variables: variables().default({}),
    messageId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Idempotency key: publishing the same messageId again starts no new instances' }),
  })
  .strict();

export const retryBody = z
  .object({ variables: variables().optional().meta({ description: 'Set on the process before the retry' }) })
  .strict();
