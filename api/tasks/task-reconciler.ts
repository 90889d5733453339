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
import { select, selectOne, type Db, inTransaction } from '../../db/repositories/sql';
import { completeUserTaskUpdate, instanceStateQuery, type CompleteUserTaskInput } from '../../workflows/messages';

/** Continue-as-new runs searched back for an accepted completion. */
const MAX_RUNS = 5;

/** The completion the workflow accepted for `taskId`, from the history of its runs, newest first. */
export async function acceptedCompletion(
  client: Client,
  instanceId: string,
  taskId: string,
): Promise<CompleteUserTaskInput | null> {
  const converter = client.options.loadedDataConverter.payloadConverter;
  let runId: string | undefined;
  for (let run = 0; run < MAX_RUNS; run++) {
    const history = await client.workflow.getHandle(instanceId, runId).fetchHistory();
    for (const event of history.events ?? []) {
      const input = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
      if (input?.name !== completeUserTaskUpdate.name) continue;
      const [arg] = (input.args?.payloads ?? []).map((p) => converter.fromPayload<CompleteUserTaskInput>(p));
      if (arg?.taskId === taskId) return arg;
    }
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
    const row = await selectOne<{ id: string }>(
      tx,
      `UPDATE human_tasks SET status = 'completed', outcome = $2, data = $3, completed_by = $4, completed_at = now(), row_version = row_version + 1
       WHERE id = $1 AND status IN ('open', 'claimed') RETURNING id`,
      [task.id, completion.outcome ?? null, JSON.stringify(completion.data ?? {}), completion.actor],
    );
    return row ? { outcome: 'completed', by: completion.actor } : { outcome: 'unchanged' };
  }
  if (open === null && !options.closeWithEndedProcess) return { outcome: 'unchanged' };
  const row = await selectOne<{ id: string }>(
    tx,
    `UPDATE human_tasks SET status = 'cancelled', row_version = row_version + 1 WHERE id = $1 AND status IN ('open', 'claimed') RETURNING id`,
    [task.id],
  );
  return row ? { outcome: 'cancelled' } : { outcome: 'unchanged' };
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
  const candidates = await select<{ id: string; processInstanceId: string }>(
    db,
    `SELECT t.id, t.process_instance_id FROM human_tasks t JOIN process_instances i ON i.id = t.process_instance_id
     WHERE t.status IN ('open', 'claimed') AND ($3::uuid IS NULL OR t.id > $3::uuid)
       AND ((t.status = 'claimed' AND t.claimed_at < now() - $1::bigint * interval '1 millisecond') OR i.status NOT IN ('running', 'incident'))
     ORDER BY t.id LIMIT $2`,
    [options.claimedForMs ?? 10 * 60_000, options.limit ?? 100, options.after ?? null],
  );
  const result: SweepResult = { checked: 0, completed: 0, cancelled: 0, next: null };
  for (const c of candidates) {
    const outcome = await inTransaction(db, async (tx) => {
      const locked = await selectOne<{ id: string }>(
        tx,
        `SELECT id FROM human_tasks WHERE id = $1 AND status IN ('open', 'claimed') FOR UPDATE SKIP LOCKED`,
        [c.id],
      );
      return locked ? (await reconcileTask(client, tx, c, { closeWithEndedProcess: true })).outcome : 'unchanged';
    });
    result.checked++;
    if (outcome === 'completed') result.completed++;
    if (outcome === 'cancelled') result.cancelled++;
  }
  result.next = candidates.length === (options.limit ?? 100) ? candidates[candidates.length - 1].id : null;
  return result;
}

/** Runs `reconcileTasks` every `intervalMs` (from the worker or the API process); `stop()` ends it. */
export function startTaskReconciliation(
  client: Client,
  db: Db,
  options: { intervalMs?: number; claimedForMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let after: string | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;
  const timer = setInterval(
    () => {
      if (stopped || running) return; // a slow pass is not overlapped by the next
      running = reconcileTasks(client, db, { claimedForMs: options.claimedForMs, after })
        .then((r) => void (after = r.next))
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => void (running = null));
    },
    options.intervalMs ?? 5 * 60_000,
  );
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
