/** Catalogue entries: Safeguarding concerns and escalation. */
import { z } from 'zod';
import { define, LOCAL } from './shared';

export const SAFEGUARDING_ACTIVITIES = {
  'safeguarding.raiseConcern': define({
    description: 'Raise a safeguarding concern for a safeguarding lead to decide on.',
    input: z.object({ childId: z.string(), reason: z.string(), severity: z.enum(['low', 'medium', 'high']) }),
    output: z.object({ concernId: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
};
