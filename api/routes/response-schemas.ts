/**
 * Shapes of JSON responses, shared by the routes that return them: the OpenAPI document
 * publishes them and, under test, every response is checked against them (api/routing.ts).
 */
import { z } from 'zod';
import { ROLES } from '../../records/staff';

const instant = () => z.iso.datetime({ offset: true });
const day = () => z.iso.date();

export const localitySchema = z.object({ id: z.number().int(), code: z.string(), name: z.string() });

export const principalSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  localityIds: z.array(z.number().int()),
  teams: z.array(z.string()),
  localities: z.array(localitySchema).meta({ description: "The caller's localities with their codes and names" }),
});

export const signedInSchema = z.object({
  user: principalSchema,
  csrfToken: z.string().meta({ description: 'Send back in X-CSRF-Token on every change' }),
  sessionIdleMinutes: z
    .number()
    .int()
    .meta({ description: 'The session ends after this many minutes without requests' }),
});

export const SAFEGUARDING_ALERT_VALUES = ['none', 'concern', 'child_protection_plan', 'looked_after'] as const;

/** A child as list rows and banners show them; only for children the caller may see. */
export const childSummarySchema = z.object({
  nhsNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: day(),
  sex: z.string(),
  postcode: z.string(),
  locality: z.string().meta({ description: 'Locality code' }),
  localityName: z.string(),
  status: z.string(),
  safeguardingAlert: z.enum(SAFEGUARDING_ALERT_VALUES),
  restricted: z.boolean().meta({
    description: 'Restricted on PDS (S-flagged): the address and contact details are withheld',
  }),
});

export const formFieldSchema = z.object({
  key: z.string(),
  label: z.string().optional(),
  type: z.string(),
  required: z.boolean(),
  options: z.array(z.string()).optional(),
});

export const taskSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  elementId: z.string(),
  processInstanceId: z.string(),
  processKey: z.string().nullable(),
  businessKey: z.string().nullable(),
  childId: z.string().nullable(),
  localityId: z.number().int().nullable(),
  concernId: z.string().nullable(),
  candidateGroups: z.array(z.string()),
  candidateUsers: z.array(z.string()),
  assignee: z.string().nullable(),
  status: z.enum(['open', 'claimed', 'completed', 'cancelled']),
  priority: z.number().int(),
  dueAt: instant().nullable(),
  followUpAt: instant().nullable(),
  form: z
    .object({ source: z.string().optional(), key: z.string().optional(), fields: z.array(formFieldSchema) })
    .loose()
    .meta({ description: "The task's form: the fields the API validates a completion against" }),
  input: z.record(z.string(), z.unknown()),
  outcome: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  createdAt: instant(),
  claimedAt: instant().nullable(),
  completedAt: instant().nullable(),
  completedBy: z.string().nullable(),
  escalatedAt: instant().nullable(),
  escalationReason: z.string().nullable(),
  rowVersion: z.number().int(),
});

/** A task row in a list: the task and, when the caller may see the child, the child's summary. */
export const taskRowSchema = taskSchema.extend({
  child: childSummarySchema
    .nullable()
    .meta({ description: "The child's summary; null when there is no child or it is outside the caller's localities" }),
});

export const taskPageSchema = z.object({
  tasks: z.array(taskRowSchema),
  next: z.string().nullable().meta({ description: 'Cursor of the following page, or null' }),
});

/** The child banner: the summary and the child's GP practice. */
export const childBannerSchema = childSummarySchema.extend({
  gpPractice: z.object({ odsCode: z.string(), name: z.string() }).nullable(),
});

export const taskDetailSchema = taskSchema.extend({
  form: z
    .object({
      source: z.string().optional(),
      key: z.string().optional(),
      fields: z.array(formFieldSchema),
      schema: z
        .unknown()
        .nullable()
        .meta({ description: 'The form-js schema (Camunda Forms) the definition embeds for this task, or null' }),
    })
    .loose(),
  definition: z
    .object({ key: z.string(), version: z.number().int(), name: z.string().nullable() })
    .nullable()
    .meta({ description: 'The process definition version the task belongs to' }),
  child: childBannerSchema.nullable().meta({ description: "The child's banner; null when the task is about no child" }),
  candidateTeams: z
    .array(z.object({ code: z.string(), name: z.string() }))
    .meta({ description: 'The candidate groups that are teams, with their names (groups may also name a role)' }),
});

export const staffChoiceSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  teamCodes: z.array(z.string()),
  claimedTasks: z.number().int().meta({ description: 'Tasks claimed by this person now' }),
});

export const timelineSchema = z.object({
  nhsNumber: z.string(),
  events: z.array(
    z.object({
      at: instant(),
      kind: z.string().meta({
        description:
          'birth, immunisation, screening, concern_*, task_*, process_*, transfer_*, address_changed, gp_changed, appointment_*, child_protection_alert, death_notified, email, record_opened, break_glass',
      }),
      summary: z.string(),
      ref: z.string().meta({ description: 'What it is about: task:<id>, concern:<id>, instance:<id>, email:<id>, …' }),
      actor: z.string().nullable(),
    }),
  ),
  next: z.string().nullable(),
});

export const screeningStatusSchema = z.object({
  nhsNumber: z.string(),
  asOf: day(),
  screening: z.array(
    z.object({
      programme: z.enum(['nipe', 'blood_spot', 'hearing']),
      name: z.string(),
      deadline: day(),
      offeredUntil: day(),
      status: z.enum(['recorded', 'due', 'overdue', 'not_recorded']),
      outcome: z.string().nullable(),
      recordedOn: day().nullable(),
    }),
  ),
});

const concernFields = {
  id: z.string(),
  nhsNumber: z.string(),
  status: z.enum(['open', 'escalated', 'monitoring', 'referred', 'closed']),
  summary: z.string(),
  raisedAt: instant(),
  escalatedAt: instant().nullable(),
  outcome: z.string().nullable(),
  closedAt: instant().nullable(),
  rowVersion: z.number().int(),
};

export const concernNoteSchema = z.object({
  id: z.string(),
  kind: z.enum(['raised', 'note', 'escalation', 'closure']),
  body: z.string(),
  authorId: z.number().int(),
  authorUsername: z.string(),
  createdAt: instant(),
});

/** A concern after a change: the concern and its notes. */
export const concernSchema = z.object({ ...concernFields, notes: z.array(concernNoteSchema) });

export const concernDetailSchema = concernSchema.extend({
  tasks: z.array(taskSchema),
  child: childBannerSchema.nullable(),
});

export const concernListSchema = z.object({
  concerns: z.array(
    z.object({
      ...concernFields,
      child: childSummarySchema.nullable(),
      decision: z
        .object({ taskId: z.uuid(), dueAt: instant().nullable() })
        .nullable()
        .meta({ description: 'The open decision task and its due date (the SLA), when one is open' }),
    }),
  ),
  next: z.string().nullable(),
});

export const alertSchema = z.object({
  id: z.string(),
  nhsNumber: z.string(),
  localityId: z.number().int(),
  actorUsername: z.string(),
  actorDisplayName: z.string(),
  actorRole: z.enum(ROLES),
  reason: z.string().meta({ description: 'The reason the member of staff gave' }),
  action: z.string().meta({ description: 'What they did: child.read, child.search, concern.read, …' }),
  raisedAt: instant(),
  acknowledgedAt: instant().nullable(),
  acknowledgedBy: z.number().int().nullable().meta({ description: 'Staff id of who acknowledged it' }),
  acknowledgedByUsername: z.string().nullable(),
});

export const alertListSchema = z.object({
  alerts: z.array(alertSchema.extend({ child: childSummarySchema.nullable() })),
  next: z.string().nullable(),
});

const doseStatus = z.enum(['given', 'overdue', 'due', 'upcoming', 'not_offered']);

/** GET /children/{nhsNumber}/schedule: the schedule's evaluation as of a day (schedule/evaluate.ts). */
export const childScheduleSchema = z.object({
  nhsNumber: z.string(),
  asOf: day(),
  rules: z.object({ name: z.string(), version: z.number().int() }).meta({ description: 'The rule set evaluated' }),
  graceDays: z.number().int().meta({ description: "Days after a dose's window before it counts as overdue" }),
  treatedAsUnimmunised: z
    .boolean()
    .meta({ description: 'No immunisation on record although doses were due: every due dose is a gap' }),
  immunisationsOnRecord: z.number().int(),
  counts: z.record(doseStatus, z.number().int()),
  doses: z.array(
    z.object({
      ruleId: z.string(),
      code: z.string(),
      series: z.string(),
      dose: z.number().int(),
      label: z.string(),
      vaccine: z.string(),
      followUp: z.boolean(),
      status: doseStatus,
      dueOn: day(),
      overdueOn: day(),
      offerUntil: day().nullable(),
      earliestOn: day().nullable(),
      given: z.object({ on: day(), product: z.string() }).nullable(),
      notOfferedReason: z.enum(['upper_age_limit', 'programme_ended', 'course_not_started']).nullable(),
    }),
  ),
  unmatched: z
    .array(z.object({ product: z.string(), givenOn: day() }))
    .meta({ description: 'Immunisations that filled no dose (extra, invalid, selective or seasonal)' }),
  catchUp: z.object({
    gaps: z.array(
      z.object({
        code: z.string(),
        vaccine: z.string(),
        dose: z.number().int(),
        label: z.string(),
        dueOn: day(),
        overdue: z.boolean(),
        offerUntil: day().nullable(),
        catchUpOn: day(),
      }),
    ),
    nextDue: z.object({ code: z.string(), vaccine: z.string(), dose: z.number().int(), dueOn: day() }).nullable(),
  }),
  accessedWithReason: z.boolean(),
});
