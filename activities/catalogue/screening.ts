/** Catalogue entries: Newborn screening (blood spot, hearing, NIPE). */
import { z } from 'zod';
import { define, isoDate, LOCAL } from './shared';

const programme = z.enum(['blood_spot', 'hearing', 'nipe']);
const childId = z.string().regex(/^\d{1,18}$/, 'a child id is the record number (digits)');
const window = z.object({ programme, offerUntil: isoDate });

export const SCREENING_ACTIVITIES = {
  // Queued, not local: its default as-of day is the attempt's scheduled time on the server's clock
  // (right under time skipping); a local activity's is the worker's wall clock.
  'screening.checkOutstanding': define({
    description:
      'Screening (blood spot, hearing, NIPE) with no conclusive result on the record: outstanding while it can still be offered ' +
      '(blood spot to the first birthday, hearing to 3 months, NIPE to 8 weeks), missed after that. Audited as a read of the record.',
    input: z.object({
      childId,
      dateOfBirth: isoDate,
      /** The day to judge on; default the day the activity was scheduled (Temporal's clock, so workflow time). */
      asOf: isoDate.optional(),
      /** Only these programmes (default all three). */
      programmes: z.array(programme).min(1).optional(),
    }),
    output: z.object({
      outstanding: z.array(window),
      missed: z.array(window),
      recorded: z.array(z.object({ programme, outcome: z.string(), recordedOn: isoDate })),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'screening.recordFollowUp': define({
    description:
      "Record a step of a missing-screening follow-up (opened, escalated, resolved) in the child's audit trail, once per call.",
    input: z.object({
      childId,
      programme,
      stage: z.enum(['follow_up_opened', 'escalated', 'resolved']),
      reason: z.string().trim().min(1).max(500),
      dueBy: isoDate.optional(),
    }),
    output: z.object({ auditEventId: z.string(), alreadyRecorded: z.boolean() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
};
