import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import * as activities from './activities';

export const WORKFLOWS = require.resolve('./workflows/index');

export async function makeWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  extraActivities: Record<string, (...args: never[]) => Promise<unknown>> = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: WORKFLOWS,
    activities: { ...activities, ...extraActivities },
  });
}

/** Replays every given workflow's history with the real SDK; throws on any nondeterminism. */
export async function replayAll(client: Client, workflowIds: string[]): Promise<number> {
  const histories = await Promise.all(
    workflowIds.map(async (workflowId) => ({
      workflowId,
      history: await client.workflow.getHandle(workflowId).fetchHistory(),
    })),
  );
  let count = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS }, histories)) {
    if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${String(result.error)}`);
    count++;
  }
  return count;
}
