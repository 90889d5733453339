/** Catalogue entries: The national demographics service (PDS). */
import { z } from 'zod';
import { define, nhsNumber, isoDate, odsCode, address, NATIONAL } from './shared';

export const PDS_ACTIVITIES = {
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
};
