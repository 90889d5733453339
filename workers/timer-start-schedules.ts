/**
 * Keeps the timer-start schedulers in step with the deployed definitions: the latest version of
 * a key with timer start events has a running `timer-start:<key>` scheduler on that version;
 * a key whose latest version has none has no scheduler. Idempotent (a scheduler ignores a
 * version it already runs), so start-up simply syncs every key, and the deploy path the one
 * version it deployed.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { DeployedDefinition } from '../deployment/deployed-definition';
import { latestDefinitionsWithTimerState } from '../records/definitions';
import { timerStartsOf, type TimerStartDefinition } from '../workflows/timer-start-schedule';
import {
  adoptTimerStartDefinitionSignal,
  TIMER_START_WORKFLOW_TYPE,
  timerStartWorkflowId,
  type TimerStartSchedulerInput,
} from '../workflows/timer-start-scheduler';

export interface TimerStartSync {
  client: Client;
  /** The engine worker's task queue (schedulers and the instances they start run there). */
  taskQueue: string;
}

/** `finished`: the latest version's timers have all fired (recorded by its scheduler); nothing to do. */
export type TimerStartSyncResult = 'scheduled' | 'stopped' | 'none' | 'finished';

export function timerStartDefinition(d: DeployedDefinition): TimerStartDefinition {
  return { definitionId: d.id, key: d.key, version: d.version, timers: timerStartsOf(d.graph) };
}

/** Schedules (or replaces, or stops) the timer starts of `d`, which must be the latest version of its key. */
export async function syncTimerStartSchedule(
  sync: TimerStartSync,
  d: DeployedDefinition,
): Promise<TimerStartSyncResult> {
  const definition = timerStartDefinition(d);
  const workflowId = timerStartWorkflowId(d.key);
  if (definition.timers.length > 0) {
    const args: [TimerStartSchedulerInput] = [{ definition }];
    await sync.client.workflow.signalWithStart(TIMER_START_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: sync.taskQueue,
      args,
      signal: adoptTimerStartDefinitionSignal,
      signalArgs: [definition],
    });
    return 'scheduled';
  }
  try {
    await sync.client.workflow.getHandle(workflowId).signal(adoptTimerStartDefinitionSignal, definition);
    return 'stopped';
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return 'none'; // no scheduler, or it has finished
    throw e;
  }
}

/** For `deployDefinition`'s `onDeployed`: every newly deployed version updates its key's schedule. */
export function timerStartDeployHook(sync: TimerStartSync): (d: DeployedDefinition) => Promise<void> {
  return async (d) => {
    await syncTimerStartSchedule(sync, d);
  };
}

/** Start-up: brings every key's scheduler in line with its latest version. */
export async function syncAllTimerStartSchedules(
  sequelize: Sequelize,
  sync: TimerStartSync,
): Promise<Record<string, TimerStartSyncResult>> {
  const latest = await latestDefinitionsWithTimerState({ sequelize });
  const results: Record<string, TimerStartSyncResult> = {};
  for (const d of latest) results[d.key] = d.finished ? 'finished' : await syncTimerStartSchedule(sync, d);
  return results;
}
