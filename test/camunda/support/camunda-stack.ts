/**
 * CHIS Flow serving the Camunda REST API on a real port, for Camunda's own clients: the engine
 * worker on the time-skipping embedded Temporal server, a migrated database, the API app
 * listening on 127.0.0.1, and accounts for every role (password PASSWORD). `close()` replays
 * every closed workflow history.
 */
import { createCamundaClient, type CamundaClient } from '@camunda8/orchestration-cluster-api';
import { TASK_LISTENER_WAIT_SECONDS_DEFAULT } from '../../../core/config';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../../api/app';
import type { CaseWorkDependencies } from '../../../api/case-work-deps';
import { TemporalTaskCompleter } from '../../../api/tasks/temporal-task-completer';
import type { Db } from '../../../records/sql';
import type { StaffPrincipal } from '../../../records/staff';
import type { ActivityImplementations } from '../../../workers/engine-worker';
import { makeStaff, makeTeam, PASSWORD, TEST_AUTH } from '../../api/support/case-work';
import { startEngineTestEnv, type EngineTestEnv } from '../../workflows/support';

export { PASSWORD };

/**
 * Camunda's own client for `username` on the stack's /v2: basic auth, our answers validated
 * against Camunda's published schemas (`validation`), no retries (a failure shows at once).
 */
export function camundaClientFor(
  stack: Pick<CamundaStack, 'address'>,
  username: string,
  validation = 'req:strict,res:strict',
): CamundaClient {
  return createCamundaClient({
    config: {
      CAMUNDA_REST_ADDRESS: stack.address,
      CAMUNDA_AUTH_STRATEGY: 'BASIC',
      CAMUNDA_BASIC_AUTH_USERNAME: username,
      CAMUNDA_BASIC_AUTH_PASSWORD: PASSWORD,
      CAMUNDA_SDK_VALIDATION: validation,
      CAMUNDA_SDK_LOG_LEVEL: 'silent',
      CAMUNDA_SDK_HTTP_RETRY_MAX_ATTEMPTS: 1,
    } as never,
  });
}

export interface CamundaStack {
  engine: EngineTestEnv;
  db: Db;
  /** http://127.0.0.1:<port>: what CAMUNDA_REST_ADDRESS is set to. */
  address: string;
  admin: StaffPrincipal;
  manager: StaffPrincipal;
  /** Role integration: the job workers' account. */
  worker: StaffPrincipal;
  /** A caseworker in team `team`, for user tasks that name it as candidate group. */
  caseworker: StaffPrincipal;
  team: string;
  close(): Promise<void>;
}

export async function startCamundaStack(
  activities: ActivityImplementations = {},
  /** How long requests wait for task listeners (default: the configuration's default, 30 s). */
  taskListenerWaitMs = TASK_LISTENER_WAIT_SECONDS_DEFAULT * 1000,
): Promise<CamundaStack> {
  const engine = await startEngineTestEnv(activities, [], { dbPrefix: 'camunda_v2' });
  const db: Db = { sequelize: engine.db.sequelize };
  const deps: CaseWorkDependencies = {
    db,
    auth: { ...TEST_AUTH, loginMaxFailures: 50 },
    taskListenerWaitMs,
    taskCompleter: new TemporalTaskCompleter(engine.env.client, db, taskListenerWaitMs),
    engine: { client: engine.env.client, taskQueue: engine.taskQueue },
  };
  const app = createApp({ logger: pino({ level: 'silent' }), health: {}, caseWork: deps });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const team = await makeTeam(db, 1);
  const [admin, manager, worker, caseworker] = await Promise.all([
    makeStaff(db, 'administrator'),
    makeStaff(db, 'service_manager'),
    makeStaff(db, 'integration'),
    makeStaff(db, 'caseworker', { teamCodes: [team] }),
  ]);
  return {
    engine,
    db,
    address: `http://127.0.0.1:${port}`,
    admin,
    manager,
    worker,
    caseworker,
    team,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}
