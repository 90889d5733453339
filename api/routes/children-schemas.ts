import { z } from 'zod';
import { TIMELINE_KINDS, type TimelineCursor } from '../../records/children/timeline-page';
import { isoDate, nhsNumber, pageLimit } from '../validation';

export const childParams = z.object({ nhsNumber: nhsNumber() }).strict();

export const childSearchQuery = z
  .object({
    nhsNumber: nhsNumber().optional(),
    familyName: z.string().trim().min(1, 'must not be empty').max(100).optional(),
    dateOfBirth: isoDate().optional(),
    limit: pageLimit(20),
  })
  .strict()
  .superRefine((q, ctx) => {
    const byName = q.familyName !== undefined || q.dateOfBirth !== undefined;
    if (q.nhsNumber !== undefined && byName) {
      ctx.addIssue({
        code: 'custom',
        path: ['nhsNumber'],
        message: 'search by NHS number or by family name and date of birth, not both',
      });
    } else if (q.nhsNumber === undefined && !byName) {
      ctx.addIssue({
        code: 'custom',
        path: ['nhsNumber'],
        message: 'give an NHS number, or a family name and date of birth',
      });
    } else if (byName && q.familyName === undefined) {
      ctx.addIssue({ code: 'custom', path: ['familyName'], message: 'is needed with dateOfBirth' });
    } else if (byName && q.dateOfBirth === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: 'is needed with familyName' });
    }
  });

export const childScheduleQuery = z
  .object({ asOf: isoDate().optional().meta({ description: 'The day the answer is for (default: today in England)' }) })
  .strict();

export function encodeTimelineCursor(c: TimelineCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.order, c.ref])).toString('base64url');
}

const timelineCursor = z
  .string()
  .max(300)
  .transform((value, ctx): TimelineCursor => {
    try {
      const [at, order, ref] = z
        .tuple([z.iso.datetime(), z.number().int().min(0).max(99), z.string().max(200)])
        .parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return { at, order, ref };
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
  })
  .meta({ description: 'The `next` value of the previous page' });

export const timelineQuery = z
  .object({
    limit: pageLimit(50),
    cursor: timelineCursor.optional(),
    kinds: z
      .string()
      .max(1000)
      .transform((value) => value.split(',').map((k) => k.trim()))
      .pipe(z.array(z.enum(TIMELINE_KINDS, { error: `must be kinds from: ${TIMELINE_KINDS.join(', ')}` })))
      .optional()
      .meta({ description: 'Comma-separated kinds to keep (all when absent)' }),
  })
  .strict();
