/**
 * When a process's timer start events fire: pure functions on epoch milliseconds, used by the
 * timer-start scheduler workflow (workflow time) and by Node code (which start events a graph
 * has). Sandbox-safe: imports only bpmn/runtime.
 */
import {
  addIsoDuration,
  feelDialectOf,
  resolveTimer,
  type CompiledGraph,
  type FeelDialect,
  type IsoDuration,
  type TimerDefinition,
} from '../bpmn/runtime';

export interface TimerStart {
  startEventId: string;
  timer: TimerDefinition;
  /** FEEL dialect of the graph (absent: legacy, as schedules recorded before it). */
  dialect?: FeelDialect;
}

/** What the scheduler of one definition key runs: the timer start events of one deployed version. */
export interface TimerStartDefinition {
  /** process_definitions.id of the version whose instances are started. */
  definitionId: number;
  key: string;
  version: number;
  /** Empty: this version has no timer start event, so the schedule stops. */
  timers: TimerStart[];
}

/** One timer start event's plan. */
export interface ScheduleEntry {
  startEventId: string;
  /** Epoch ms of the next firing; null once the timer will not fire again. */
  nextFireAt: number | null;
  /** Cycles: the interval between firings. */
  interval?: IsoDuration;
  /** Firings left after the one at nextFireAt (null = forever). */
  remaining: number | null;
  /** The timer value could not be resolved (FEEL that fails without variables): it never fires. */
  error?: string;
}

/** The timer start events of the process (top-level start events with a timer trigger), in diagram order. */
export function timerStartsOf(graph: CompiledGraph): TimerStart[] {
  const root = graph.scopes[graph.rootScopeId];
  const starts: TimerStart[] = [];
  for (const id of root?.startEventIds ?? []) {
    const node = graph.nodes[id];
    if (node?.kind === 'startEvent' && node.trigger.type === 'timer') {
      const dialect = feelDialectOf(graph);
      starts.push({ startEventId: id, timer: node.trigger.timer, ...(dialect === 'camunda' ? { dialect } : {}) });
    }
  }
  return starts;
}

/** Length in ms when the duration has no calendar part (years, months), else null. */
function fixedLength(d: IsoDuration): number | null {
  if (d.years !== 0 || d.months !== 0) return null;
  return Math.round(((d.weeks * 7 + d.days) * 24 * 3600 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000);
}

/**
 * Moves a cycle past firings that lie before `now` (a start in the past, or firings missed while
 * nothing ran): they are dropped, not made up, and count against the repetitions.
 */
function skipPast(e: ScheduleEntry, now: number): ScheduleEntry {
  if (e.nextFireAt === null || e.nextFireAt >= now || !e.interval) return e;
  let next = e.nextFireAt;
  let remaining = e.remaining;
  const fixed = fixedLength(e.interval);
  if (fixed !== null && fixed > 0) {
    const skip = Math.ceil((now - next) / fixed);
    if (remaining !== null && skip > remaining) return { ...e, nextFireAt: null, remaining: 0 };
    next += skip * fixed;
    if (remaining !== null) remaining -= skip;
  } else {
    while (next < now) {
      if (remaining === 0) return { ...e, nextFireAt: null, remaining: 0 };
      next = addIsoDuration(next, e.interval);
      if (remaining !== null) remaining--;
    }
  }
  return { ...e, nextFireAt: next, remaining };
}

/**
 * The plan of one timer start event adopted at `now`: a date fires at that date (at once when it
 * has passed), a duration once after it, a cycle at its start (or one interval from now) and then
 * every interval, its repetitions counted from the start.
 */
export function planTimerStart(t: TimerStart, now: number): ScheduleEntry {
  const resolved = resolveTimer(t.timer, {}, now, t.dialect ?? 'legacy');
  if (!resolved.ok) return { startEventId: t.startEventId, nextFireAt: null, remaining: 0, error: resolved.error };
  const { dueAt, repeat } = resolved.value;
  if (!repeat) return { startEventId: t.startEventId, nextFireAt: dueAt, remaining: 0 };
  return skipPast(
    {
      startEventId: t.startEventId,
      nextFireAt: dueAt,
      interval: repeat.interval,
      remaining: repeat.remainingAfterFirst,
    },
    now,
  );
}

export function planSchedule(definition: TimerStartDefinition, now: number): ScheduleEntry[] {
  return definition.timers.map((t) => planTimerStart(t, now));
}

/** The entry fired at its nextFireAt (workflow time is now `now`, maybe later): its next firing. */
export function afterFiring(e: ScheduleEntry, now: number): ScheduleEntry {
  if (e.nextFireAt === null || !e.interval || e.remaining === 0) return { ...e, nextFireAt: null, remaining: 0 };
  const next: ScheduleEntry = {
    ...e,
    nextFireAt: addIsoDuration(e.nextFireAt, e.interval),
    remaining: e.remaining === null ? null : e.remaining - 1,
  };
  // A firing that was due while the scheduler could not run fires once, late; the others it missed are dropped.
  return skipPast(next, now + 1);
}

/** The entry that fires first (ties: diagram order), or undefined when nothing will fire again. */
export function nextDue(schedule: readonly ScheduleEntry[]): ScheduleEntry | undefined {
  let best: ScheduleEntry | undefined;
  for (const e of schedule) {
    if (e.nextFireAt !== null && (best === undefined || e.nextFireAt < best.nextFireAt!)) best = e;
  }
  return best;
}

/** Workflow id of the process instance a timer start event starts at `fireAt`: one per firing, whoever retries. */
export function timerInstanceId(key: string, startEventId: string, fireAt: number): string {
  return `${key}:timer:${startEventId}:${new Date(fireAt).toISOString()}`;
}
