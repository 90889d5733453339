/** Starts the process instance of one timer start firing (called by the timer-start scheduler). */
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Sequelize } from 'sequelize';
import { definitionById, recordTimerStartFinished as recordFinished } from '../../records/definitions';
import {
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceInput,
  type StartTimerInstanceInput,
} from '../../workflows/contract';
import { timerInstanceId } from '../../workflows/timer-start-schedule';
import { DEFINITION_NOT_FOUND } from './definitions';

export interface TimerStartDeps {
  sequelize: Sequelize;
  client: Client;
  taskQueue: string;
}

/**
 * The workflow id is derived from the key, start event and fire time, and a duplicate is
 * refused even after the first instance has ended: a retried call never starts a second one.
 */
export async function startTimerInstance(
  deps: TimerStartDeps,
  t: StartTimerInstanceInput,
): Promise<{ workflowId: string; started: boolean }> {
  const d = await definitionById({ sequelize: deps.sequelize }, t.definitionId);
  if (!d)
    throw ApplicationFailure.create({
      type: DEFINITION_NOT_FOUND,
      message: `process definition ${t.definitionId} (${t.key}) does not exist`,
      nonRetryable: true,
    });
  const input: ProcessInstanceInput = {
    definition: { id: d.id, key: d.key, version: d.version, graph: d.graph },
    businessKey: null,
    variables: {},
    startEventId: t.startEventId,
  };
  const workflowId = timerInstanceId(d.key, t.startEventId, t.fireAt);
  try {
    await deps.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { workflowId, started: true };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw e;
  }
}

/** Idempotent: the first record of a version stays. */
export function recordTimerStartFinished(
  sequelize: Sequelize,
  f: { definitionId: number; startedInstances: number },
): Promise<void> {
  return recordFinished({ sequelize }, f);
}
