import type { HumanTask } from '../../records/tasks/rows';
import type { Db } from '../../records/sql';
import type { StaffPrincipal } from '../../records/staff';

export interface TaskCompletion {
  outcome: string | null;
  /** Form data, already validated against the task's form. */
  data: Record<string, unknown>;
  actor: Pick<StaffPrincipal, 'id' | 'username'>;
  /**
   * Writes the completion's audit row in the completion's transaction, before the workflow is
   * told: it commits only with the completed row, and never after a completion it does not record.
   */
  audit?: (tx: Db) => Promise<unknown>;
}

/**
 * Completes a human task. In production this is the workflow's Temporal update (with a
 * validator), which records the completion once the workflow has accepted it; the API
 * calls only this interface and returns after it resolves.
 */
export interface TaskCompleter {
  complete(task: HumanTask, completion: TaskCompletion): Promise<void>;
}

/** Someone else changed the task first (completed, unclaimed, reassigned): the caller gets 409. */
export class TaskCompletionConflict extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'TaskCompletionConflict';
  }
}

/** The workflow refused the completion (its validator said no): the caller gets 422. */
export class TaskCompletionRefused extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'TaskCompletionRefused';
  }
}

/**
 * The task's completing listeners have not all completed within the wait (Camunda answers 504):
 * nothing was recorded here; the completion stays asked for in the process, which completes the
 * task once they have (task reconciliation then records it), or leaves it open if one denies it.
 */
export class TaskCompletionPending extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'TaskCompletionPending';
  }
}
