import { invalidArgument } from '../errors';
import type { RunRef } from './outbox-task';

/** What a task token names: a workflow task, an activity attempt or a legacy query. */
export interface TaskToken extends RunRef {
  kind: 'workflow' | 'activity' | 'query';
  scheduledEventId: number;
  /** Dispatch id: distinguishes deliveries of the same task (a stale token cannot complete a newer one). */
  dispatch: string;
  attempt?: number;
  queryId?: string;
  activityId?: string;
}

export function encodeToken(t: TaskToken): Buffer {
  return Buffer.from(
    JSON.stringify([
      t.kind,
      t.namespace,
      t.workflowId,
      t.runId,
      t.scheduledEventId,
      t.dispatch,
      t.attempt ?? 0,
      t.queryId ?? '',
      t.activityId ?? '',
    ]),
  );
}

export function decodeToken(bytes: Uint8Array | null | undefined): TaskToken {
  try {
    const [kind, namespace, workflowId, runId, scheduledEventId, dispatch, attempt, queryId, activityId] = JSON.parse(
      Buffer.from(bytes ?? []).toString('utf8'),
    ) as [TaskToken['kind'], string, string, string, number, string, number, string, string];
    return { kind, namespace, workflowId, runId, scheduledEventId, dispatch, attempt, queryId, activityId };
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
}
