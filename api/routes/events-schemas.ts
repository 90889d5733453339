/**
 * Request bodies of the inbound-event endpoints (api/routes/events.ts). Every body is strict
 * (unknown fields are refused) and may carry the sender's `eventId`; without one, the event's
 * content identifies it (see records/inbound-events.ts).
 */
import { z } from 'zod';
import { normalisePostcode } from '../../core/postcode';
import { MANDATED_CONTACT_CODES, mandatedContact } from '../../schedule/contacts';
import { isoDate, nhsNumber } from '../validation';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const eventId = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .meta({
    description: "The sender's id for this event; a repeat with the same id is answered with the first one's result",
  });

export const postcode = z
  .string()
  .transform((v, ctx) => {
    const normalised = normalisePostcode(v);
    if (normalised === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a UK postcode such as B15 2TT' });
      return z.NEVER;
    }
    return normalised;
  })
  .meta({
    description: 'UK postcode; outside the region is accepted and routed (see README "Inbound events and PDS")',
    examples: ['B15 2TT'],
  });

export const odsCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3,9}$/, 'must be an ODS code: 3 to 9 letters and digits')
  .meta({ description: 'GP practice ODS code', examples: ['M85001'] });

export const address = z
  .object({
    lines: z.array(text(100)).min(1, 'must have at least one line').max(5, 'must have at most 5 lines'),
    postcode,
  })
  .strict();

export const sex = z.enum(['female', 'male', 'indeterminate', 'unknown']);

const base = { eventId: eventId.optional(), nhsNumber: nhsNumber() };

export const birthNotificationBody = z
  .object({
    ...base,
    givenName: text(100),
    familyName: text(100),
    dateOfBirth: isoDate(),
    timeOfBirth: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time as HH:MM (24 hours)'),
    sex,
    mother: z.object({ nhsNumber: nhsNumber().optional(), name: text(200) }).strict(),
    address,
    gpPracticeCode: odsCode,
    maternityUnit: text(200),
  })
  .strict();

export const addressChangeBody = z.object({ ...base, address, effectiveFrom: isoDate().optional() }).strict();

export const gpChangeBody = z
  .object({ ...base, gpPracticeCode: odsCode, effectiveFrom: isoDate().optional() })
  .strict();

export const SAFEGUARDING_ALERTS = ['none', 'concern', 'child_protection_plan', 'looked_after'] as const;

export const inboundTransferBody = z
  .object({
    ...base,
    fromChis: text(200).meta({ description: 'The sending CHIS (outside the region)' }),
    givenName: text(100),
    familyName: text(100),
    dateOfBirth: isoDate(),
    sex,
    address,
    gpPracticeCode: odsCode.optional(),
    safeguardingAlert: z.enum(SAFEGUARDING_ALERTS).default('none'),
  })
  .strict();

export const immunisationBody = z
  .object({
    ...base,
    vaccine: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a vaccine code such as 6in1, hib-menc, mmr, mmrv')
      .optional()
      .meta({ description: 'Product code (docs/immunisation-schedule.md); or give snomedCode' }),
    snomedCode: z
      .string()
      .trim()
      .regex(/^[0-9]{6,18}$/, 'must be a SNOMED CT concept id (6 to 18 digits)')
      .optional()
      .meta({ description: 'SNOMED CT product or vaccination procedure code, as the national feeds send it' }),
    dose: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10, 'must be at most 10'),
    givenOn: isoDate(),
    givenBy: text(200),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.vaccine === undefined && b.snomedCode === undefined)
      ctx.addIssue({ code: 'custom', path: ['vaccine'], message: 'is needed (or snomedCode)' });
  });

export const SCREENING_PROGRAMMES = ['blood_spot', 'hearing', 'nipe'] as const;

export const screeningOutcomeBody = z
  .object({
    ...base,
    programme: z.enum(SCREENING_PROGRAMMES),
    outcome: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]{1,59}$/, 'must be an outcome code such as no_suspected_condition, clear_response'),
    recordedOn: isoDate(),
    detail: z.record(z.string(), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
  })
  .strict();

export const APPOINTMENT_KINDS = ['immunisation', 'health_visit', 'screening', 'nipe', 'other'] as const;

export const appointmentOutcomeBody = z
  .object({
    ...base,
    kind: z.enum(APPOINTMENT_KINDS),
    date: isoDate(),
    outcome: z.enum(['attended', 'was_not_brought']),
    vaccine: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a vaccine code such as 6in1, menb, mmrv')
      .optional(),
    contact: z.enum(MANDATED_CONTACT_CODES).optional().meta({
      description: 'The mandated contact the appointment was for (health visitor reviews, NIPE at 6–8 weeks)',
    }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.vaccine !== undefined && b.kind !== 'immunisation')
      ctx.addIssue({ code: 'custom', path: ['vaccine'], message: 'is only for immunisation appointments' });
    const contact = b.contact !== undefined ? mandatedContact(b.contact) : undefined;
    if (contact && contact.kind !== b.kind)
      ctx.addIssue({ code: 'custom', path: ['contact'], message: `is a ${contact.kind} appointment, not ${b.kind}` });
  });

export const childProtectionAlertBody = z
  .object({
    ...base,
    type: z.enum(['child_protection_plan', 'looked_after']),
    startDate: isoDate(),
    localAuthority: text(200),
    summary: text(2000).optional(),
  })
  .strict();

export const deathNotificationBody = z
  .object({
    ...base,
    dateOfDeath: isoDate().meta({ description: 'Not in the future, not before the date of birth' }),
  })
  .strict();
