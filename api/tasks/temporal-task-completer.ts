import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { inTransaction, withSavepoint, type Db } from '../../records/sql';
import { lockClaimedTask } from '../../records/tasks/reconciliation';
import { completeTaskRow, correctCompletedTask, type HumanTask } from '../../records/tasks/rows';
import { completeUserTaskUpdate } from '../../workflows/contract';
import type { UserTaskChanges } from '../../workflows/engine/types';
import { attributeChanges } from './task-listeners';
import { TASK_LISTENER_WAIT_SECONDS_DEFAULT } from '../../core/config';
import { reconcileTask } from '../../engine-client/task-reconciliation';
import {
  TaskCompletionConflict,
  TaskCompletionPending,
  TaskCompletionRefused,
  type TaskCompleter,
  type TaskCompletion,
} from './task-completer';

/** A completing listener's corrections as changes to the completed row. */
function completionCorrections(c: UserTaskChanges) {
  return { ...attributeChanges(c), ...(c.assignee !== undefined ? { assignee: c.assignee } : {}) };
}

/**
 * Completes a task through its process instance's workflow: the task row is locked, the
 * `completeUserTask` update runs (its validator refuses a wrong completion without a trace in
 * history), and only once the workflow has accepted is the row marked completed, in the same
 * transaction. Of two people completing the same task at once, the second waits on the row
 * lock and then finds it changed (409).
 *
 * When the workflow refuses because it no longer has the task open (an earlier completion was
 * accepted but its row write failed, or the process moved on), the row is reconciled with the
 * workflow before answering 409, so it does not stay claimed forever.
 */
export class TemporalTaskCompleter implements TaskCompleter {
  constructor(
    private readonly client: Client,
    private readonly db: Db,
    /**
     * How long a completion waits for the task's completing listeners (the update answers once
     * they have run); past it the caller gets TaskCompletionPending, as Camunda answers 504
     * (config.taskListenerWaitMs, CHIS_TASK_LISTENER_WAIT_SECONDS).
     */
    private readonly listenerWaitMs = TASK_LISTENER_WAIT_SECONDS_DEFAULT * 1000,
  ) {}

  async complete(task: HumanTask, completion: TaskCompletion): Promise<void> {
    // Failures are returned, not thrown, so that a reconciliation commits with the transaction.
    let corrections: UserTaskChanges | undefined;
    const failure = await inTransaction(this.db, async (tx): Promise<Error | null> => {
      if (!(await lockClaimedTask(tx, task.id, task.rowVersion, completion.actor.username)))
        return new TaskCompletionConflict(`Task ${task.id} was changed by someone else before it could be completed`);
      // The audit row goes in first, in this transaction; a refused completion takes it back
      // (the transaction still commits what the reconciliation below mends).
      const refused = await withSavepoint(tx, 'completion_audit', async (undo) => {
        await completion.audit?.(tx);
        try {
          const update = this.client.workflow.getHandle(task.processInstanceId).executeUpdate(completeUserTaskUpdate, {
            args: [
              { taskId: task.id, outcome: completion.outcome, data: completion.data, actor: completion.actor.username },
            ],
          });
          let timer: NodeJS.Timeout | undefined;
          const waited = new Promise<'pending'>((resolve) => {
            timer = setTimeout(() => resolve('pending'), this.listenerWaitMs);
          });
          try {
            const result = await Promise.race([update, waited]);
            if (result === 'pending') {
              update.catch(() => undefined); // its outcome reaches the row through reconciliation
              throw new TaskCompletionPending(
                `The task's completing listeners have not completed within ${Math.round(this.listenerWaitMs / 1000)} s; the completion stays asked for and takes effect once they have`,
              );
            }
            corrections = result.corrections;
          } finally {
            clearTimeout(timer);
          }
          return null;
        } catch (error) {
          if (!(error instanceof WorkflowUpdateFailedError) && !(error instanceof WorkflowNotFoundError)) throw error;
          await undo();
          return error;
        }
      });
      if (refused) {
        const reconciled = await reconcileTask(this.client, tx, task, { closeWithEndedProcess: false });
        if (reconciled.outcome === 'completed') {
          return new TaskCompletionConflict(
            `The process had already accepted a completion of this task by ${reconciled.by}; the task now shows it`,
          );
        }
        if (reconciled.outcome === 'cancelled')
          return new TaskCompletionConflict('The process has moved on and closed this task; it is now cancelled');
        if (refused instanceof WorkflowNotFoundError)
          return new TaskCompletionRefused('The process instance of this task is no longer running');
        return new TaskCompletionRefused(
          `The process refused the completion: ${refused.cause?.message ?? refused.message}`,
        );
      }
      const done = await completeTaskRow(tx, task.id, {
        username: completion.actor.username,
        outcome: completion.outcome,
        data: completion.data,
        expectedVersion: task.rowVersion,
      });
      if (!done)
        throw new TaskCompletionConflict(`Task ${task.id} was changed by someone else before it could be completed`);
      // What the completing listeners corrected is written to the completed row, as Camunda applies it.
      if (corrections) await correctCompletedTask(tx, task.id, completionCorrections(corrections));
      return null;
    });
    if (failure) throw failure;
  }
}
