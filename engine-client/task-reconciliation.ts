/**
 * Brings task rows back in line with their workflows. The API marks a row completed only after
 * the workflow accepted the `completeUserTask` update; if that row write fails (the database
 * went away between the two), the workflow has moved on while the row still says "claimed".
 * The workflow is the truth: its history holds the accepted update with the outcome, the data
 * and who completed it, so the row can be completed exactly as the process saw it. A task the
 * workflow no longer has open without such an update was closed by the process (boundary
 * event, cancellation), so the row is cancelled.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { cancelTask } from '../records/tasks/rows';
import { completeAsAccepted, lockActiveTask, tasksToReconcile } from '../records/tasks/reconciliation';
import { inTransaction, type Db } from '../records/sql';
import { completeUserTaskUpdate, instanceStateQuery, type CompleteUserTaskInput } from '../workflows/contract';

/** Continue-as-new runs searched back for an accepted completion. */
const MAX_RUNS = 5;

/**
 * The completion the workflow accepted for `taskId`, from the history of its runs, newest first.
 * An accepted completion that then failed (a completing task listener denied it, or the task was
 * cancelled while its listeners ran) is not one.
 */
export async function acceptedCompletion(
  client: Client,
  instanceId: string,
  taskId: string,
): Promise<CompleteUserTaskInput | null> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  let runId: string | undefined;
  for (let run = 0; run < MAX_RUNS; run++) {
    const history = await client.workflow.getHandle(instanceId, runId).fetchHistory();
    const failed = new Set(
      (history.events ?? []).flatMap((e) => {
        const done = e.workflowExecutionUpdateCompletedEventAttributes;
        return done?.outcome?.failure && done.meta?.updateId ? [done.meta.updateId] : [];
      }),
    );
    let accepted: CompleteUserTaskInput | null = null;
    for (const event of history.events ?? []) {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      const input = request?.input;
      if (input?.name !== completeUserTaskUpdate.name) continue;
      if (request?.meta?.updateId && failed.has(request.meta.updateId)) continue;
      const [arg] = (input.args?.payloads ?? []).map((p) => converter.fromPayload<CompleteUserTaskInput>(p));
      if (arg?.taskId === taskId) accepted = arg;
    }
    if (accepted) return accepted;
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
    if (!runId) return null;
  }
  return null;
}

export type Reconciled = { outcome: 'completed'; by: string } | { outcome: 'cancelled' } | { outcome: 'unchanged' };

/** Whether the workflow still has the task open: null when the instance has ended (or is gone). */
async function stillOpen(client: Client, instanceId: string, taskId: string): Promise<boolean | null> {
  const handle = client.workflow.getHandle(instanceId);
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return null;
    const state = await handle.query(instanceStateQuery);
    return state.openUserTasks.some((t) => t.taskId === taskId);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

async function historyCompletion(
  client: Client,
  instanceId: string,
  taskId: string,
): Promise<CompleteUserTaskInput | null> {
  try {
    return await acceptedCompletion(client, instanceId, taskId);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/**
 * Reconciles one open or claimed task row (lock it first: `tx` should hold FOR UPDATE on it).
 * The state is read before the history: once the task is not open in the workflow no update
 * for it can be accepted any more, so an acceptance cannot slip in between the two reads.
 * `closeWithEndedProcess`: cancel the row when the instance has ended without completing it.
 */
export async function reconcileTask(
  client: Client,
  tx: Db,
  task: { id: string; processInstanceId: string },
  options: { closeWithEndedProcess: boolean },
): Promise<Reconciled> {
  const open = await stillOpen(client, task.processInstanceId, task.id);
  if (open) return { outcome: 'unchanged' };
  const completion = await historyCompletion(client, task.processInstanceId, task.id);
  if (completion) {
    return (await completeAsAccepted(tx, task.id, completion))
      ? { outcome: 'completed', by: completion.actor }
      : { outcome: 'unchanged' };
  }
  if (open === null && !options.closeWithEndedProcess) return { outcome: 'unchanged' };
  return (await cancelTask(tx, task.id)) ? { outcome: 'cancelled' } : { outcome: 'unchanged' };
}

export interface SweepResult {
  checked: number;
  completed: number;
  cancelled: number;
  /** Resume after this task id on the next sweep; null when the sweep reached the end. */
  next: string | null;
}

/**
 * One pass of the periodic reconciliation: the rows that can be out of line — claimed for longer
 * than `claimedForMs` (a completion whose row write failed leaves a claimed row; completing needs
 * a claim) and every open or claimed row of an instance the mirror shows ended — up to `limit`,
 * by id after `after`. Rows someone is working on right now (locked) are skipped.
 */
export async function reconcileTasks(
  client: Client,
  db: Db,
  options: { claimedForMs?: number; limit?: number; after?: string | null } = {},
): Promise<SweepResult> {
  const candidates = await tasksToReconcile(db, {
    claimedForMs: options.claimedForMs ?? 10 * 60_000,
    limit: options.limit ?? 100,
    after: options.after ?? null,
  });
  const result: SweepResult = { checked: 0, completed: 0, cancelled: 0, next: null };
  for (const c of candidates) {
    const outcome = await inTransaction(db, async (tx) => {
      return (await lockActiveTask(tx, c.id))
        ? (await reconcileTask(client, tx, c, { closeWithEndedProcess: true })).outcome
        : 'unchanged';
    });
    result.checked++;
    if (outcome === 'completed') result.completed++;
    if (outcome === 'cancelled') result.cancelled++;
  }
  result.next = candidates.length === (options.limit ?? 100) ? candidates[candidates.length - 1].id : null;
  return result;
}
