/**
 * What only the immunisation activities need on top of ../support: their audit actor and
 * idempotency key with a stand-in outside an activity, heartbeats, and "today" (England's date).
 */
import { Context } from '@temporalio/activity';
import { todayInLondon } from '../../core/uk-time';
import { activityInfoOrNull, activityKey, processKeyOf } from '../support';

export interface RunningActivity {
  /** The process instance (workflow id), recorded in the audit detail; null outside one. */
  processInstanceId: string | null;
  /** The same for every retry of one activity: `<workflow id>/<activity id>`. */
  idempotencyKey: string;
  /** Audit actor, `system:<process key>`. */
  actor: string;
}

/**
 * The process key of a workflow id. Only here: follow-up instances are named
 * `immunisation-follow-up-<child>-<dose>`, which the shared rule would keep whole.
 */
function immunisationProcessKeyOf(workflowId: string): string {
  return processKeyOf(workflowId).replace(/^(immunisation-follow-up)-\d+-.+$/, '$1');
}

/** The running activity, or a stand-in when called directly (tests, scripts) with `defaultKey` as the process key. */
export function runningActivity(defaultKey: string, fallbackIdempotencyKey: string): RunningActivity {
  const info = activityInfoOrNull();
  const workflowId = info?.workflowExecution?.workflowId ?? null;
  if (!info || !workflowId)
    return { idempotencyKey: fallbackIdempotencyKey, processInstanceId: null, actor: `system:${defaultKey}` };
  return {
    idempotencyKey: activityKey(workflowId, info.activityId),
    processInstanceId: workflowId,
    actor: `system:${immunisationProcessKeyOf(workflowId) || defaultKey}`,
  };
}

/** Heartbeats when running as an activity (a direct call has no context to report to). */
export function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity
  }
}

/** Today in England as YYYY-MM-DD: the default as-of date when a process does not pass one. */
export function todayInEngland(): string {
  return todayInLondon();
}
