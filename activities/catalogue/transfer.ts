/**
 * Catalogue entries: movers between localities and to/from other CHIS (the child-mover
 * process). Inputs are the process variables a service task sees; extra variables are ignored.
 */
import { z } from 'zod';
import { define, nhsNumber, isoDate, odsCode, address, LOCAL } from './shared';

const id = z
  .union([z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive whole number'), z.number().int().positive()])
  .transform(String);
const localityCode = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a locality code is lower-case letters, digits and hyphens');

/** What the process knows about the child and the move after assessing or receiving it. */
const moveFacts = {
  childId: z.string(),
  nhsNumber,
  dateOfBirth: isoDate,
  fromLocality: localityCode.nullable(),
  toLocality: localityCode.nullable(),
  /** The receiving locality's id: user tasks of the process fill human_tasks.locality_id from it. */
  localityId: z.number().int().nullable(),
  oldGpPracticeCode: odsCode.nullable(),
  safeguardingAlert: z.enum(['none', 'concern', 'child_protection_plan', 'looked_after']),
  openConcerns: z.number().int(),
  /** A child-protection/looked-after alert or an open concern: lead-to-lead handover before completion. */
  needsSafeguardingHandover: z.boolean(),
  /** Why the child moves (the GP emails say so). */
  moveReason: z.enum(['address-change', 'gp-change', 'inbound-transfer']),
};

export const TRANSFER_ACTIVITIES = {
  'transfer.assessMove': define({
    description:
      "Where a change of address or GP takes the child: the same locality (nothing to do), another locality in the region, or out of the region. Reads the child's record (audited).",
    input: z
      .object({
        childId: id.optional(),
        nhsNumber: nhsNumber.optional(),
        /** New address (address change); absent for a change of GP. */
        address: address.optional(),
        /** New GP practice (change of GP). */
        gpPracticeCode: odsCode.optional().nullable(),
        /** The practice before a change of GP (the event endpoint has already recorded the new one). */
        previousGpPracticeCode: odsCode.optional().nullable(),
        /** Locality before the change, when the event says so (else the record's locality). */
        previousLocality: localityCode.optional().nullable(),
      })
      .refine((v) => v.childId !== undefined || v.nhsNumber !== undefined, 'childId or nhsNumber is required'),
    output: z.object({
      moveKind: z.enum(['none', 'within_region', 'out_of_region']),
      postcodeDistrict: z.string().nullable(),
      ...moveFacts,
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  // Queued, not local: it also tells superseded instances through the Temporal server.
  'transfer.request': define({
    description:
      "Open the transfer record (one per process instance); an older open transfer of the child is cancelled and its process told (message transferSuperseded, correlation key the child's NHS number).",
    input: z.object({
      childId: id,
      moveKind: z.enum(['within_region', 'out_of_region']),
      fromLocality: localityCode,
      toLocality: localityCode.nullable().optional(),
      postcodeDistrict: z.string().nullable().optional(),
      oldGpPracticeCode: odsCode.nullable().optional(),
      gpPracticeCode: odsCode.nullable().optional(),
    }),
    output: z.object({ transferId: z.string(), otherChis: z.string().nullable() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  // Queued, not local: it also tells superseded instances through the Temporal server.
  'transfer.recordInbound': define({
    description:
      'A record received from another CHIS: create or match the child (never two records per NHS number) and open an inbound transfer.',
    input: z.object({
      nhsNumber,
      transfer: z.object({
        fromChis: z.string().trim().min(1, 'fromChis names the sending CHIS').max(200),
        givenName: z.string().trim().min(1).max(100),
        familyName: z.string().trim().min(1).max(100),
        dateOfBirth: isoDate,
        sex: z.enum(['male', 'female', 'indeterminate', 'unknown']).default('unknown'),
        address,
        gpPracticeCode: odsCode.optional().nullable(),
        safeguardingAlert: z.enum(['none', 'concern', 'child_protection_plan', 'looked_after']).default('none'),
      }),
    }),
    output: z.object({
      transferId: z.string(),
      moveKind: z.literal('into_region'),
      created: z.boolean(),
      ...moveFacts,
    }),
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError', 'OutOfRegionError'] },
    startToCloseTimeout: '30s',
  }),
  'transfer.decide': define({
    description: "Record the receiving locality's decision: accepted, or referred back (rejected).",
    input: z.object({
      transferId: id,
      decision: z.enum(['accept', 'refer']),
      notes: z.string().max(10000).optional().nullable(),
    }),
    output: z.object({ transferStatus: z.enum(['accepted', 'rejected', 'cancelled']) }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'transfer.remind': define({
    description: "The acceptance is overdue: raise the open task's priority and audit the reminder.",
    input: z.object({ transferId: id }),
    output: z.object({ remindedTasks: z.number().int() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'transfer.escalate': define({
    description:
      'The acceptance is still not done: mark the transfer escalated (to the receiving safeguarding team) and audit why.',
    input: z.object({ transferId: id, reason: z.string().max(2000).optional() }),
    output: z.object({ escalatedAt: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'transfer.recordHandover': define({
    description:
      'The safeguarding lead-to-lead handover happened: record who received it (and, out of the region, at which CHIS and when).',
    input: z.object({
      transferId: id,
      receivingLead: z.string().trim().min(1).max(200),
      handoverNotes: z.string().max(10000).optional().nullable(),
      /** When the receiving lead was spoken to (out of the region: the form asks). */
      spokenAt: z.string().datetime({ offset: true }).optional().nullable(),
      /** The receiving CHIS, when the child leaves the region. */
      receivingChis: z.string().trim().min(1).max(200).optional().nullable(),
    }),
    output: z.object({ handoverCompletedAt: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'transfer.changeResponsibleLocality': define({
    description:
      'Complete an accepted transfer: the responsible locality (and GP practice, when a new one is given) change, and the old and new GP practices are emailed through the outbox in the same transaction.',
    input: z.object({
      transferId: id,
      childId: id,
      toLocality: localityCode,
      newGpPracticeCode: odsCode.optional().nullable(),
      /** The new address (change of address): the record takes it together with the locality. */
      address: address.optional().nullable(),
      moveReason: z.enum(['address-change', 'gp-change', 'inbound-transfer']).default('address-change'),
    }),
    output: z.object({ changedAt: z.string(), emailedPractices: z.array(z.string()) }),
    // A required handover not yet recorded raises BPMN error HANDOVER_MISSING (caught in child-mover.bpmn).
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError'] },
    startToCloseTimeout: '30s',
    local: true,
  }),
  'transfer.completeOutbound': define({
    description:
      "The record was sent to the receiving CHIS: the transfer completes, the child's record is marked moved out, the GP practice is emailed.",
    input: z.object({ transferId: id, receivingChis: z.string().trim().min(1).max(200) }),
    output: z.object({ completedAt: z.string(), emailedPractices: z.array(z.string()) }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
};
