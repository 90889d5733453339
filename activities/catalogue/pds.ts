/** Catalogue entries: the national demographics service (PDS), through the pds/ adapter. */
import { z } from 'zod';
import { define, nhsNumber, isoDate, odsCode, address, NATIONAL } from './shared';

export const PDS_ACTIVITIES = {
  'pds.lookupPatient': define({
    description:
      'Look up a patient on the national demographics service (PDS): found or not, and the demographics PDS holds. Retried with backoff while PDS is unavailable.',
    input: z.object({ nhsNumber }),
    output: z.object({
      found: z.boolean(),
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      dateOfBirth: isoDate.optional(),
      sex: z.enum(['male', 'female', 'indeterminate', 'unknown']).optional(),
      address: address.optional(),
      gpPracticeCode: odsCode.optional(),
      deceased: z.boolean().optional(),
    }),
    retry: {
      ...NATIONAL,
      nonRetryableErrorTypes: [...NATIONAL.nonRetryableErrorTypes, 'PdsResponseError', 'ConfigurationError'],
    },
    startToCloseTimeout: '1m',
  }),
};
