/** Catalogue entries: The child record: create or match, responsible locality. */
import { z } from 'zod';
import { define, nhsNumber, isoDate, postcode, odsCode, address, LOCAL } from './shared';

export const CHILD_ACTIVITIES = {
  'child.createOrMatchRecord': define({
    description: 'Create the child record, or match the existing one for this NHS number (never two records per NHS number).',
    input: z.object({
      nhsNumber,
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      dateOfBirth: isoDate,
      sex: z.enum(['male', 'female', 'indeterminate', 'unknown']).optional(),
      address,
      gpPracticeCode: odsCode.optional(),
      mother: z.object({ nhsNumber: nhsNumber.optional(), name: z.string().optional() }).optional(),
    }),
    output: z.object({ childId: z.string(), created: z.boolean() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'child.deriveLocality': define({
    description: 'Work out the responsible locality from the postcode (or the GP practice when the postcode is outside the region).',
    input: z.object({ postcode, gpPracticeCode: odsCode.optional() }),
    output: z.object({ locality: z.string(), inRegion: z.boolean() }),
    retry: LOCAL,
    startToCloseTimeout: '10s',
  }),
};
