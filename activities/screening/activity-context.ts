/**
 * Who is acting and which attempt this is, from the Temporal activity context: the idempotency
 * key (workflow, run and activity id: the same for every retry of one activity) and the
 * audit actor `system:<process key>`.
 */
import { Context } from '@temporalio/activity';

export interface ActivityCall {
  idempotencyKey: string;
  processInstanceId: string;
  actor: string;
  /**
   * The day (UTC) this attempt was scheduled, on the Temporal server's clock: "today" for a
   * process that does not say, and right under time skipping, where the wall clock is not.
   */
  scheduledOn: string;
}

/** Process instance ids are `<process key>-<hash or uuid>`, and call activities append `/call-N`. */
function processKeyOf(workflowId: string): string {
  const root = workflowId.split('/')[0];
  const key = root.replace(/-(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, '');
  return key || 'engine';
}

export function currentCall(): ActivityCall {
  const info = Context.current().info;
  // Only a standalone activity (none in this project) runs outside a workflow.
  const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
  return {
    idempotencyKey: `${workflowId}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`,
    processInstanceId: workflowId,
    actor: `system:${processKeyOf(workflowId)}`,
    scheduledOn: new Date(info.currentAttemptScheduledTimestampMs).toISOString().slice(0, 10),
  };
}
