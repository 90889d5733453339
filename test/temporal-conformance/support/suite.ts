import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { workflowBundle } from './bundle';
import {
  startConformanceEnv,
  teardownEnv,
  unique,
  withWorker,
  type ConformanceEnvOptions,
  type WorkerSetup,
} from './env';
import { ExecutionLog } from './history';
import { ActivityProbe } from './probe';

/**
 * What a conformance file shares: one environment (started in beforeAll, torn down in afterAll),
 * the probe its activities report to, the log of executions it replays at the end, and a worker
 * on a fresh task queue per scenario.
 */
export class ConformanceFile {
  readonly probe = new ActivityProbe();
  readonly log = new ExecutionLog();
  private started: TestWorkflowEnvironment | undefined;

  constructor(
    private readonly queuePrefix: string,
    options: ConformanceEnvOptions = {},
  ) {
    beforeAll(async () => {
      this.started = await startConformanceEnv(options);
    });
    afterAll(async () => {
      await teardownEnv(this.started);
    });
  }

  get env(): TestWorkflowEnvironment {
    if (!this.started) throw new Error('the conformance environment starts in beforeAll');
    return this.started;
  }

  /** Runs `fn` while a worker with the conformance activities polls a fresh task queue. */
  readonly onQueue = <T>(
    fn: (taskQueue: string) => Promise<T>,
    setup: Omit<WorkerSetup, 'taskQueue' | 'activities'> = {},
  ): Promise<T> => {
    const taskQueue = unique(this.queuePrefix);
    return withWorker(this.env, { ...setup, taskQueue, activities: createActivities(this.probe) }, () => fn(taskQueue));
  };

  /** Replays every closed execution the file logged, with the suite's workflow code unless told otherwise. */
  async replayLogged(
    bundle?: NonNullable<WorkerOptions['workflowBundle']>,
  ): Promise<{ replayed: number; failures: string[] }> {
    return this.log.replayClosed(this.env.client, bundle ?? (await workflowBundle()));
  }
}
