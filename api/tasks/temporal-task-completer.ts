import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { completeTaskRow, reserveTaskCompletion, type HumanTask } from '../../db/repositories/tasks';
import type { Db } from '../../db/repositories/sql';
import { completeUserTaskUpdate } from '../../workflows/messages';
import { TaskCompletionConflict, TaskCompletionRefused, type TaskCompleter, type TaskCompletion } from './task-completer';

/**
 * Completes a task through its process instance's workflow (the `completeUserTask` update,
 * whose validator refuses a wrong completion without a trace in history), then records the
 * completion on the task row. Order: reserve the row (one winner among concurrent callers),
 * ask the workflow, write the row only once the workflow has accepted.
 */
export class TemporalTaskCompleter implements TaskCompleter {
  constructor(
    private readonly client: Client,
    private readonly db: Db,
  ) {}

  async complete(task: HumanTask, completion: TaskCompletion): Promise<void> {
    const reserved = await reserveTaskCompletion(this.db, task.id, completion.actor.username, task.rowVersion);
    if (!reserved) throw new TaskCompletionConflict(`Task ${task.id} was changed by someone else before it could be completed`);
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
    // The workflow has accepted: the row follows. A task cancelled meanwhile stays cancelled.
    await completeTaskRow(this.db, task.id, {
      username: completion.actor.username,
      outcome: completion.outcome,
      data: completion.data,
      expectedVersion: reserved.rowVersion,
    });
  }
}
