import { z } from 'zod';
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
