import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { inTransaction, selectOne, type Db } from '../../db/repositories/sql';
import { completeTaskRow, type HumanTask } from '../../db/repositories/tasks';
import { completeUserTaskUpdate } from '../../workflows/messages';
import { TaskCompletionConflict, TaskCompletionRefused, type TaskCompleter, type TaskCompletion } from './task-completer';

/**
 * Completes a task through its process instance's workflow: the task row is locked, the
 * `completeUserTask` update runs (its validator refuses a wrong completion without a trace in
 * history), and only once the workflow has accepted is the row marked completed, in the same
 * transaction. Of two people completing the same task at once, the second waits on the row
 * lock and then finds it changed (409).
 */
export class TemporalTaskCompleter implements TaskCompleter {
  constructor(
    private readonly client: Client,
    private readonly db: Db,
  ) {}

  async complete(task: HumanTask, completion: TaskCompletion): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      const locked = await selectOne<{ id: string }>(
        tx,
        `SELECT id FROM human_tasks WHERE id = $1 AND row_version = $2 AND status = 'claimed' AND assignee = $3 FOR UPDATE`,
        [task.id, task.rowVersion, completion.actor.username],
      );
      if (!locked) throw new TaskCompletionConflict(`Task ${task.id} was changed by someone else before it could be completed`);
      try {
        await this.client.workflow.getHandle(task.processInstanceId).executeUpdate(completeUserTaskUpdate, {
          args: [{ taskId: task.id, outcome: completion.outcome, data: completion.data, actor: completion.actor.username }],
        });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          throw new TaskCompletionRefused(`The process refused the completion: ${error.cause?.message ?? error.message}`);
        }
        if (error instanceof WorkflowNotFoundError) throw new TaskCompletionRefused('The process instance of this task is no longer running');
        throw error;
      }
      const done = await completeTaskRow(tx, task.id, {
        username: completion.actor.username,
        outcome: completion.outcome,
        data: completion.data,
        expectedVersion: task.rowVersion,
      });
      if (!done) throw new TaskCompletionConflict(`Task ${task.id} was changed by someone else before it could be completed`);
    });
  }
}
