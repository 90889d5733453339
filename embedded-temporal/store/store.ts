import { Pool, type PoolClient } from 'pg';
import { SCHEMA, SCHEMA_SQL } from './schema';
import { decodeEvents, encodeEvents, historyBytes, type HistoryEvent } from '../proto';
import type { ExecutionState } from '../engine/state';
import { reviveBytes, toJson } from '../json';
import type { OutboxTask } from '../engine/outbox-task';

/** One run's changes in a transaction: a new row (expectedVersion undefined) or an update guarded by version. */
export interface RunWrite {
  state: ExecutionState;
  expectedVersion?: number;
  /** Events not yet persisted, contiguous, starting at firstEventId. */
  events: HistoryEvent[];
  /** The same events already encoded (the engine caches them for poll responses). */
  encodedEvents?: Uint8Array[];
  firstEventId: number;
}

function historyData(run: RunWrite): Buffer {
  return run.encodedEvents ? historyBytes(run.encodedEvents) : encodeEvents(run.events);
}

export interface CommitBatch {
  runs: RunWrite[];
  outboxAdd?: OutboxTask[];
  outboxDone?: number[];
}

export class ConflictError extends Error {}

interface PendingCommit {
  batch: CommitBatch;
  resolve(ids: number[]): void;
  reject(err: unknown): void;
}

/** Commits in flight at once; later ones wait and are grouped (see Store.commit). */
const MAX_CONCURRENT_FLUSHES = 2;
const MAX_GROUP = 100;

/** Takes the next group off the queue: in order, at most one write per run per group. */
function takeGroup(waiting: PendingCommit[]): PendingCommit[] {
  const group: PendingCommit[] = [];
  const keys = new Set<string>();
  let i = 0;
  while (i < waiting.length && group.length < MAX_GROUP) {
    const runKeys = waiting[i].batch.runs.map(
      (r) => `${r.state.namespace}\u0000${r.state.workflowId}\u0000${r.state.runId}`,
    );
    if (runKeys.some((k) => keys.has(k))) {
      i++;
      continue;
    }
    for (const k of runKeys) keys.add(k);
    group.push(...waiting.splice(i, 1));
  }
  return group;
}
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

  /**
   * Applies a batch atomically; returns the outbox ids assigned to outboxAdd, in order.
   *
   * Group commit: batches without outbox work (the hot path: starts, task and activity
   * completions) queue up while earlier commits are in flight and are then written together
   * in one statement, one transaction. An idle server commits at once; a busy one pays one
   * round trip and one WAL flush for many runs. Every batch keeps its own atomicity: if the
   * group fails (a stale version, a duplicate running workflow id), each batch is retried
   * alone so that only the batch at fault fails.
   */
  async commit(batch: CommitBatch): Promise<number[]> {
    if (batch.outboxAdd?.length || batch.outboxDone?.length) return this.commitAlone(batch);
    return new Promise<number[]>((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.pump();
    });
  }

  private readonly waiting: PendingCommit[] = [];
  private flushing = 0;

  private pump(): void {
    while (this.flushing < MAX_CONCURRENT_FLUSHES && this.waiting.length) {
      const group = takeGroup(this.waiting);
      this.flushing++;
      void this.flushGroup(group).finally(() => {
        this.flushing--;
        this.pump();
      });
    }
  }

  private async flushGroup(group: PendingCommit[]): Promise<void> {
    if (group.length > 1) {
      try {
        await writeGroupStatement(
          this.pool,
          group.flatMap((p) => p.batch.runs),
        );
        this.commits++;
        this.groupedBatches += group.length;
        for (const p of group) p.resolve([]);
        return;
      } catch {
        // Nothing was written: find the batch at fault by committing each alone.
      }
    }
    await Promise.all(group.map((p) => this.commitAlone(p.batch).then(p.resolve, p.reject)));
  }

  /** Batches that were committed as part of a group (for the benchmark). */
  groupedBatches = 0;

  private async commitAlone(batch: CommitBatch): Promise<number[]> {
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
        const r = await client.query<{ id: string }>(`INSERT INTO ${T}.outbox (task) VALUES ($1) RETURNING id`, [
          toJson(task),
        ]);
        ids.push(Number(r.rows[0].id));
      }
      if (batch.outboxDone?.length)
        await client.query(`DELETE FROM ${T}.outbox WHERE id = ANY($1)`, [batch.outboxDone]);
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

  async loadRun(
    namespace: string,
    workflowId: string,
    runId: string,
  ): Promise<{ state: ExecutionState; version: number } | undefined> {
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

  /** Removes a run and its history (DeleteWorkflowExecution). */
  async deleteRun(namespace: string, workflowId: string, runId: string): Promise<void> {
    await this.pool.query(
      `WITH h AS (DELETE FROM ${T}.history WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3)
       DELETE FROM ${T}.executions WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3`,
      [namespace, workflowId, runId],
    );
    this.commits++;
  }

  /** Closed runs of a namespace that closed before `closedBeforeMs`, oldest first, at most `limit`. */
  async closedRunsBefore(
    namespace: string,
    closedBeforeMs: number,
    limit: number,
  ): Promise<{ namespace: string; workflowId: string; runId: string }[]> {
    const r = await this.pool.query<{ workflow_id: string; run_id: string }>(
      `SELECT workflow_id, run_id FROM ${T}.executions
       WHERE namespace = $1 AND status <> 1 AND close_time < to_timestamp($2::double precision / 1000)
       ORDER BY close_time LIMIT $3`,
      [namespace, closedBeforeMs, limit],
    );
    return r.rows.map((x) => ({ namespace, workflowId: x.workflow_id, runId: x.run_id }));
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
      if ((err as { code?: string }).code === '23505')
        throw new DuplicateRunningError(`workflow ${s.workflowId} is already running`);
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
      [
        s.namespace,
        s.workflowId,
        s.runId,
        run.firstEventId,
        run.firstEventId + run.events.length - 1,
        historyData(run),
      ],
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
  const historyParams = hasEvents ? [run.firstEventId, run.firstEventId + run.events.length - 1, historyData(run)] : [];
  if (run.expectedVersion === undefined) {
    const history = hasEvents
      ? `, h AS (INSERT INTO ${T}.history (namespace, workflow_id, run_id, first_event_id, last_event_id, data) SELECT $1,$2,$3,$13,$14,$15 FROM e)`
      : '';
    try {
      await pool.query({
        // Named: prepared once per connection, so PostgreSQL skips parsing and planning.
        name: hasEvents ? 'temporal_insert_run_h' : 'temporal_insert_run',
        text: `WITH e AS (INSERT INTO ${T}.executions (namespace, workflow_id, run_id, status, workflow_type, task_queue, start_time, execution_time, close_time, history_length, search_attributes, state, version)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1) RETURNING 1)${history} SELECT count(*) AS n FROM e`,
        values: [...cols, ...historyParams],
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new DuplicateRunningError(`workflow ${run.state.workflowId} is already running`);
      throw err;
    }
    return;
  }
  const history = hasEvents
    ? `, h AS (INSERT INTO ${T}.history (namespace, workflow_id, run_id, first_event_id, last_event_id, data) SELECT $1,$2,$3,$14,$15,$16 FROM u)`
    : '';
  const r = await pool.query<{ n: string }>({
    name: hasEvents ? 'temporal_update_run_h' : 'temporal_update_run',
    text: `WITH u AS (UPDATE ${T}.executions SET status = $4, workflow_type = $5, task_queue = $6, start_time = $7, execution_time = $8, close_time = $9,
         history_length = $10, search_attributes = $11, state = $12, version = version + 1
       WHERE namespace = $1 AND workflow_id = $2 AND run_id = $3 AND version = $13 RETURNING 1)${history} SELECT count(*) AS n FROM u`,
    values: [...cols, run.expectedVersion, ...historyParams],
  });
  if (Number(r.rows[0].n) !== 1) throw new ConflictError(`run ${run.state.runId} was changed concurrently`);
}

/**
 * Writes many runs in one statement: the rows travel as one JSON document (each run's state is
 * already JSON, spliced in as is, and stored as the same text), history batches as arrays. A stale version makes
 * expect_rows raise, so the statement, and with it the whole group, writes nothing.
 */
async function writeGroupStatement(pool: Pool, runs: RunWrite[]): Promise<void> {
  const rows: string[] = [];
  const h: { ns: string[]; wid: string[]; rid: string[]; first: number[]; last: number[]; length: number[] } = {
    ns: [],
    wid: [],
    rid: [],
    first: [],
    last: [],
    length: [],
  };
  const data: Buffer[] = [];
  let updates = 0;
  for (const run of runs) {
    const s = run.state;
    if (run.expectedVersion !== undefined) updates++;
    const scalars = JSON.stringify({
      ns: s.namespace,
      wid: s.workflowId,
      rid: s.runId,
      st: s.status,
      wt: s.workflowType,
      tq: s.taskQueue,
      s0: s.startTime,
      e0: s.executionTime,
      c0: s.closeTime ?? null,
      hl: s.nextEventId - 1,
      v: run.expectedVersion ?? null,
      sa: s.searchAttributes,
    });
    rows.push(`${scalars.slice(0, -1)},"state":${toJson(s)}}`);
    if (run.events.length) {
      h.ns.push(s.namespace);
      h.wid.push(s.workflowId);
      h.rid.push(s.runId);
      h.first.push(run.firstEventId);
      h.last.push(run.firstEventId + run.events.length - 1);
      const bytes = historyData(run);
      h.length.push(bytes.length);
      data.push(bytes);
    }
  }
  await pool.query({
    name: 'temporal_group_commit',
    text: GROUP_SQL,
    // The history batches travel as one binary parameter cut by length (a bytea[] parameter is
    // sent as hex text, which doubled the bytes and cost both sides an encoding pass).
    values: [`[${rows.join(',')}]`, h.ns, h.wid, h.rid, h.first, h.last, Buffer.concat(data), h.length, updates],
  });
}

const GROUP_SQL = `
WITH i AS (
  SELECT * FROM json_to_recordset($1::json)
    AS t(ns text, wid text, rid text, st smallint, wt text, tq text, s0 float8, e0 float8, c0 float8, hl integer, v bigint, sa jsonb, state json)
), u AS (
  UPDATE ${T}.executions e SET status = i.st, workflow_type = i.wt, task_queue = i.tq, start_time = to_timestamp(i.s0 / 1000),
    execution_time = to_timestamp(i.e0 / 1000), close_time = to_timestamp(i.c0 / 1000), history_length = i.hl,
    search_attributes = i.sa, state = i.state, version = e.version + 1
  FROM i WHERE i.v IS NOT NULL AND e.namespace = i.ns AND e.workflow_id = i.wid AND e.run_id = i.rid AND e.version = i.v
  RETURNING 1
), n AS (
  INSERT INTO ${T}.executions (namespace, workflow_id, run_id, status, workflow_type, task_queue, start_time, execution_time, close_time, history_length, search_attributes, state, version)
  SELECT ns, wid, rid, st, wt, tq, to_timestamp(s0 / 1000), to_timestamp(e0 / 1000), to_timestamp(c0 / 1000), hl, sa, state, 1 FROM i WHERE i.v IS NULL
  RETURNING 1
), b AS (
  SELECT ns, wid, rid, f, l, len, sum(len) OVER (ORDER BY ord) - len AS off
  FROM unnest($2::text[], $3::text[], $4::text[], $5::int4[], $6::int4[], $8::int4[]) WITH ORDINALITY AS x(ns, wid, rid, f, l, len, ord)
), h AS (
  INSERT INTO ${T}.history (namespace, workflow_id, run_id, first_event_id, last_event_id, data)
  SELECT ns, wid, rid, f, l, substring($7::bytea FROM (off + 1)::int4 FOR len) FROM b
)
SELECT ${T}.expect_rows((SELECT count(*) FROM u), $9) AS n`;
