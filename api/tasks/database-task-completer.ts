import { completeTaskRow, type HumanTask } from '../../records/tasks/rows';
import { inTransaction, type Db } from '../../records/sql';
import { TaskCompletionConflict, type TaskCompleter, type TaskCompletion } from './task-completer';

/**
 * Completes a task by writing its row, for tasks whose process does not wait on them (and as
 * the row write the Temporal-backed completer performs once the workflow accepted the update).
 * Atomic: of two concurrent completions exactly one succeeds, the other is a conflict.
 */
export class DatabaseTaskCompleter implements TaskCompleter {
  constructor(private readonly db: Db) {}

  async complete(task: HumanTask, completion: TaskCompletion): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      const done = await completeTaskRow(tx, task.id, {
        username: completion.actor.username,
        outcome: completion.outcome,
        data: completion.data,
        expectedVersion: task.rowVersion,
      });
      if (!done)
        throw new TaskCompletionConflict(`Task ${task.id} was changed by someone else before it could be completed`);
      await completion.audit?.(tx);
    });
  }
}
