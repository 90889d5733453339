import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { createEmptyDatabase } from '../../support/databases';
import { createTestTemporalEnv, TEMPORAL_SERVER_BIN } from '../../support/temporal-env';
import { workflowBundle } from './bundle';

export interface ConformanceEnvOptions {
  timeSkipping?: boolean;
  /** Custom search attributes the suite needs registered (Keyword etc.). */
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
  /** An extra namespace to register besides `default`. */
  namespace?: string;
}

let runtimeInstalled = false;
/** The SDK's core logs every poll retry at INFO; warnings (or only errors) are enough in test output. */
export function quietRuntime(level: 'WARN' | 'ERROR' = 'ERROR'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed by an earlier test file in this worker process: keep that one.
  }
}

/**
 * One Temporal environment per test file. Plain requests go through the project's
 * createTestTemporalEnv (embedded server on a fresh database, or TEMPORAL_ADDRESS). Search
 * attributes and extra namespaces are registered the way each kind of server expects: by
 * `server start-dev` flags for a server we start, by the operator/namespace APIs for an
 * existing one.
 */
export async function startConformanceEnv(opts: ConformanceEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  // The SDK gives a spawned server a fixed 5 s to open its port; on a loaded machine a start can
  // miss that, which says nothing about conformance, so a start that timed out is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await createEnv(opts);
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
}

async function createEnv(opts: ConformanceEnvOptions): Promise<TestWorkflowEnvironment> {
  if (!opts.searchAttributes && !opts.namespace) return createTestTemporalEnv({ timeSkipping: opts.timeSkipping });
  const address = process.env.TEMPORAL_ADDRESS;
  if (address) {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    });
    if (opts.namespace) await registerNamespace(env, opts.namespace);
    if (opts.searchAttributes) await registerSearchAttributes(env, opts.searchAttributes);
    return env;
  }
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL_SERVER_BIN },
      extraArgs: ['--database-url', await createEmptyDatabase('temporal')],
      searchAttributes: opts.searchAttributes,
      namespace: opts.namespace,
    },
  });
}

const GRPC_ALREADY_EXISTS = 6;
function isAlreadyExists(err: unknown): boolean {
  return (err as { code?: number }).code === GRPC_ALREADY_EXISTS;
}

async function registerNamespace(env: TestWorkflowEnvironment, namespace: string): Promise<void> {
  try {
    await env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  // A real server serves a new namespace only after its namespace cache refreshes.
  const client = new Client({ connection: env.connection, namespace });
  await eventually(async () => void (await client.workflow.count()), { timeoutMs: 30_000 });
}

async function registerSearchAttributes(
  env: TestWorkflowEnvironment,
  keys: SearchAttributeKey<SearchAttributeType>[],
): Promise<void> {
  const indexed: Record<string, temporal.api.enums.v1.IndexedValueType> = {
    KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
    DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };
  const searchAttributes = Object.fromEntries(keys.map((k) => [k.name, indexed[k.type]]));
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes,
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** A name nobody else in this run uses (task queues, workflow ids). */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export type WorkerSetup = Partial<
  Pick<
    WorkerOptions,
    | 'activities'
    | 'namespace'
    | 'workflowBundle'
    | 'maxCachedWorkflows'
    | 'stickyQueueScheduleToStartTimeout'
    | 'workerDeploymentOptions'
    | 'connection'
    | 'identity'
  >
> & { taskQueue: string };

/** Creates a worker for one task queue on the environment's connection. */
export async function createWorker(env: TestWorkflowEnvironment, setup: WorkerSetup): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: setup.namespace ?? env.namespace ?? 'default',
    workflowBundle: setup.workflowBundle ?? (await workflowBundle()),
    ...setup,
  });
}

/** Workers still running, so that teardown can stop them when a test timed out mid-way. */
const runningWorkers = new Set<Worker>();

/** Runs `fn` while a worker polls `setup.taskQueue`, then shuts the worker down. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  setup: WorkerSetup,
  fn: (worker: Worker) => Promise<T>,
): Promise<T> {
  const worker = await createWorker(env, setup);
  runningWorkers.add(worker);
  try {
    return await worker.runUntil(() => fn(worker));
  } finally {
    runningWorkers.delete(worker);
  }
}

/**
 * Stops workers a timed-out test left running, then the environment: closing a connection that
 * workers still hold throws, and the failure would spill into the next test file.
 */
export async function teardownEnv(env: TestWorkflowEnvironment | undefined): Promise<void> {
  for (const worker of runningWorkers) {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  }
  const deadline = Date.now() + 10_000;
  while (
    [...runningWorkers].some((w) => w.getState() !== 'STOPPED' && w.getState() !== 'FAILED') &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  runningWorkers.clear();
  await env?.teardown();
}

/** Retries `check` until it stops throwing; visibility on a real server is eventually consistent. */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** The rejection of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new ExpectedRejection(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof ExpectedRejection) throw err;
    return err as Error;
  }
}

class ExpectedRejection extends Error {}
