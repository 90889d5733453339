/** Catalogue entries: The immunisation schedule and its gaps. */
import { z } from 'zod';
import { define, isoDate, LOCAL } from './shared';

export const IMMUNISATION_ACTIVITIES = {
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
};
