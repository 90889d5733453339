/** Catalogue entries: the national demographics service (PDS), through the pds/ adapter. */
import { z } from 'zod';
import { define, nhsNumber, isoDate, odsCode, address, NATIONAL } from './shared';

export const PDS_ACTIVITIES = {
  'pds.lookupPatient': define({
    description:
      'Look up a patient on the national demographics service (PDS): found or not, and the demographics PDS holds. Retried with backoff while PDS is unavailable. ' +
      'What PDS says is followed on the record of the NHS number asked for: a superseded number (PDS answers with the current one) is replaced on the record and kept linked; ' +
      'a restricted (S-flagged) record is marked restricted (no address or contact details shown or sent on; PDS gives none); a death on PDS marks the record deceased and ' +
      "tells the child's processes (childDied), which end their work. All audited.",
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
      dateOfDeath: isoDate.optional(),
      /** The current NHS number on PDS (differs from the one asked for when that was superseded). */
      nhsNumber: nhsNumber.optional(),
      superseded: z.boolean().optional(),
      restricted: z.boolean().optional(),
    }),
    retry: {
      ...NATIONAL,
      nonRetryableErrorTypes: [...NATIONAL.nonRetryableErrorTypes, 'PdsResponseError', 'ConfigurationError'],
    },
    startToCloseTimeout: '1m',
  }),
};
