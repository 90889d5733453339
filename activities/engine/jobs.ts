/**
 * The workflow's side of external jobs (records/jobs.ts holds the table): a row when a
 * task of a type without a built-in worker is reached, closed when the job ends. Idempotent:
 * a local activity may run twice.
 */
import type { Sequelize } from 'sequelize';
import { closeJobRow, createJobRow, creatingTaskKey, jobsCreated, USER_TASK_KEY_HEADER } from '../../records/jobs';
import { inTransaction, type Db } from '../../records/sql';
import { findListenedTask, findTaskOfElementInstance } from '../../records/tasks/rows';
import { DefinitionStore } from '../../records/definition-store';
import { linkedFormKey } from '../../records/resources';
import { EMBEDDED_FORM_PREFIX } from '../../bpmn/forms';
import type { CloseJobInput, CreateJobInput } from '../../workflows/contract';
import { elementInstanceKey } from '../../records/element-keys';

const ZEEBE = 'io.camunda.zeebe:';

/**
 * A task listener's job carries its user task as Camunda 8.8 gives it: the task's key (the
 * worker calls the user-task API with it; a creating listener's is the key the task will open
 * with) and, from the task row, its assignee, candidates, dates and priority, except the
 * attributes the transition changes, which the workflow's headers give as they will be.
 */
async function withUserTaskHeaders(db: Db, j: CreateJobInput): Promise<Record<string, string>> {
  const task = j.userTaskId
    ? await findListenedTask(db, j.userTaskId)
    : await findTaskOfElementInstance(db, j.processInstanceId, j.elementInstanceId);
  // Not open yet (creating listeners, or assigning ones before it opens): the key it will open with.
  if (!task) {
    const form = await new DefinitionStore(db.sequelize).userTaskFormOf(j.processInstanceId, j.elementId);
    const formKey = await formKeyOf(db, form, new Date());
    return {
      ...j.headers,
      [USER_TASK_KEY_HEADER]: await creatingTaskKey(db, j.processInstanceId, j.elementInstanceId),
      ...(formKey ? { [`${ZEEBE}formKey`]: formKey } : {}),
    };
  }
  const changed = new Set<string>(parseList(j.headers[`${ZEEBE}changedAttributes`]));
  const fromRow: Record<string, string | null> = {
    assignee: task.assignee,
    candidateGroups: JSON.stringify(task.candidateGroups),
    candidateUsers: JSON.stringify(task.candidateUsers),
    dueDate: task.dueAt ? task.dueAt.toISOString() : null,
    followUpDate: task.followUpAt ? task.followUpAt.toISOString() : null,
    priority: String(task.priority),
  };
  const headers: Record<string, string> = { [USER_TASK_KEY_HEADER]: task.key };
  const formKey = await formKeyOf(db, task.form, task.createdAt);
  if (formKey) headers[`${ZEEBE}formKey`] = formKey;
  for (const [name, value] of Object.entries(fromRow))
    if (value !== null && !changed.has(name)) headers[`${ZEEBE}${name}`] = value;
  return { ...headers, ...j.headers };
}

/**
 * Camunda's formKey for the task's form (FormSpec): a linked form's deployed version key (the
 * version a task created at `at` links to), an embedded form's `camunda-forms:bpmn:<id>` (what
 * Camunda's job-based user tasks carry); none for an external form or none.
 */
async function formKeyOf(db: Db, form: unknown, at: Date): Promise<string | null> {
  const spec = form as { source?: unknown; key?: unknown } | null;
  if (typeof spec?.key !== 'string' || spec.key === '') return null;
  if (spec.source === 'linked') return linkedFormKey(db, spec.key, at);
  if (spec.source === 'embedded') return `${EMBEDDED_FORM_PREFIX}${spec.key}`;
  return null;
}

function parseList(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

export async function createJob(sequelize: Sequelize, j: CreateJobInput): Promise<void> {
  await inTransaction({ sequelize }, async (tx) => {
    const key = await elementInstanceKey(tx, j.processInstanceId, j.elementInstanceId);
    const headers = j.kind === 'TASK_LISTENER' ? await withUserTaskHeaders(tx, j) : j.headers;
    await createJobRow(tx, {
      processInstanceId: j.processInstanceId,
      engineJobId: j.jobId,
      elementId: j.elementId,
      elementInstanceId: j.elementInstanceId,
      elementInstanceKey: key,
      type: j.type,
      retries: j.retries,
      customHeaders: headers,
      variables: j.variables,
      ...(j.kind ? { kind: j.kind } : {}),
      ...(j.listenerEventType ? { listenerEventType: j.listenerEventType } : {}),
    });
  });
  jobsCreated.emit(j.type);
}

export async function closeJob(sequelize: Sequelize, c: CloseJobInput): Promise<void> {
  await closeJobRow({ sequelize }, c.processInstanceId, c.jobId, c.state, c.errorMessage);
}
