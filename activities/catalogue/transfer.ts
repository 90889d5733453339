/** Catalogue entries: Movers between localities and to/from other CHIS. */
import { z } from 'zod';
import { define, LOCAL } from './shared';

export const TRANSFER_ACTIVITIES = {
  'transfer.changeResponsibleLocality': define({
    description: 'Move responsibility for the child to another locality (the record stays).',
    input: z.object({ childId: z.string(), fromLocality: z.string(), toLocality: z.string(), reason: z.string() }),
    output: z.object({ changedAt: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
};
