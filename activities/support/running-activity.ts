/**
 * The running activity as Temporal reports it: its process instance (workflow id), its
 * idempotency key (the same for every retry of one activity) and the audit actor
 * `system:<process key>`. Domains differ in what happens outside an activity (direct calls in
 * tests, scripts, the API), so each function says which it does.
 */
import { Context, type Info } from '@temporalio/activity';
import { processKeyOf } from './process-key';

/** Temporal's info on the running activity, or null outside an activity. */
export function activityInfoOrNull(): Info | null {
  try {
    return Context.current().info;
  } catch {
    return null;
  }
}

/** The running activity's process instance (workflow id), or null outside an activity. */
export function currentProcessInstance(): string | null {
  return activityInfoOrNull()?.workflowExecution?.workflowId ?? null;
}

/** `<workflow id>/<activity id>`: the same for every retry of one activity. */
export function activityKey(workflowId: string, activityId: string): string {
  return `${workflowId}/${activityId}`;
}

/**
 * The process instance and idempotency key `<workflow id>/<activity id>`. Throws outside an
 * activity (Temporal's error) and for an activity without a workflow.
 */
export function processInstanceActivity(): { processInstanceId: string; idempotencyKey: string } {
  const info = Context.current().info;
  const processInstanceId = info.workflowExecution?.workflowId;
  if (!processInstanceId) throw new Error('this activity runs only inside a process instance');
  return { processInstanceId, idempotencyKey: activityKey(processInstanceId, info.activityId) };
}

export interface ProcessCall {
  /** `<workflow id>/<run id>/<activity id>`: differs between runs of one workflow id too. */
  idempotencyKey: string;
  processInstanceId: string;
  /** `system:<process key>`, `system:engine` when the id has no key. */
  actor: string;
  info: Info;
}

/**
 * The running activity keyed per run. Throws outside an activity (Temporal's error); a
 * standalone activity (none in this project) counts as workflow `standalone`.
 */
export function currentProcessCall(): ProcessCall {
  const info = Context.current().info;
  const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
  return {
    idempotencyKey: `${workflowId}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`,
    processInstanceId: workflowId,
    actor: `system:${processKeyOf(workflowId) || 'engine'}`,
    info,
  };
}
