/** Catalogue entries: Newborn screening (blood spot, hearing, NIPE). */
import { z } from 'zod';
import { define, isoDate, LOCAL } from './shared';

export const SCREENING_ACTIVITIES = {
  'screening.checkOutstanding': define({
    description: 'List screening (blood spot, hearing, NIPE) still outstanding and whether it can still be offered.',
    input: z.object({ childId: z.string(), dateOfBirth: isoDate }),
    output: z.object({
      outstanding: z.array(z.object({ programme: z.string(), offerUntil: isoDate.optional() })),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
};
