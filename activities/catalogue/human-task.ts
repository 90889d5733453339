/**
 * Catalogue entries: the engine's own work on human task rows, called from service tasks on a
 * user task's boundary paths (SLA reminders and escalation).
 */
import { z } from 'zod';
import { define, LOCAL } from './shared';

/** A candidate group: a team code or role name, as user tasks name them. */
const group = z.string().trim().min(1).max(100);

export const HUMAN_TASK_ACTIVITIES = {
  'humanTask.escalate': define({
    description:
      "Escalate the open user task `elementId` of this process instance to a lead's queue: its candidate groups become `toGroups`, " +
      'the assignee is cleared (open again), the priority is raised (to `priority` when higher, else by 20, at most 100), ' +
      'escalated_at and the reason are recorded, and the change is audited. The task stays completable by the same update. ' +
      'Meant for a service task on a non-interrupting timer boundary of that user task; map the inputs with zeebe:ioMapping.',
    input: z.object({
      elementId: z.string().trim().min(1, 'elementId names the user task to escalate'),
      /** Team codes or role names (checked when it runs): a list, or comma-separated text as candidateGroups are written. */
      toGroups: z.union([z.array(group).min(1), z.string()]).transform((v, ctx) => {
        const list = (Array.isArray(v) ? v : v.split(',')).map((g) => g.trim()).filter((g) => g !== '');
        if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'toGroups names at least one candidate group' });
        return list;
      }),
      reason: z.string().trim().min(1, 'reason says why the task is escalated').max(2000),
      priority: z.number().int().min(0).max(100).optional(),
    }),
    /** How many open task rows were escalated (more than one for a multi-instance user task; 0 when it was already done). */
    output: z.object({ escalatedTasks: z.number().int() }),
    retry: LOCAL,
    startToCloseTimeout: '30s',
    local: true,
  }),
};
