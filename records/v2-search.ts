/**
 * The searches of the Camunda REST API (/v2 `…/search`): which filter field reads which column,
 * which fields sort, and who sees what (instances, jobs and incidents about a child of another
 * locality are left out; tasks as the task queues show them). The API passes Camunda's filter and
 * sort as they came and a page; a filter operator or sort field not taken is an UnsupportedSearch.
 */
import { searchIncidentRows, type IncidentRow } from './incidents';
import { countJobRows, searchJobRows, type JobRow } from './jobs';
import { countKeyedInstances, searchKeyedInstances, type V2InstanceRow } from './keyed-instances';
import { addCondition, newFilter, orderOf, param, whereOf, type SearchSort } from './search-filter';
import type { Db } from './sql';
import { searchKeyedTasks, visibleTaskCondition, type KeyedTask, type QueueViewer } from './tasks/rows';

export interface SearchRequest {
  filter: Record<string, unknown>;
  sort?: SearchSort;
  limit: number;
  offset: number;
}

const INSTANCE_SORT = {
  processInstanceKey: 'i.key',
  processDefinitionId: 'd.key',
  processDefinitionKey: 'd.id',
  processDefinitionVersion: 'd.version',
  startDate: 'i.started_at',
  endDate: 'i.ended_at',
  state: 'i.status',
};

const INSTANCE_STATES: Record<string, string[]> = {
  ACTIVE: ['running', 'incident'],
  COMPLETED: ['completed'],
  TERMINATED: ['cancelled', 'terminated', 'failed'],
};

function instanceStateCondition(value: unknown): unknown {
  // ACTIVE / COMPLETED / TERMINATED (or an advanced filter of them) → mirror statuses.
  const statuses = (s: unknown) => INSTANCE_STATES[String(s)] ?? [String(s)];
  if (typeof value === 'string') return { $in: statuses(value) };
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v.$eq !== undefined) return { $in: statuses(v.$eq) };
    if (v.$neq !== undefined) return { $notIn: statuses(v.$neq) };
    if (Array.isArray(v.$in)) return { $in: v.$in.flatMap(statuses) };
    if (Array.isArray(v.$notIn)) return { $notIn: v.$notIn.flatMap(statuses) };
  }
  return value;
}

/** Process instances; `tenantMatches` false finds none (multi-tenancy is not enabled). */
export async function searchV2Instances(
  db: Db,
  r: SearchRequest,
  localityIds: readonly number[],
  tenantMatches: boolean,
): Promise<{ rows: V2InstanceRow[]; total: number }> {
  const filter = r.filter;
  const f = newFilter();
  addCondition(f, 'i.key', filter.processInstanceKey, 'bigint');
  addCondition(f, 'd.key', filter.processDefinitionId);
  addCondition(f, 'd.id', filter.processDefinitionKey, 'int');
  addCondition(f, 'd.version', filter.processDefinitionVersion, 'int');
  addCondition(f, 'd.name', filter.processDefinitionName);
  addCondition(f, 'i.status', instanceStateCondition(filter.state));
  addCondition(f, 'i.started_at', filter.startDate, 'timestamptz');
  addCondition(f, 'i.ended_at', filter.endDate, 'timestamptz');
  addCondition(f, 'p.key', filter.parentProcessInstanceKey, 'bigint');
  if (typeof filter.hasIncident === 'boolean')
    f.clauses.push(filter.hasIncident ? `i.status = 'incident'` : `i.status <> 'incident'`);
  if (!tenantMatches) f.clauses.push('false');
  const search = { where: whereOf(f), bind: f.bind, localityIds };
  const rows = await searchKeyedInstances(db, search, orderOf(r.sort, INSTANCE_SORT, 'i.key'), r.limit, r.offset);
  return { rows, total: await countKeyedInstances(db, search) };
}

const TASK_SORT = {
  creationDate: 't.created_at',
  completionDate: 't.completed_at',
  dueDate: 't.due_at',
  followUpDate: 't.follow_up_at',
  priority: 't.priority',
  name: 't.name',
};

const TASK_STATES: Record<string, string[]> = {
  CREATED: ['open', 'claimed'],
  COMPLETED: ['completed'],
  CANCELED: ['cancelled'],
};

/** User tasks the viewer may see (administrators also every task about no child). */
export function searchV2Tasks(
  db: Db,
  r: SearchRequest,
  viewer: QueueViewer,
  administrator: boolean,
): Promise<{ tasks: KeyedTask[]; total: number }> {
  const filter = r.filter;
  const f = newFilter();
  addCondition(f, 't.key', filter.userTaskKey, 'bigint');
  addCondition(f, 'i.key', filter.processInstanceKey, 'bigint');
  addCondition(f, 'd.key', filter.processDefinitionId);
  addCondition(f, 'd.id', filter.processDefinitionKey, 'int');
  addCondition(f, 't.element_id', filter.elementId);
  addCondition(f, 't.name', filter.name);
  addCondition(f, 't.assignee', filter.assignee);
  addCondition(f, 't.priority', filter.priority, 'int');
  if (typeof filter.state === 'string')
    addCondition(f, 't.status', { $in: TASK_STATES[filter.state] ?? [filter.state] });
  if (typeof filter.candidateGroup === 'string')
    f.clauses.push(`${param(f, filter.candidateGroup)} = ANY(t.candidate_groups)`);
  if (typeof filter.candidateUser === 'string')
    f.clauses.push(`${param(f, filter.candidateUser)} = ANY(t.candidate_users)`);
  f.clauses.push(visibleTaskCondition(f.bind, viewer, administrator));
  return searchKeyedTasks(db, whereOf(f), f.bind, orderOf(r.sort, TASK_SORT, 't.key'), r.limit, r.offset);
}

/** Jobs in `states` (when given) about no child or a child of the caller's localities, by key. */
export async function searchV2Jobs(
  db: Db,
  r: SearchRequest,
  states: string[] | undefined,
  localityIds: readonly number[],
): Promise<{ rows: JobRow[]; total: number }> {
  const filter = r.filter;
  const f = newFilter();
  addCondition(f, 't.key', filter.jobKey, 'bigint');
  addCondition(f, 't.type', filter.type);
  addCondition(f, 't.worker', filter.worker);
  addCondition(f, 'i.key', filter.processInstanceKey, 'bigint');
  addCondition(f, 'd.key', filter.processDefinitionId);
  addCondition(f, 't.element_id', filter.elementId);
  if (states !== undefined) addCondition(f, 't.state', { $in: states });
  f.clauses.push(`(c.id IS NULL OR c.locality_id = ANY(${param(f, localityIds)}::int[]))`);
  const rows = await searchJobRows(db, whereOf(f), f.bind, r.limit, r.offset);
  return { rows, total: await countJobRows(db, whereOf(f), f.bind) };
}

const INCIDENT_SORT = {
  creationTime: 'x.created_at',
  incidentKey: 'x.key',
  errorType: 'x.error_type',
  elementId: 'x.element_id',
};

/** Incidents about no child or a child of the caller's localities. */
export function searchV2Incidents(
  db: Db,
  r: SearchRequest,
  localityIds: readonly number[],
): Promise<{ rows: IncidentRow[]; total: number }> {
  const filter = r.filter;
  const f = newFilter();
  addCondition(f, 'x.key', filter.incidentKey, 'bigint');
  addCondition(f, 'i.key', filter.processInstanceKey, 'bigint');
  addCondition(f, 'd.key', filter.processDefinitionId);
  addCondition(f, 'd.id', filter.processDefinitionKey, 'int');
  addCondition(f, 'x.error_type', filter.errorType);
  addCondition(f, 'x.element_id', filter.elementId);
  addCondition(f, 'x.job_key', filter.jobKey, 'bigint');
  if (typeof filter.state === 'string') addCondition(f, 'x.state', filter.state === 'ACTIVE' ? 'active' : 'resolved');
  f.clauses.push(`(c.id IS NULL OR c.locality_id = ANY(${param(f, localityIds)}::int[]))`);
  return searchIncidentRows(db, whereOf(f), f.bind, orderOf(r.sort, INCIDENT_SORT, 'x.key'), r.limit, r.offset);
}
