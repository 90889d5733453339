import { SCHEMA } from '../store/schema';
import type { Engine } from '../engine/engine';
import { compileQuery } from './query';
import { reviveBytes } from '../json';
import { timestamp } from '../time';
import { temporal, type P } from '../proto';
import { taskQueue } from '../engine/history';
import { QUERYABLE_SYSTEM_ATTRIBUTES } from '../engine/system-search-attributes';
import { withTypeMetadata } from '../engine/search-attributes';

function queryableAttributes(engine: Engine): Map<string, number> {
  return new Map([...QUERYABLE_SYSTEM_ATTRIBUTES, ...engine.namespaces.searchAttributes]);
}

type Info = P<temporal.api.workflow.v1.IWorkflowExecutionInfo>;

interface Row {
  workflow_id: string;
  run_id: string;
  status: number;
  workflow_type: string;
  task_queue: string;
  start_time: Date;
  execution_time: Date;
  close_time: Date | null;
  history_length: number;
  memo: P<temporal.api.common.v1.IMemo> | null;
  sa: P<temporal.api.common.v1.ISearchAttributes> | null;
  parent: { namespace: string; workflowId: string; runId: string } | null;
  first_run_id: string | null;
  root: { workflowId: string; runId: string } | null;
}

export function rowToInfo(r: Row): Info {
  return {
    execution: { workflowId: r.workflow_id, runId: r.run_id },
    type: { name: r.workflow_type },
    startTime: timestamp(r.start_time.getTime()),
    closeTime: r.close_time ? timestamp(r.close_time.getTime()) : undefined,
    executionTime: timestamp(r.execution_time.getTime()),
    status: r.status,
    historyLength: r.history_length,
    taskQueue: r.task_queue,
    memo: r.memo ? reviveBytes(r.memo) : undefined,
    searchAttributes: r.sa ? reviveBytes(r.sa) : undefined,
    parentExecution: r.parent ? { workflowId: r.parent.workflowId, runId: r.parent.runId } : undefined,
    parentNamespaceId: r.parent?.namespace,
    firstRunId: r.first_run_id ?? undefined,
    rootExecution: r.root ?? (r.parent ? undefined : { workflowId: r.workflow_id, runId: r.run_id }),
  };
}

const SELECT = `SELECT workflow_id, run_id, status, workflow_type, task_queue, start_time, execution_time, close_time, history_length,
  state->'memo' AS memo, state->'rawSearchAttributes' AS sa, state->'parent' AS parent, state->>'firstRunId' AS first_run_id, state->'root' AS root FROM ${SCHEMA}.executions`;

/** ListWorkflowExecutions: newest first, offset paging (the token is the offset). */
export async function listExecutions(
  engine: Engine,
  namespace: string,
  query: string,
  pageSize: number,
  token: Uint8Array | null | undefined,
): Promise<{ executions: Info[]; nextPageToken?: Buffer }> {
  const q = compileQuery(query, queryableAttributes(engine));
  const offset = token && token.length ? Number(Buffer.from(token).toString()) : 0;
  const limit = pageSize > 0 ? Math.min(pageSize, 1000) : 1000;
  const params = [namespace, ...q.params];
  const shift = (sql: string) => sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
  const r = await engine.store.pool.query<Row>(
    `${SELECT} WHERE namespace = $1 AND (${shift(q.where)}) ORDER BY start_time DESC, run_id LIMIT ${limit + 1} OFFSET ${offset}`,
    params,
  );
  const rows = r.rows.slice(0, limit);
  return {
    executions: rows.map((row) => {
      const info = rowToInfo(row);
      return { ...info, searchAttributes: withTypeMetadata(info.searchAttributes, engine.searchAttributeType) };
    }),
    nextPageToken: r.rows.length > limit ? Buffer.from(String(offset + limit)) : undefined,
  };
}

export async function countExecutions(
  engine: Engine,
  namespace: string,
  query: string,
): Promise<P<temporal.api.workflowservice.v1.ICountWorkflowExecutionsResponse>> {
  const groupBy = /(^|\s+)group\s+by\s+ExecutionStatus\s*$/i.exec(query);
  const q = compileQuery(groupBy ? query.slice(0, groupBy.index) : query, queryableAttributes(engine));
  const shift = (sql: string) => sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 1}`);
  const base = `FROM ${SCHEMA}.executions WHERE namespace = $1 AND (${shift(q.where)})`;
  if (!groupBy) {
    const r = await engine.store.pool.query<{ n: string }>(`SELECT count(*) AS n ${base}`, [namespace, ...q.params]);
    return { count: Number(r.rows[0].n) };
  }
  const r = await engine.store.pool.query<{ status: number; n: string }>(
    `SELECT status, count(*) AS n ${base} GROUP BY status`,
    [namespace, ...q.params],
  );
  const names: Record<number, string> = {
    1: 'Running',
    2: 'Completed',
    3: 'Failed',
    4: 'Canceled',
    5: 'Terminated',
    6: 'ContinuedAsNew',
    7: 'TimedOut',
  };
  let total = 0;
  const groups = r.rows.map((row) => {
    total += Number(row.n);
    const payload = {
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from(JSON.stringify(names[row.status] ?? String(row.status))),
    };
    return { groupValues: [payload], count: Number(row.n) };
  });
  return { count: total, groups };
}

export { taskQueue };
