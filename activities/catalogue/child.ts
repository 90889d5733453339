/**
 * Catalogue entries: the child record: create or match, responsible locality, read.
 * Inputs are the process variables a service task sees; extra variables are ignored.
 */
import { z } from 'zod';
import { MANDATED_CONTACT_CODES } from '../../schedule/contacts';
import { define, nhsNumber, isoDate, postcode, odsCode, address, LOCAL } from './shared';

const childId = z
  .union([z.string().regex(/^[1-9][0-9]{0,17}$/, 'a child id is a positive whole number'), z.number().int().positive()])
  .transform(String);
const sex = z.enum(['male', 'female', 'indeterminate', 'unknown']);
const safeguardingAlert = z.enum(['none', 'concern', 'child_protection_plan', 'looked_after']);

/** Where the child belongs: see activities/child/locality.ts for the rule. */
const routing = {
  /** Locality code, null when neither the postcode nor the GP practice is in the region. */
  locality: z.string().nullable(),
  localityId: z.number().int().nullable(),
  /** The address is in the region. */
  inRegion: z.boolean(),
  via: z.enum(['postcode', 'gp_practice', 'none']),
};

export const CHILD_ACTIVITIES = {
  'child.createOrMatchRecord': define({
    description:
      "Create the child record, or match the existing one for the process instance's business key (the NHS number; a variable naming another is refused; never two records per NHS number); the responsible locality comes from the postcode, else the GP practice. Audited with who caused it.",
    input: z.object({
      nhsNumber,
      givenName: z.string().trim().min(1).max(100),
      familyName: z.string().trim().min(1).max(100),
      dateOfBirth: isoDate,
      sex: sex.default('unknown'),
      address,
      gpPracticeCode: odsCode.nullable().optional(),
      mother: z
        .object({ nhsNumber: nhsNumber.nullable().optional(), name: z.string().trim().min(1).max(200) })
        .nullable()
        .optional(),
      /** Set by the inbound-event route that published the starting message: named in the audit. */
      inboundEventId: z.string().max(100).optional(),
    }),
    output: z.object({ childId: z.string(), created: z.boolean(), ...routing }),
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError', 'OutOfRegionError'] },
    startToCloseTimeout: '30s',
    local: true,
  }),
  'child.deriveLocality': define({
    description:
      'Work out the responsible locality from the postcode district, or from the GP practice when the postcode is outside the region.',
    input: z.object({ postcode, gpPracticeCode: odsCode.nullable().optional() }),
    output: z.object({ ...routing, postcodeDistrict: z.string().nullable() }),
    retry: LOCAL,
    startToCloseTimeout: '10s',
    local: true,
  }),
  'child.getRecord': define({
    description:
      "Read the child's record for a process: locality, GP practice, date of birth, safeguarding alert, open concerns. Audited.",
    input: z
      .object({ childId: childId.optional(), nhsNumber: nhsNumber.optional() })
      .refine((v) => v.childId !== undefined || v.nhsNumber !== undefined, 'childId or nhsNumber is required'),
    output: z.object({
      childId: z.string(),
      nhsNumber,
      /** Initials only: what emails and task names may show. */
      initials: z.string(),
      dateOfBirth: isoDate,
      sex,
      postcode: z.string(),
      locality: z.string(),
      localityId: z.number().int(),
      gpPracticeCode: z.string().nullable(),
      status: z.enum(['active', 'moved_out', 'deceased']),
      safeguardingAlert,
      openConcerns: z.number().int(),
    }),
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError', 'NotFoundError'] },
    startToCloseTimeout: '10s',
    local: true,
  }),
  // Queued, not local: long (heartbeats) and starts instances through the Temporal server.
  'child.enrolReviews': define({
    description:
      'The daily enrolment in child-health-reviews: starts it (message start childHealthReviewsEnrolled, with enrolledOn) for every active child under 2½ years it does not follow yet — on the first run the children already on the record, then those who arrived from another CHIS — at most maxStarts per run (the rest on the next days). Only the windows still open or ahead on enrolledOn are followed. Idempotent (one instance id per child). The children read are audited, one row per batch.',
    input: z.object({
      /** The day of enrolment (England); default today. */
      asOf: isoDate.optional(),
      /** Instances started per run at most: spreads a region's first enrolment over days. */
      maxStarts: z.number().int().min(1).max(2_000_000).default(50_000),
    }),
    output: z.object({ enrolledOn: isoDate, found: z.number().int(), started: z.number().int() }),
    retry: LOCAL,
    startToCloseTimeout: '2h',
  }),
  'child.checkContactRecorded': define({
    description:
      "Is a mandated contact on the child's record: an attended appointment reported for it (POST /api/events/appointment-outcomes with its contact code) or, for the 6–8 week NIPE examination, a NIPE screening outcome recorded on or after `since` (the window's first day). Also returns the child's status, responsible locality and safeguarding alert now, for routing a follow-up. Audited.",
    input: z.object({
      childId,
      contact: z.enum(MANDATED_CONTACT_CODES),
      since: isoDate,
    }),
    output: z.object({
      recorded: z.boolean(),
      recordedOn: isoDate.nullable(),
      status: z.enum(['active', 'moved_out', 'deceased']),
      locality: z.string(),
      localityId: z.number().int(),
      /** The child's alert now: on a child protection plan or looked after, a missed contact is escalated at once. */
      safeguardingAlert,
    }),
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError', 'NotFoundError'] },
    startToCloseTimeout: '10s',
    local: true,
  }),
};
