/**
 * The composition root: how the parts of CHIS Flow are put together. `npm start`
 * (system/start-system.ts), the test stack (test/support/chis-stack.ts) and the benches build
 * the system with these, so a test or a bench runs the wiring `npm start` runs, not a copy of it.
 * Infrastructure (PostgreSQL, Temporal, mail, PDS) is started by each caller its own way.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { createCatalogueActivities } from '../activities/catalogue-activities';
import type { CatalogueDeps } from '../activities/deps';
import type { CaseWorkDependencies } from '../api/case-work-deps';
import { DatabaseTaskCompleter } from '../api/tasks/database-task-completer';
import { TemporalTaskCompleter } from '../api/tasks/temporal-task-completer';
import { TASK_LISTENER_WAIT_SECONDS_DEFAULT, type AuthConfig } from '../core/config';
import type { Logger } from '../core/logger';
import { deployDefinition } from '../deployment/deploy-definition';
import { deployDirectory, describeRefusals, type FileDeployment } from '../deployment/deploy-directory';
import { currentDeploymentContext, type DeploymentContext } from '../deployment/deployment-context';
import { processOutbox, type ProcessOutbox } from '../engine-client/process-outbox';
import type { Db } from '../records/sql';
import { startProcessOutboxRelay, type ProcessOutboxRelay } from '../workers/process-outbox-relay';
import { startTaskReconciliation } from '../workers/task-reconciliation';

/** The process engine as the API and the background loops reach it. */
export interface EngineConnection {
  client: Client;
  /** Task queue of the engine worker, for the instances started. */
  taskQueue: string;
}

/** What a deployment is checked against: the activity catalogue and the teams that exist now. */
export const deploymentContext = (sequelize: Sequelize): Promise<DeploymentContext> =>
  currentDeploymentContext(sequelize);

/**
 * Deploys the process definitions of a folder (every `*.bpmn`, or only `files`); a refused file
 * stops the caller with every refusal named.
 */
export async function deployDefinitions(
  sequelize: Sequelize,
  directory: string,
  files?: readonly string[],
): Promise<FileDeployment[]> {
  const context = await deploymentContext(sequelize);
  let deployed: FileDeployment[];
  if (files) {
    deployed = [];
    for (const file of files) {
      const xml = await readFile(join(directory, file), 'utf8');
      deployed.push({ file, outcome: await deployDefinition(sequelize, xml, { ...context, resourceName: file }) });
    }
  } else {
    deployed = await deployDirectory(sequelize, directory, context);
  }
  const refusals = describeRefusals(deployed);
  if (refusals) throw new Error(`${directory} could not be deployed:\n${refusals}`);
  return deployed;
}

/** The engine's activity implementations (the catalogue and the engine's own bookkeeping). */
export const engineActivities = (deps: CatalogueDeps) => createCatalogueActivities(deps);

/**
 * What the API's routes need. With an engine, tasks are completed through their workflow and the
 * routes deliver the process outbox rows they write at once; without one, completion is the
 * database's alone (benches of the task queues) and routes that need the engine answer 503.
 */
export function caseWorkDependencies(o: {
  db: Db;
  auth: AuthConfig;
  engine?: EngineConnection;
  localMailbox?: boolean;
  now?: () => Date;
  /** How long a request waits for task listeners (CHIS_TASK_LISTENER_WAIT_SECONDS; default 30 s). */
  taskListenerWaitMs?: number;
}): CaseWorkDependencies {
  const db: Db = { sequelize: o.db.sequelize };
  const taskListenerWaitMs = o.taskListenerWaitMs ?? TASK_LISTENER_WAIT_SECONDS_DEFAULT * 1000;
  return {
    db,
    auth: o.auth,
    taskListenerWaitMs,
    taskCompleter: o.engine
      ? new TemporalTaskCompleter(o.engine.client, db, taskListenerWaitMs)
      : new DatabaseTaskCompleter(db),
    ...(o.engine ? { engine: { ...o.engine, outbox: processOutbox(db, o.engine) } } : {}),
    ...(o.localMailbox !== undefined ? { localMailbox: o.localMailbox } : {}),
    ...(o.now ? { now: o.now } : {}),
  };
}

export interface EngineLoops {
  /** Delivers the process outbox rows their writers could not (the engine was down). */
  processRelay: ProcessOutboxRelay;
  /** Mends task rows whose completion the workflow accepted but whose row write failed. */
  reconciliation: { stop(): Promise<void> };
  outbox: ProcessOutbox;
}

/** The background loops beside the engine worker (workers/). */
export function startEngineLoops(o: {
  db: Db;
  engine: EngineConnection;
  logger: Logger;
  relay?: { intervalMs?: number; graceMs?: number };
}): EngineLoops {
  const db: Db = { sequelize: o.db.sequelize };
  const outbox = processOutbox(db, o.engine);
  const reconciliation = startTaskReconciliation(o.engine.client, db, {
    onError: (err) => o.logger.warn({ err }, 'task reconciliation failed'),
  });
  const processRelay = startProcessOutboxRelay({
    db,
    outbox,
    logger: o.logger.child({ component: 'process-outbox-relay' }),
    ...o.relay,
  });
  return { processRelay, reconciliation, outbox };
}
