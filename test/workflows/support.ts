/**
 * One engine test environment per test file: the embedded Temporal server (time skipping),
 * a migrated PostgreSQL database, definitions deployed through the real compiler, and an
 * engine worker with test activities. `close()` replays every closed history first.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { QueryTypes } from 'sequelize';
import { ACTIVITY_TYPES, LOCAL_ACTIVITY_TYPES } from '../../activities/catalogue';
import type { Database } from '../../db/database';
import { DefinitionStore, type DefinitionVersion } from '../../records/definition-store';
import { deployDefinition } from '../../deployment/deploy-definition';
import { createEngineWorker, type ActivityImplementations } from '../../workers/engine-worker';
import { timerStartDeployHook } from '../../workers/timer-start-schedules';
import { engineWorkflowBundle } from '../../workers/workflow-bundle';
import {
  instanceStateQuery,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type InstanceStateView,
  type ProcessInstanceInput,
  type ProcessInstanceResult,
} from '../../workflows/contract';
import { createMigratedDatabase } from '../support/databases';
import { createTestTemporalEnv } from '../support/temporal-env';
import { withDiagram } from './diagram';

export const CANDIDATE_GROUPS = new Set([
  'caseworkers',
  'safeguarding-leads',
  'coventry',
  'birmingham',
  'health-visitors',
]);

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // another test file in this process installed it already
  }
}

async function startEnv(): Promise<TestWorkflowEnvironment> {
  // A spawned server has a fixed few seconds to open its port; a loaded machine can miss that.
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTestTemporalEnv({ timeSkipping: true });
    } catch (err) {
      if (attempt >= 5 || !/did not start within/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
}

export interface EngineTestEnv {
  env: TestWorkflowEnvironment;
  db: Database;
  taskQueue: string;
  deploy(xml: string): Promise<DefinitionVersion>;
  start(key: string, opts?: StartOptions): Promise<WorkflowHandle>;
  /** Starts an instance of a given (e.g. altered) stored definition. */
  startDefinition(definition: ProcessInstanceInput['definition'], opts?: StartOptions): Promise<WorkflowHandle>;
  state(handle: WorkflowHandle): Promise<InstanceStateView>;
  /** Polls the query until `predicate` holds (workflow tasks run asynchronously). */
  waitFor(
    handle: WorkflowHandle,
    predicate: (s: InstanceStateView) => boolean,
    what: string,
  ): Promise<InstanceStateView>;
  result(handle: WorkflowHandle): Promise<ProcessInstanceResult>;
  close(): Promise<void>;
}

export interface StartOptions {
  variables?: Record<string, unknown>;
  businessKey?: string;
  version?: number;
  historyLimit?: number;
  workflowId?: string;
  /** Shorter than the default 10 s: a worker running a local activity holds the workflow task for up to 80 % of it. */
  workflowTaskTimeout?: Duration;
}

/** What an activity factory gets: the test database, the test client and the worker's task queue. */
export interface EngineTestContext {
  db: Database;
  client: Client;
  taskQueue: string;
}

/**
 * Activities are given directly or built from the environment (catalogue activities need the
 * database and client that only exist once the environment is up). `prepare` runs on the
 * migrated database before the worker starts (e.g. seeding). `localActivityTypes` are test
 * types deployed as local activities, besides the catalogue's local types.
 */
export async function startEngineTestEnv(
  activities: ActivityImplementations | ((ctx: EngineTestContext) => ActivityImplementations),
  extraActivityTypes: string[] = [],
  options: {
    dbPrefix?: string;
    prepare?: (ctx: EngineTestContext) => Promise<void>;
    requireClosedHistory?: boolean;
    localActivityTypes?: string[];
  } = {},
): Promise<EngineTestEnv> {
  quietRuntime();
  const [env, db] = await Promise.all([startEnv(), createMigratedDatabase(options.dbPrefix ?? 'bpmn_wf')]);
  const taskQueue = `bpmn-${randomUUID()}`;
  const ctx: EngineTestContext = { db, client: env.client, taskQueue };
  if (options.prepare) await options.prepare(ctx);
  const worker = await createEngineWorker({
    connection: env.nativeConnection,
    taskQueue,
    sequelize: db.sequelize,
    client: env.client,
    activities: typeof activities === 'function' ? activities(ctx) : activities,
  });
  const running = worker.run();
  const store = new DefinitionStore(db.sequelize);
  const activityTypes = new Set([...ACTIVITY_TYPES, ...extraActivityTypes]);
  const localActivityTypes = new Set([...LOCAL_ACTIVITY_TYPES, ...(options.localActivityTypes ?? [])]);
  const startDefinition = (definition: ProcessInstanceInput['definition'], opts: StartOptions = {}) => {
    const input: ProcessInstanceInput = {
      definition,
      variables: opts.variables ?? {},
      businessKey: opts.businessKey ?? null,
      ...(opts.historyLimit ? { historyLimit: opts.historyLimit } : {}),
    };
    return env.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: opts.workflowId ?? `${definition.key}-${randomUUID()}`,
      args: [input],
      ...(opts.workflowTaskTimeout ? { workflowTaskTimeout: opts.workflowTaskTimeout } : {}),
    });
  };

  const self: EngineTestEnv = {
    env,
    db,
    taskQueue,
    async deploy(xml) {
      // As the API does: a new version also starts, replaces or stops its timer-start scheduler.
      const outcome = await deployDefinition(db.sequelize, withDiagram(xml), {
        activityTypes,
        localActivityTypes,
        candidateGroups: CANDIDATE_GROUPS,
        onDeployed: timerStartDeployHook({ client: env.client, taskQueue }),
      });
      if (outcome.status === 'deployed') {
        const unscheduled = outcome.warnings.find((w) => w.rule === 'schedule');
        if (unscheduled) throw new Error(unscheduled.message);
      }
      if (outcome.status === 'refused')
        throw new Error(
          `fixture refused: ${outcome.problems.map((p) => `${p.elementId ?? ''} ${p.message}`).join('; ')}`,
        );
      return outcome.definition;
    },
    async start(key, opts = {}) {
      const d = await store.withGraph(key, opts.version);
      if (!d) throw new Error(`no definition ${key}`);
      return startDefinition({ id: d.id, key: d.key, version: d.version, graph: d.graph }, opts);
    },
    startDefinition,
    state: (handle) => handle.query(instanceStateQuery),
    async waitFor(handle, predicate, what) {
      const deadline = Date.now() + 30_000;
      let last: InstanceStateView | undefined;
      while (Date.now() < deadline) {
        try {
          last = await handle.query(instanceStateQuery);
          if (predicate(last)) return last;
        } catch {
          // not started yet
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `timed out waiting for ${what}; last state: ${JSON.stringify(last && { status: last.status, active: last.active.map((a) => a.elementId), incidents: last.incidents, failure: last.failure })}`,
      );
    },
    result: (handle) => handle.result() as Promise<ProcessInstanceResult>,
    async close() {
      try {
        await replayAllClosed(env, options.requireClosedHistory ?? true);
      } finally {
        worker.shutdown();
        await running.catch(() => undefined);
        await db.close();
        await env.teardown();
      }
    },
  };
  return self;
}

/** Every closed workflow's history must replay with the same bundle without a nondeterminism error. */
export async function replayAllClosed(env: TestWorkflowEnvironment, requireOne = true): Promise<void> {
  const histories: Array<{ workflowId: string; history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> }> = [];
  for await (const wf of env.client.workflow.list()) {
    if (wf.status.name === 'RUNNING') continue;
    histories.push({
      workflowId: wf.workflowId,
      history: await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
    });
  }
  if (histories.length === 0) {
    if (requireOne) throw new Error('no closed workflow to replay');
    return;
  }
  const bundle = await engineWorkflowBundle();
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'bpmn-replay' }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect({ replayed: histories.length, failures }).toEqual({ replayed: histories.length, failures: [] });
}

export async function humanTaskRow(db: Database, taskId: string): Promise<Record<string, unknown> | undefined> {
  const rows = await db.sequelize.query<Record<string, unknown>>('SELECT * FROM human_tasks WHERE id = $1', {
    type: QueryTypes.SELECT,
    bind: [taskId],
  });
  return rows[0];
}

export async function instanceRow(db: Database, id: string): Promise<Record<string, unknown> | undefined> {
  const rows = await db.sequelize.query<Record<string, unknown>>('SELECT * FROM process_instances WHERE id = $1', {
    type: QueryTypes.SELECT,
    bind: [id],
  });
  return rows[0];
}
