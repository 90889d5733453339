import { randomUUID } from 'node:crypto';
import { childIdOfNumberOrSupersededSql } from '../children/child-rows';
import { isRestricted, withoutContactDetails } from '../children/restricted';
import { select, selectOne, type Db } from '../sql';

export type TaskStatus = 'open' | 'claimed' | 'completed' | 'cancelled';

export interface HumanTask {
  id: string;
  processInstanceId: string;
  processKey: string | null;
  elementId: string;
  name: string;
  businessKey: string | null;
  childId: string | null;
  localityId: number | null;
  concernId: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  priority: number;
  dueAt: Date | null;
  followUpAt: Date | null;
  form: unknown;
  input: Record<string, unknown>;
  status: TaskStatus;
  outcome: string | null;
  data: Record<string, unknown> | null;
  createdAt: Date;
  claimedAt: Date | null;
  completedAt: Date | null;
  completedBy: string | null;
  escalatedAt: Date | null;
  escalationReason: string | null;
  rowVersion: number;
}

export interface NewTask {
  id?: string;
  processInstanceId: string;
  elementId: string;
  name: string;
  businessKey?: string | null;
  childId?: string | null;
  localityId?: number | null;
  concernId?: string | null;
  candidateGroups?: string[];
  candidateUsers?: string[];
  assignee?: string | null;
  priority?: number;
  dueAt?: Date | null;
  followUpAt?: Date | null;
  form?: unknown;
  input?: Record<string, unknown>;
}

const COLUMNS = `id, process_instance_id, process_key, element_id, name, business_key, child_id, locality_id, concern_id,
  candidate_groups, candidate_users, assignee, priority, due_at, follow_up_at, form, input, status, outcome, data,
  created_at, claimed_at, completed_at, completed_by, escalated_at, escalation_reason, row_version`;
const QUALIFIED_COLUMNS = COLUMNS.split(',')
  .map((c) => `t.${c.trim()}`)
  .join(', ');

/** A user task reached by a process: an open task, or claimed when the definition names an assignee. */
export async function insertTask(db: Db, t: NewTask): Promise<HumanTask> {
  const assignee = t.assignee ?? null;
  const row = await selectOne<HumanTask>(
    db,
    `INSERT INTO human_tasks (id, process_instance_id, element_id, name, business_key, child_id, locality_id, concern_id,
       candidate_groups, candidate_users, assignee, priority, due_at, follow_up_at, form, input, status, claimed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, CASE WHEN $11::text IS NULL THEN NULL ELSE now() END)
     RETURNING ${COLUMNS}`,
    [
      t.id ?? randomUUID(),
      t.processInstanceId,
      t.elementId,
      t.name,
      t.businessKey ?? null,
      t.childId ?? null,
      t.localityId ?? null,
      t.concernId ?? null,
      t.candidateGroups ?? [],
      t.candidateUsers ?? [],
      assignee,
      t.priority ?? 50,
      t.dueAt ?? null,
      t.followUpAt ?? null,
      JSON.stringify(t.form ?? { fields: [] }),
      JSON.stringify(t.input ?? {}),
      assignee ? 'claimed' : 'open',
    ],
  );
  return row!;
}

export function findTask(db: Db, id: string): Promise<HumanTask | null> {
  return selectOne<HumanTask>(db, `SELECT ${COLUMNS} FROM human_tasks WHERE id = $1`, [id]);
}

/** Who is asking, for the queues that show what a member of staff may see. */
export interface QueueViewer {
  username: string;
  /** Team codes and the role name (candidate groups may name either). */
  groups: string[];
  localityIds: number[];
  /**
   * The role name among `groups`: a candidate group naming a role reaches every holder in the
   * region, so through it a task about a child shows only when the child is of the viewer's
   * localities (the legitimate-relationship rule; api/tasks/task-access.ts).
   */
  role?: string;
}

export type QueueScope =
  | { kind: 'mine'; username: string }
  | { kind: 'unclaimed'; viewer: QueueViewer }
  | { kind: 'overdue'; viewer: QueueViewer; now: Date }
  | { kind: 'dueToday'; viewer: QueueViewer; now: Date }
  | { kind: 'locality'; localityId: number }
  | { kind: 'process'; processKey: string; viewer: QueueViewer }
  | { kind: 'child'; childId: string }
  | { kind: 'escalated'; localityIds: number[] };

/** Position after the last row of a page, in queue order (priority DESC, due_at ASC NULLS LAST, id). */
export interface QueueCursor {
  priority: number;
  dueAt: string | null;
  id: string;
}

export interface QueuePage {
  tasks: HumanTask[];
  next: QueueCursor | null;
}

class Binder {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A task's business key when it is an NHS number (it may be one PDS superseded since: followed). */
const TASK_KEY = `(CASE WHEN t.business_key ~ '^[0-9]{10}$' THEN t.business_key END)::char(10)`;

/** The task is about a child outside these localities (by its business key, else its child_id). */
function childOutside(localities: string): string {
  return `EXISTS (SELECT 1 FROM children c WHERE (c.id = ${childIdOfNumberOrSupersededSql(TASK_KEY)}
            OR (t.business_key !~ '^[0-9]{10}$' AND c.id = t.child_id)) AND NOT c.locality_id = ANY(${localities}::smallint[]))`;
}

/** The task is about a child of the region (by its business key, else its child_id). */
function aboutChild(): string {
  return `EXISTS (SELECT 1 FROM children c WHERE c.id = ${childIdOfNumberOrSupersededSql(TASK_KEY)}
            OR ((t.business_key IS NULL OR t.business_key !~ '^[0-9]{10}$') AND c.id = t.child_id))`;
}

/**
 * The queues' visibility rule as a condition over `t.`, its values appended to `bind` (the
 * Camunda API's task search). Administrators see every task about no child as well; a task about
 * a child only as anyone else does (the legitimate-relationship rule holds for them too).
 */
export function visibleTaskCondition(bind: unknown[], v: QueueViewer, administrator: boolean): string {
  const b = new Binder();
  b.values.push(...bind);
  const sql = visible(b, v);
  bind.push(...b.values.slice(bind.length));
  return administrator ? `(${sql} OR NOT ${aboutChild()})` : sql;
}

function visible(b: Binder, v: QueueViewer): string {
  const user = b.add(v.username);
  const localities = b.add(v.localityIds);
  const teams = b.add(v.groups.filter((g) => g !== v.role));
  const byRole = v.role
    ? `OR (t.candidate_groups && ARRAY[${b.add(v.role)}]::text[] AND NOT ${childOutside(localities)})`
    : '';
  return `(t.locality_id = ANY(${localities}::smallint[]) OR t.assignee = ${user}
           OR t.candidate_groups && ${teams}::text[] OR ${user} = ANY(t.candidate_users) ${byRole})`;
}

function scopeConditions(b: Binder, s: Exclude<QueueScope, { kind: 'unclaimed' }>): string[] {
  const active = `t.status IN ('open', 'claimed')`;
  switch (s.kind) {
    case 'mine':
      return [active, `t.assignee = ${b.add(s.username)}`];
    case 'overdue':
      return [active, `t.due_at < ${b.add(s.now)}::timestamptz`, visible(b, s.viewer)];
    case 'dueToday': {
      // "Today" is the London calendar day, whatever the server's zone.
      const now = b.add(s.now);
      const start = `(date_trunc('day', ${now}::timestamptz AT TIME ZONE 'Europe/London') AT TIME ZONE 'Europe/London')`;
      return [active, `t.due_at >= ${start}`, `t.due_at < ${start} + interval '1 day'`, visible(b, s.viewer)];
    }
    case 'locality':
      return [active, `t.locality_id = ${b.add(s.localityId)}`];
    case 'process':
      return [active, `t.process_key = ${b.add(s.processKey)}`, visible(b, s.viewer)];
    case 'child':
      return [active, `t.child_id = ${b.add(s.childId)}`];
    case 'escalated':
      return [active, 't.escalated_at IS NOT NULL', `t.locality_id = ANY(${b.add(s.localityIds)}::smallint[])`];
  }
}

function afterCursor(b: Binder, c: QueueCursor, alias = 't', idColumn = 'id'): string[] {
  const p = b.add(c.priority);
  const id = b.add(c.id);
  const [priority, dueAt, key] = [`${alias}.priority`, `${alias}.due_at`, `${alias}.${idColumn}`];
  if (c.dueAt === null) {
    return [`${priority} <= ${p}`, `(${priority} < ${p} OR (${dueAt} IS NULL AND ${key} > ${id}::uuid))`];
  }
  const d = b.add(c.dueAt);
  // The redundant "priority <= p" bounds the index scan.
  return [
    `${priority} <= ${p}`,
    `(${priority} < ${p} OR ${dueAt} > ${d}::timestamptz OR ${dueAt} IS NULL OR (${dueAt} = ${d}::timestamptz AND ${key} > ${id}::uuid))`,
  ];
}

const ORDER = 'ORDER BY t.priority DESC, t.due_at ASC NULLS LAST, t.id';

/**
 * Unclaimed tasks of the caller's groups through human_task_candidates: for each group at most
 * limit + 1 rows in index order, then merged. Cost grows with the page size and the number of
 * the caller's groups, not with the size of the queues.
 */
function unclaimedQuery(b: Binder, v: QueueViewer, limit: number, after: QueueCursor | null): string {
  const candidates = b.add([...v.groups, `user:${v.username}`]);
  const localities = b.add(v.localityIds);
  const role = b.add(v.role ?? null);
  const n = b.add(limit + 1);
  const keyset = after
    ? afterCursor(b, after, 'e', 'task_id')
        .map((c) => `AND ${c}`)
        .join(' ')
    : '';
  return `SELECT ${QUALIFIED_COLUMNS} FROM (
      SELECT DISTINCT picked.task_id FROM unnest(${candidates}::text[]) AS g(candidate)
      CROSS JOIN LATERAL (
        SELECT e.task_id FROM human_task_candidates e
        WHERE e.candidate = g.candidate AND (e.locality_id IS NULL OR e.locality_id = ANY(${localities}::smallint[])) ${keyset}
          AND (g.candidate IS DISTINCT FROM ${role}::text OR NOT EXISTS (
            SELECT 1 FROM human_tasks t JOIN children c ON c.id = t.child_id OR c.id = ${childIdOfNumberOrSupersededSql(TASK_KEY)}
            WHERE t.id = e.task_id AND NOT c.locality_id = ANY(${localities}::smallint[])))
        ORDER BY e.priority DESC, e.due_at ASC NULLS LAST, e.task_id LIMIT ${n}
      ) picked
    ) p JOIN human_tasks t ON t.id = p.task_id AND t.status = 'open'
    ${ORDER} LIMIT ${n}`;
}

/** The SQL of one queue page (limit + 1 rows, to know whether there is a next page); exported for EXPLAIN in bench/. */
export function queueQuery(
  scope: QueueScope,
  limit: number,
  after: QueueCursor | null,
): { sql: string; bind: unknown[] } {
  const b = new Binder();
  if (scope.kind === 'unclaimed') return { sql: unclaimedQuery(b, scope.viewer, limit, after), bind: b.values };
  const conditions = [...scopeConditions(b, scope), ...(after ? afterCursor(b, after) : [])];
  const sql = `SELECT ${QUALIFIED_COLUMNS} FROM human_tasks t WHERE ${conditions.join(' AND ')} ${ORDER} LIMIT ${b.add(limit + 1)}`;
  return { sql, bind: b.values };
}

/** One page of a queue, in priority order then earliest due; keyset-paginated. */
export async function queuePage(
  db: Db,
  scope: QueueScope,
  limit: number,
  after: QueueCursor | null,
): Promise<QueuePage> {
  const { sql, bind } = queueQuery(scope, limit, after);
  const rows = await select<HumanTask>(db, sql, bind);
  const tasks = rows.slice(0, limit);
  const last = tasks[tasks.length - 1];
  const next =
    rows.length > limit && last
      ? { priority: last.priority, dueAt: last.dueAt ? last.dueAt.toISOString() : null, id: last.id }
      : null;
  return { tasks, next };
}

/**
 * The state changes. Each is one conditional UPDATE: PostgreSQL re-checks the condition on the
 * newest row version after a concurrent writer commits, so of two racing calls exactly one
 * returns the task and the other null. `expectedVersion` adds optimistic concurrency for clients.
 */
export function claimTask(db: Db, id: string, username: string, expectedVersion?: number): Promise<HumanTask | null> {
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET status = 'claimed', assignee = $2, claimed_at = now(), row_version = row_version + 1
     WHERE id = $1 AND status = 'open' AND ($3::integer IS NULL OR row_version = $3) RETURNING ${COLUMNS}`,
    [id, username, expectedVersion ?? null],
  );
}

export function unclaimTask(db: Db, id: string, username: string, expectedVersion?: number): Promise<HumanTask | null> {
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET status = 'open', assignee = NULL, claimed_at = NULL, row_version = row_version + 1
     WHERE id = $1 AND status = 'claimed' AND assignee = $2 AND ($3::integer IS NULL OR row_version = $3) RETURNING ${COLUMNS}`,
    [id, username, expectedVersion ?? null],
  );
}

/** Assign to someone (claimed by them), or back to the queue when `assignee` is null. */
export function assignTask(
  db: Db,
  id: string,
  assignee: string | null,
  expectedVersion?: number,
): Promise<HumanTask | null> {
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET status = CASE WHEN $2::text IS NULL THEN 'open' ELSE 'claimed' END, assignee = $2,
       claimed_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END, row_version = row_version + 1
     WHERE id = $1 AND status IN ('open', 'claimed') AND ($3::integer IS NULL OR row_version = $3) RETURNING ${COLUMNS}`,
    [id, assignee, expectedVersion ?? null],
  );
}

/** What an update (or a task listener's correction) changes on an open task; absent: unchanged, null: cleared. */
export interface TaskAttributeChanges {
  candidateGroups?: string[];
  candidateUsers?: string[];
  dueAt?: Date | null;
  followUpAt?: Date | null;
  priority?: number;
}

/**
 * The SET list that writes these changes ($2..$10; absent: unchanged, null: cleared) and its
 * parameters, for every update of a task's attributes.
 */
function attributeChangesSql(c: TaskAttributeChanges): { set: string; params: unknown[] } {
  return {
    set: `candidate_groups = CASE WHEN $2::boolean THEN $3::text[] ELSE candidate_groups END,
       candidate_users = CASE WHEN $4::boolean THEN $5::text[] ELSE candidate_users END,
       due_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE due_at END,
       follow_up_at = CASE WHEN $8::boolean THEN $9::timestamptz ELSE follow_up_at END,
       priority = coalesce($10::integer, priority)`,
    params: [
      c.candidateGroups !== undefined,
      c.candidateGroups ?? null,
      c.candidateUsers !== undefined,
      c.candidateUsers ?? null,
      c.dueAt !== undefined,
      c.dueAt ?? null,
      c.followUpAt !== undefined,
      c.followUpAt ?? null,
      c.priority ?? null,
    ],
  };
}

/** Changes an open task's candidates, dates or priority (null when it is no longer open). */
export function updateTaskAttributes(db: Db, id: string, c: TaskAttributeChanges): Promise<HumanTask | null> {
  const changes = attributeChangesSql(c);
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET ${changes.set}, row_version = row_version + 1
     WHERE id = $1 AND status IN ('open', 'claimed') RETURNING ${COLUMNS}`,
    [id, ...changes.params],
  );
}

/** Completion by the task's assignee, at the version the caller saw. */
export function completeTaskRow(
  db: Db,
  id: string,
  c: { username: string; outcome: string | null; data: Record<string, unknown>; expectedVersion: number },
): Promise<HumanTask | null> {
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET status = 'completed', outcome = $3, data = $4, completed_at = now(), completed_by = $2, row_version = row_version + 1
     WHERE id = $1 AND status = 'claimed' AND assignee = $2 AND row_version = $5 RETURNING ${COLUMNS}`,
    [id, c.username, c.outcome, JSON.stringify(c.data), c.expectedVersion],
  );
}

/**
 * A completing (or canceling) task listener's corrections, written to the task it completed (or
 * cancelled; Camunda applies them as the transition takes effect): the assignee (null: none),
 * candidates, dates, priority.
 */
export function correctCompletedTask(
  db: Db,
  id: string,
  c: TaskAttributeChanges & { assignee?: string | null },
  status: 'completed' | 'cancelled' = 'completed',
): Promise<HumanTask | null> {
  const changes = attributeChangesSql(c);
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET ${changes.set},
       assignee = CASE WHEN $11::boolean THEN $12::text ELSE assignee END, row_version = row_version + 1
     WHERE id = $1 AND status = $13 RETURNING ${COLUMNS}`,
    [id, ...changes.params, c.assignee !== undefined, c.assignee ?? null, status],
  );
}

/** The process moved on (boundary event, termination): the task leaves every queue. */
export function cancelTask(db: Db, id: string): Promise<HumanTask | null> {
  return selectOne<HumanTask>(
    db,
    `UPDATE human_tasks SET status = 'cancelled', row_version = row_version + 1
     WHERE id = $1 AND status IN ('open', 'claimed') RETURNING ${COLUMNS}`,
    [id],
  );
}

/** Tasks grouped under a concern, plus the child's other active tasks. */
export function tasksForConcern(db: Db, concernId: string, childId: string): Promise<HumanTask[]> {
  return select<HumanTask>(
    db,
    `SELECT ${COLUMNS} FROM human_tasks
     WHERE concern_id = $1 OR (child_id = $2 AND status IN ('open', 'claimed'))
     ORDER BY (concern_id = $1) DESC NULLS LAST, priority DESC, due_at NULLS LAST, id LIMIT 200`,
    [concernId, childId],
  );
}

/**
 * The safeguarding escalation of an overdue decision: the instance's open tasks join `group`'s
 * queue too (added, not replaced), at the top, grouped under the concern. Returns their ids.
 */
export async function joinEscalationGroup(
  tx: Db,
  e: { processInstanceId: string; group: string; reason: string; concernId: string },
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    tx,
    `UPDATE human_tasks SET candidate_groups = CASE WHEN $2::text = ANY(candidate_groups) THEN candidate_groups ELSE candidate_groups || ARRAY[$2::text] END, priority = 100,
       escalated_at = now(), escalation_reason = $3, concern_id = $4, row_version = row_version + 1
     WHERE process_instance_id = $1 AND status IN ('open', 'claimed') RETURNING id`,
    [e.processInstanceId, e.group, e.reason, e.concernId],
  );
  return rows.map((r) => r.id);
}

/** Raises the instance's open tasks to at least `priority` (overdue work goes to the top); returns their ids. */
export async function raiseOpenTaskPriority(tx: Db, processInstanceId: string, priority: number): Promise<string[]> {
  const rows = await select<{ id: string }>(
    tx,
    `UPDATE human_tasks SET priority = GREATEST(priority, $2), row_version = row_version + 1
     WHERE process_instance_id = $1 AND status IN ('open', 'claimed') RETURNING id`,
    [processInstanceId, priority],
  );
  return rows.map((r) => r.id);
}

/**
 * Who decided: whoever completed (or, while the task API still holds the row, claimed) the
 * instance's latest task; null when it was completed outside the task API.
 */
export function deciderOfLatestTask(
  tx: Db,
  processInstanceId: string,
): Promise<{ staffId: number | null; username: string | null } | null> {
  return selectOne(
    tx,
    `SELECT s.id AS staff_id, coalesce(t.completed_by, t.assignee) AS username
     FROM human_tasks t LEFT JOIN staff_users s ON s.username = coalesce(t.completed_by, t.assignee)
     WHERE t.process_instance_id = $1 AND t.status IN ('completed', 'claimed')
     ORDER BY coalesce(t.completed_at, t.claimed_at) DESC NULLS LAST LIMIT 1`,
    [processInstanceId],
  );
}

/** The child a task is about, for the legitimate-relationship rule. */
export interface TaskChild {
  id: string;
  localityId: number;
  nhsNumber: string;
}

/**
 * The child of a task: the one its business key names (the instance's authorised key), else
 * the one its `childId` column names.
 */
export function childOfTask(db: Db, t: HumanTask): Promise<TaskChild | null> {
  const key = t.businessKey !== null && /^\d{10}$/.test(t.businessKey) ? t.businessKey : null;
  if (key === null && t.childId === null) return Promise.resolve(null);
  return selectOne<TaskChild>(
    db,
    // A key PDS superseded leads to the record that carries the current number (merged or not).
    `SELECT id, locality_id, nhs_number FROM children
     WHERE nhs_number = $1 OR id = (SELECT child_id FROM superseded_nhs_numbers WHERE nhs_number = $1)
        OR ($1::char(10) IS NULL AND id = $2)
     ORDER BY nhs_number = $1 DESC LIMIT 1`,
    [key, t.childId],
  );
}

/** Task rows of an instance by id, to show who holds each open user task. */
export function taskRowsOf(
  db: Db,
  instanceId: string,
): Promise<Array<{ id: string; status: string; assignee: string | null; dueAt: Date | null }>> {
  return select(db, 'SELECT id, status, assignee, due_at FROM human_tasks WHERE process_instance_id = $1', [
    instanceId,
  ]);
}

/** A user task the engine reached, as the workflow describes it (times in epoch milliseconds). */
export interface EngineTask {
  taskId: string;
  processInstanceId: string;
  elementId: string;
  name: string;
  businessKey: string | null;
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  priority: number;
  dueAt?: number;
  followUpAt?: number;
  form?: unknown;
  input: Record<string, unknown>;
  elementInstanceId?: string;
  /** The Camunda key reserved for it when its creating listeners ran (their jobs carry it); else a new one. */
  key?: string;
}

const FOREIGN_KEY_VIOLATION = '23503';

function smallId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d{1,18}$/.test(value)) return value;
  return null;
}

/**
 * The row of a user task the engine reached. Idempotent on the task id (an activity may run
 * twice): opening an existing task changes nothing. The child and locality columns are filled
 * from the process variables `childId` and `localityId` when they name existing rows; a dangling
 * reference must not block the task. Runs on the pool (a refused insert is tried again).
 */
export async function openEngineTask(db: Db, t: EngineTask): Promise<void> {
  const childId = smallId(t.input.childId);
  const localityId = smallId(t.input.localityId);
  const businessKey = typeof t.businessKey === 'string' && /^\d{10}$/.test(t.businessKey) ? t.businessKey : null;
  if (await isRestricted(db, { childId, nhsNumber: businessKey }))
    t = { ...t, input: withoutContactDetails(t.input) as EngineTask['input'] };
  const insert = (child: string | null, locality: string | null) =>
    select(
      db,
      `INSERT INTO human_tasks (id, process_instance_id, element_id, name, business_key, child_id, locality_id, candidate_groups,
         candidate_users, assignee, priority, due_at, follow_up_at, form, input, status, claimed_at, element_instance_id, key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12::double precision / 1000), to_timestamp($13::double precision / 1000),
         $14::jsonb, $15::jsonb, CASE WHEN $10::text IS NULL THEN 'open' ELSE 'claimed' END, CASE WHEN $10::text IS NULL THEN NULL ELSE now() END, $16,
         COALESCE($17::bigint, nextval('camunda_keys')))
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        t.taskId,
        t.processInstanceId,
        t.elementId,
        t.name,
        t.businessKey,
        child,
        locality,
        t.candidateGroups,
        t.candidateUsers,
        t.assignee ?? null,
        t.priority,
        t.dueAt ?? null,
        t.followUpAt ?? null,
        JSON.stringify(t.form ?? { fields: [] }),
        JSON.stringify(t.input),
        t.elementInstanceId ?? null,
        t.key ?? null,
      ],
    );
  try {
    await insert(childId, localityId);
  } catch (e) {
    const code = (e as { parent?: { code?: string } }).parent?.code;
    if (code !== FOREIGN_KEY_VIOLATION || (childId === null && localityId === null)) throw e;
    await insert(null, null);
  }
}

/** What a task listener's job tells its worker about the task (Camunda 8.8's userTask properties). */
export interface ListenedTask {
  key: string;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  dueAt: Date | null;
  followUpAt: Date | null;
  priority: number;
  /** The task's form as stored (FormSpec: source and key), for the listener job's formKey. */
  form: unknown;
  createdAt: Date;
}

const LISTENED_COLUMNS = `key::text AS key, assignee, candidate_groups, candidate_users, due_at, follow_up_at, priority,
  form, created_at`;

/** A user task by its id, as its listeners' jobs describe it. */
export function findListenedTask(db: Db, taskId: string): Promise<ListenedTask | null> {
  return selectOne<ListenedTask>(db, `SELECT ${LISTENED_COLUMNS} FROM human_tasks WHERE id = $1`, [taskId]);
}

/** The user task an element instance of the process instance opened (the latest, for a re-opened one). */
export function findTaskOfElementInstance(
  db: Db,
  processInstanceId: string,
  elementInstanceId: string,
): Promise<ListenedTask | null> {
  return selectOne<ListenedTask>(
    db,
    `SELECT ${LISTENED_COLUMNS}
       FROM human_tasks WHERE process_instance_id = $1 AND element_instance_id = $2 ORDER BY key DESC LIMIT 1`,
    [processInstanceId, elementInstanceId],
  );
}

/** A task as the Camunda REST API shows it: with its numeric key and its instance's keys. */
export interface KeyedTask extends HumanTask {
  key: string;
  elementInstanceKey: string | null;
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionVersion: number;
  processName: string | null;
}

const KEYED_COLUMNS = `${QUALIFIED_COLUMNS}, t.key::text AS key, k.key::text AS element_instance_key,
  i.key::text AS process_instance_key, d.id::text AS process_definition_key, d.key AS process_definition_id,
  d.version AS process_definition_version, d.name AS process_name`;
const KEYED_FROM = `human_tasks t JOIN process_instances i ON i.id = t.process_instance_id
  JOIN process_definitions d ON d.id = i.definition_id
  LEFT JOIN element_instance_keys k ON k.process_instance_id = t.process_instance_id AND k.element_instance_id = t.element_instance_id`;

/** A task by its id, with its keys and its process definition. */
export function findKeyedTask(db: Db, id: string): Promise<KeyedTask | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(null);
  return selectOne<KeyedTask>(db, `SELECT ${KEYED_COLUMNS} FROM ${KEYED_FROM} WHERE t.id = $1`, [id]);
}

export function findTaskByKey(db: Db, key: string): Promise<KeyedTask | null> {
  if (!/^\d{1,19}$/.test(key)) return Promise.resolve(null);
  return selectOne<KeyedTask>(db, `SELECT ${KEYED_COLUMNS} FROM ${KEYED_FROM} WHERE t.key = $1`, [key]);
}

/** Tasks matching a filter over `t.`, `i.` and `d.` columns (bound values in `bind`). */
export async function searchKeyedTasks(
  db: Db,
  where: string,
  bind: unknown[],
  order: string,
  limit: number,
  offset: number,
): Promise<{ tasks: KeyedTask[]; total: number }> {
  const n = bind.length;
  const tasks = await select<KeyedTask>(
    db,
    `SELECT ${KEYED_COLUMNS} FROM ${KEYED_FROM} WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...bind, limit, offset],
  );
  const count = await selectOne<{ total: number }>(
    db,
    `SELECT count(*)::int AS total FROM ${KEYED_FROM} WHERE ${where}`,
    bind,
  );
  return { tasks, total: count?.total ?? 0 };
}

/** A merge (children/merge.ts): the merged record's tasks move to `into`: they show in its queues and on its record (their process keeps its business key). */
export async function moveTasksOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(tx, 'UPDATE human_tasks SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return moved.length;
}
