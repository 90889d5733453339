import { Pool, type PoolClient } from 'pg';
import { SCHEMA, SCHEMA_SQL } from './schema';
import { decodeEvents, encodeEvents, type HistoryEvent } from '../proto';
import type { ExecutionState } from '../engine/state';
import { reviveBytes, toJson } from '../json';
import type { OutboxTask } from '../engine/outbox-task';

/** One run's changes in a transaction: a new row (expectedVersion undefined) or an update guarded by version. */
export interface RunWrite {
  state: ExecutionState;
  expectedVersion?: number;
  /** Events not yet persisted, contiguous, starting at firstEventId. */
  events: HistoryEvent[];
  firstEventId: number;
}

export interface CommitBatch {
  runs: RunWrite[];
  outboxAdd?: OutboxTask[];
  outboxDone?: number[];
}

export class ConflictError extends Error {}
export class DuplicateRunningError extends Error {}

const T = SCHEMA;

export class Store {
  readonly pool: Pool;
  commits = 0;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 12 });
    this.pool.on('error', () => undefined); // idle client errors surface on the next query
  }

  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // Several servers may start against one database at once (tests): serialise schema creation.
      await client.query('SELECT pg_advisory_lock(745301)');
      try {
        await client.query(SCHEMA_SQL);
      } finally {
        await client.query('SELECT pg_advisory_unlock(745301)');
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Applies a batch atomically; returns the outbox ids assigned to outboxAdd, in order. */
  async commit(batch: CommitBatch): Promise<number[]> {
    if (batch.runs.length === 1 && !batch.outboxAdd?.length && !batch.outboxDone?.length) {
      // The common case in one statement (one round trip; a single statement is its own transaction).
      await writeRunSingleStatement(this.pool, batch.runs[0]);
      this.commits++;
      return [];
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const run of batch.runs) await writeRun(client, run);
      const ids: number[] = [];
      for (const task of batch.outboxAdd ?? []) {
        const r = await client.query<{ id: string }>(`INSERT INTO ${T}.outbox (task) VALUES ($1) RETURNING id`, [toJson(task)]);
        ids.push(Number(r.rows[0].id));
      }
      if (batch.outboxDone?.length) await client.query(`DELETE FROM ${T}.outbox WHERE id = ANY($1)`, [batch.outboxDone]);
      await client.query('COMMIT');
      this.commits++;
      return ids;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async loadRun(namespace: string, workflowId: string, runId: string): Promise<{ state: ExecutionState; version: number } | undefined> {
    const r = await this.pool.query<{ state: ExecutionState; version: string }>(
      `SELECT state, version FROM ${T}.executions WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3`,
      [namespace, workflowId, runId],
    );
    if (!r.rows.length) return undefined;
    return { state: reviveBytes(r.rows[0].state), version: Number(r.rows[0].version) };
  }

  /** The running run of a workflow id, else the most recently started one. */
  async currentRunId(namespace: string, workflowId: string): Promise<string | undefined> {
    const r = await this.pool.query<{ run_id: string }>(
      `SELECT run_id FROM ${T}.executions WHERE namespace = $1 AND workflow_id = $2 ORDER BY (status = 1) DESC, start_time DESC, version DESC LIMIT 1`,
      [namespace, workflowId],
    );
    return r.rows[0]?.run_id;
  }

  async loadHistory(namespace: string, workflowId: string, runId: string): Promise<HistoryEvent[]> {
    const r = await this.pool.query<{ data: Buffer }>(
      `SELECT data FROM ${T}.history WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3 ORDER BY first_event_id`,
      [namespace, workflowId, runId],
    );
    return r.rows.flatMap((row) => decodeEvents(row.data));
  }

  async runningRuns(): Promise<{ namespace: string; workflowId: string; runId: string }[]> {
    const r = await this.pool.query<{ namespace: string; workflow_id: string; run_id: string }>(
      `SELECT namespace, workflow_id, run_id FROM ${T}.executions WHERE status = 1`,
    );
    return r.rows.map((x) => ({ namespace: x.namespace, workflowId: x.workflow_id, runId: x.run_id }));
  }

  async pendingOutbox(): Promise<{ id: number; task: OutboxTask }[]> {
    const r = await this.pool.query<{ id: string; task: OutboxTask }>(`SELECT id, task FROM ${T}.outbox ORDER BY id`);
    return r.rows.map((x) => ({ id: Number(x.id), task: reviveBytes(x.task) }));
  }

  async deleteOutbox(ids: number[]): Promise<void> {
    if (ids.length) await this.pool.query(`DELETE FROM ${T}.outbox WHERE id = ANY($1)`, [ids]);
  }
}

async function writeRun(client: PoolClient, run: RunWrite): Promise<void> {
  const s = run.state;
  const cols = runColumns(s);
  if (run.expectedVersion === undefined) {
    try {
      await client.query(
        `INSERT INTO ${T}.executions (namespace, workflow_id, run_id, status, workflow_type, task_queue, start_time, execution_time, close_time, history_length, search_attributes, state, version)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1)`,
        cols,
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DuplicateRunningError(`workflow ${s.workflowId} is already running`);
      throw err;
    }
  } else {
    const r = await client.query(
      `UPDATE ${T}.executions SET status = $4, workflow_type = $5, task_queue = $6, start_time = $7, execution_time = $8, close_time = $9,
         history_length = $10, search_attributes = $11, state = $12, version = version + 1
       WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3 AND version = $13`,
      [...cols, run.expectedVersion],
    );
    if (r.rowCount !== 1) throw new ConflictError(`run ${s.runId} was changed concurrently`);
  }
  if (run.events.length) {
    await client.query(
      `INSERT INTO ${T}.history (namespace, workflow_id, run_id, first_event_id, last_event_id, data) VALUES ($1,$2,$3,$4,$5,$6)`,
      [s.namespace, s.workflowId, s.runId, run.firstEventId, run.firstEventId + run.events.length - 1, encodeEvents(run.events)],
    );
  }
}

function runColumns(s: ExecutionState): unknown[] {
  return [
    s.namespace,
    s.workflowId,
    s.runId,
    s.status,
    s.workflowType,
    s.taskQueue,
    new Date(s.startTime),
    new Date(s.executionTime),
    s.closeTime === undefined ? null : new Date(s.closeTime),
    s.nextEventId - 1,
    JSON.stringify(s.searchAttributes),
    toJson(s),
  ];
}

async function writeRunSingleStatement(pool: Pool, run: RunWrite): Promise<void> {
  const cols = runColumns(run.state);
  const hasEvents = run.events.length > 0;
  const historyParams = hasEvents ? [run.firstEventId, run.firstEventId + run.events.length - 1, encodeEvents(run.events)] : [];
  if (run.expectedVersion === undefined) {
    const history = hasEvents ? `, h AS (INSERT INTO ${T}.history (namespace, workflow_id, run_id, first_event_id, last_event_id, data) SELECT $1,$2,$3,$13,$14,$15 FROM e)` : '';
    try {
      await pool.query(
        `WITH e AS (INSERT INTO ${T}.executions (namespace, workflow_id, run_id, status, workflow_type, task_queue, start_time, execution_time, close_time, history_length, search_attributes, state, version)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1) RETURNING 1)${history} SELECT count(*) AS n FROM e`,
        [...cols, ...historyParams],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DuplicateRunningError(`workflow ${run.state.workflowId} is already running`);
      throw err;
    }
    return;
  }
  const history = hasEvents ? `, h AS (INSERT INTO ${T}.history (namespace, workflow_id, run_id, first_event_id, last_event_id, data) SELECT $1,$2,$3,$14,$15,$16 FROM u)` : '';
  const r = await pool.query<{ n: string }>(
    `WITH u AS (UPDATE ${T}.executions SET status = $4, workflow_type = $5, task_queue = $6, start_time = $7, execution_time = $8, close_time = $9,
         history_length = $10, search_attributes = $11, state = $12, version = version + 1
       WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3 AND version = $13 RETURNING 1)${history} SELECT count(*) AS n FROM u`,
    [...cols, run.expectedVersion, ...historyParams],
  );
  if (Number(r.rows[0].n) !== 1) throw new ConflictError(`run ${run.state.runId} was changed concurrently`);
}
