/**
 * Catalogue entries: safeguarding concerns and their escalation (the safeguarding-escalation
 * process). Inputs are the process variables a service task sees; extra variables are ignored.
 */
import { z } from 'zod';
import { define, nhsNumber, LOCAL } from './shared';

const id = z
  .union([z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive whole number'), z.number().int().positive()])
  .transform(String);
const severity = z.enum(['low', 'medium', 'high']);

/** A concern as the escalation process works with it. */
const concernFacts = {
  concernId: z.string(),
  childId: z.string(),
  nhsNumber,
  /** The child's responsible locality code: the safeguarding team `<locality>-safeguarding` decides. */
  locality: z.string(),
  /** human_tasks.locality_id of the process's tasks. */
  localityId: z.number().int(),
  severity,
  /** Task priority derived from the severity and the child's alert (0–100). */
  priority: z.number().int().min(0).max(100),
  reason: z.string(),
  safeguardingAlert: z.enum(['none', 'concern', 'child_protection_plan', 'looked_after']),
};

/** One missed appointment, as the escalation names it. */
const miss = z.object({
  date: z.string(),
  kind: z.string(),
  contact: z.string().nullable(),
  vaccine: z.string().nullable(),
  label: z.string(),
});

export const SAFEGUARDING_ACTIVITIES = {
  'safeguarding.assessWasNotBrought': define({
    description:
      "A child was not brought to an appointment (any kind: immunisation, health visit, screening, NIPE): count the child's Was Not Brought appointments in the window ending on it; at the limit — one for a child on a child protection plan or looked after — decide to escalate once for this appointment, naming every miss in the window.",
    input: z.object({
      childId: id,
      appointment: z
        .object({
          kind: z.string().min(1),
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
          contact: z.string().optional(),
          vaccine: z.string().optional(),
        })
        .loose(),
      /** Look-back window, an ISO 8601 duration in years, months, weeks or days (e.g. P12M). */
      window: z
        .string()
        .regex(/^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$/, 'window is an ISO 8601 duration such as P12M'),
      limit: z.number().int().min(1).max(20),
      childProtectionLimit: z.number().int().min(1).max(20),
    }),
    output: z.object({
      count: z.number().int(),
      limit: z.number().int(),
      escalate: z.boolean(),
      misses: z.array(miss),
      /** The escalation's reason, naming every miss in the window. */
      summary: z.string(),
      safeguardingAlert: z.enum(['none', 'concern', 'child_protection_plan', 'looked_after']),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),

  // Queued, not local: it also starts the escalation process through the Temporal server.
  'safeguarding.raiseConcern': define({
    description:
      "Raise a safeguarding concern for a safeguarding lead to decide on: the concern row (the child's alert becomes 'concern' if it was 'none'), audited, then the safeguardingEscalationRaised message that starts the safeguarding-escalation process.",
    input: z.object({
      childId: id,
      reason: z.string().trim().min(1, 'reason must not be empty').max(2000),
      severity: severity.default('medium'),
      /** Who raised it: a process key (`system:<key>`) unless said otherwise. */
      raisedBy: z.string().max(200).optional(),
    }),
    output: z.object({ concernId: z.string() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
  }),
  'safeguarding.recordAlert': define({
    description:
      "A child-protection alert (CP-IS) arrived: set the child's safeguarding alert and open a concern for the escalation process already running (no second process is started).",
    input: z.object({
      childId: id.optional(),
      nhsNumber,
      alert: z
        .object({
          type: z.enum(['child_protection_plan', 'looked_after', 'concern']),
          summary: z.string().max(2000).optional(),
          severity: severity.optional(),
        })
        .loose(),
    }),
    output: z.object(concernFacts),
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError', 'NotFoundError'] },
    startToCloseTimeout: '30s',
    local: true,
  }),
  'safeguarding.openEscalation': define({
    description: "Read the concern and its child for the safeguarding lead's task (audited).",
    input: z.object({ concernId: id }),
    output: z.object(concernFacts),
    retry: { ...LOCAL, nonRetryableErrorTypes: ['ValidationError', 'NotFoundError'] },
    startToCloseTimeout: '30s',
    local: true,
  }),
  'safeguarding.escalateOverdue': define({
    description:
      "The safeguarding lead's decision is overdue: the concern is marked escalated (to region management) and the reason audited.",
    input: z.object({ concernId: id, escalateTo: z.string().max(100).default('region-management') }),
    output: z.object({ concernStatus: z.literal('escalated') }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
  'safeguarding.recordDecision': define({
    description:
      "The lead's decision: close (no further action), monitor (review later) or refer on; the concern row follows and the decision is audited.",
    input: z.object({
      concernId: id,
      decision: z.enum(['close', 'monitor', 'refer']),
      referTo: z.enum(['childrens_social_care', 'other_agency']).optional().nullable(),
      notes: z.string().max(10000).optional().nullable(),
      /** When a monitored concern is reviewed again (ISO 8601 duration from now). */
      reviewAfter: z.string().regex(/^P/, 'reviewAfter is an ISO 8601 duration').optional().nullable(),
    }),
    output: z.object({
      concernStatus: z.enum(['closed', 'monitoring', 'referred']),
      concernOutcome: z.string().nullable(),
    }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
};
