import { z } from 'zod';
import type { QueueCursor } from '../../records/tasks/rows';
import { pageLimit } from '../validation';

export function encodeCursor(c: QueueCursor): string {
  return Buffer.from(JSON.stringify([c.priority, c.dueAt, c.id])).toString('base64url');
}

const cursorShape = z.tuple([z.number().int().min(0).max(100), z.iso.datetime({ offset: true }).nullable(), z.uuid()]);

/** The opaque `next` value of a previous page. */
const cursor = z
  .string()
  .max(200)
  .transform((value, ctx): QueueCursor => {
    try {
      const [priority, dueAt, id] = cursorShape.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return { priority, dueAt, id };
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
  })
  .meta({ description: 'The `next` value of the previous page' });

export const queueQuery = z.object({ limit: pageLimit(25), cursor: cursor.optional() }).strict();

export const taskParams = z.object({ id: z.uuid({ error: 'must be a task id (UUID)' }) }).strict();

const expectedVersion = z
  .number()
  .int()
  .min(1)
  .optional()
  .meta({ description: 'The rowVersion the caller saw; 409 if the task changed since' });

export const claimBody = z.object({ expectedVersion }).strict();

export const assignBody = z
  .object({
    assignee: z
      .string()
      .regex(/^[a-z0-9._-]{3,64}$/, 'must be a username')
      .nullable()
      .meta({ description: 'Username, or null to put the task back in its queue' }),
    expectedVersion,
  })
  .strict();

export const completeBody = z
  .object({
    outcome: z.string().min(1).max(100).optional(),
    data: z.record(z.string(), z.unknown()).default({}),
    expectedVersion,
  })
  .strict();
