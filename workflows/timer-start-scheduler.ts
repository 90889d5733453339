/**
 * One durable scheduler per definition key whose latest version has timer start events
 * (workflow id `timer-start:<key>`): it sleeps until the next firing, starts a process instance
 * for it (an idempotent start, one workflow id per firing), and continues as new now and then.
 * A newer version arrives by signal (the deploy path and start-up send it, `signalWithStart`)
 * and replaces the plan; a version without timer starts ends the scheduler. When a version's
 * timers will not fire again, the scheduler records it (timer_start_finished) and ends.
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities } from './contract';
import {
  afterFiring,
  nextDue,
  planSchedule,
  type ScheduleEntry,
  type TimerStartDefinition,
} from './timer-start-schedule';

export const TIMER_START_WORKFLOW_TYPE = 'timerStartScheduler';

/** Cron cycles and zone ids are planned; schedulers that started before refused them, and still do on replay. */
export const SCHEDULER_CRON_AND_ZONE_IDS_PATCH = 'timer-start-cron-and-zone-ids';

export function timerStartWorkflowId(key: string): string {
  return `timer-start:${key}`;
}

export interface TimerStartSchedulerInput {
  definition: TimerStartDefinition;
  /** Carried across continue-as-new (absent: planned from the definition when the run starts). */
  schedule?: ScheduleEntry[];
  /** Instances started by earlier runs. */
  started?: number;
  /** Continue as new after this many firings in one run (default 100). */
  firingsPerRun?: number;
}

export interface TimerStartSchedulerView {
  definition: { id: number; key: string; version: number };
  schedule: ScheduleEntry[];
  /** Instances started so far, over every run. */
  started: number;
}

/** A newer version of the key (ignored unless its version is higher than the one scheduled). */
export const adoptTimerStartDefinitionSignal = defineSignal<[TimerStartDefinition]>('adoptTimerStartDefinition');
export const timerStartStateQuery = defineQuery<TimerStartSchedulerView>('timerStartState');

const DEFAULT_FIRINGS_PER_RUN = 100;
/** Temporal suggests a new run at 10k events; each firing costs about a dozen. */
const HISTORY_LIMIT = 5000;

/** Starting an instance is retried until it works: a firing is never dropped. */
const engine = proxyActivities<Pick<EngineActivities, 'engineStartTimerInstance' | 'engineTimerStartFinished'>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['DefinitionNotFound'],
  },
});

function isDefinition(d: unknown): d is TimerStartDefinition {
  const x = d as TimerStartDefinition | null;
  return (
    !!x &&
    typeof x.key === 'string' &&
    typeof x.version === 'number' &&
    typeof x.definitionId === 'number' &&
    Array.isArray(x.timers)
  );
}

export async function timerStartScheduler(input: TimerStartSchedulerInput): Promise<TimerStartSchedulerView> {
  if (!isDefinition(input?.definition))
    throw new Error('timerStartScheduler needs { definition: { definitionId, key, version, timers } }');
  let definition = input.definition;
  const plan = { cronAndZoneIds: patched(SCHEDULER_CRON_AND_ZONE_IDS_PATCH) };
  let schedule = input.schedule ?? planSchedule(definition, Date.now(), plan);
  let started = input.started ?? 0;
  let startedThisRun = 0;
  let newer: TimerStartDefinition | undefined;
  const firingsPerRun = input.firingsPerRun ?? DEFAULT_FIRINGS_PER_RUN;

  setHandler(adoptTimerStartDefinitionSignal, (d) => {
    if (isDefinition(d) && d.key === definition.key && d.version > (newer ?? definition).version) newer = d;
  });
  const view = (): TimerStartSchedulerView => ({
    definition: { id: definition.definitionId, key: definition.key, version: definition.version },
    schedule,
    started,
  });
  setHandler(timerStartStateQuery, view);

  for (;;) {
    if (newer) {
      definition = newer;
      newer = undefined;
      schedule = planSchedule(definition, Date.now(), plan);
    }
    const due = nextDue(schedule);
    if (!due) {
      // Nothing will fire again: recorded, so that start-up does not plan this version afresh.
      // A later version starts a new scheduler.
      if (definition.timers.length > 0)
        await engine.engineTimerStartFinished({ definitionId: definition.definitionId, startedInstances: started });
      if (newer) continue;
      return view();
    }
    const info = workflowInfo();
    if (startedThisRun >= firingsPerRun || info.continueAsNewSuggested || info.historyLength >= HISTORY_LIMIT) {
      await continueAsNew<typeof timerStartScheduler>({ definition, schedule, started, firingsPerRun });
    }
    const wait = due.nextFireAt! - Date.now();
    if (wait > 0 && (await condition(() => newer !== undefined, wait))) continue;
    await engine.engineStartTimerInstance({
      definitionId: definition.definitionId,
      key: definition.key,
      startEventId: due.startEventId,
      fireAt: due.nextFireAt!,
    });
    started++;
    startedThisRun++;
    const now = Date.now();
    schedule = schedule.map((e) => (e === due ? afterFiring(e, now) : e));
  }
}
