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
  status: z.string(),
  safeguardingAlert: z.enum(SAFEGUARDING_ALERT_VALUES),
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
