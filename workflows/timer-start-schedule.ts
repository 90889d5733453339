/**
 * When a process's timer start events fire: pure functions on epoch milliseconds, used by the
 * timer-start scheduler workflow (workflow time) and by Node code (which start events a graph
 * has). Sandbox-safe: imports only bpmn/runtime.
 */
import {
  feelDialectOf,
  nextRecurrence,
  resolveTimer,
  type CompiledGraph,
  type FeelDialect,
  type IsoDuration,
  type Recurrence,
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
  /** Cron cycles: the expression (read on the wall clock of `zone`). */
  cron?: string;
  /** The zone id an interval is counted in (its start named one) or a cron expression is read in. */
  zone?: string;
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

function recurrenceOf(e: ScheduleEntry): Recurrence | null {
  if (e.cron !== undefined && e.zone !== undefined) return { cron: e.cron, zone: e.zone };
  if (!e.interval) return null;
  return e.zone !== undefined ? { interval: e.interval, zone: e.zone } : { interval: e.interval };
}

/**
 * Moves a cycle past firings that lie before `now` (a start in the past, or firings missed while
 * nothing ran): they are dropped, not made up, and count against the repetitions.
 */
function skipPast(e: ScheduleEntry, now: number): ScheduleEntry {
  const recurrence = recurrenceOf(e);
  if (e.nextFireAt === null || e.nextFireAt >= now || !recurrence) return e;
  if ('cron' in recurrence) return { ...e, nextFireAt: nextRecurrence(recurrence, e.nextFireAt, now - 1) };
  let next = e.nextFireAt;
  let remaining = e.remaining;
  const fixed = recurrence.zone === undefined ? fixedLength(recurrence.interval) : null;
  if (fixed !== null && fixed > 0) {
    const skip = Math.ceil((now - next) / fixed);
    if (remaining !== null && skip > remaining) return { ...e, nextFireAt: null, remaining: 0 };
    next += skip * fixed;
    if (remaining !== null) remaining -= skip;
  } else {
    while (next < now) {
      if (remaining === 0) return { ...e, nextFireAt: null, remaining: 0 };
      next = nextRecurrence(recurrence, next, now)!;
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
export function planTimerStart(t: TimerStart, now: number, options: PlanOptions = {}): ScheduleEntry {
  const resolved = resolveTimer(t.timer, {}, now, t.dialect ?? 'legacy', {
    cronAndZoneIds: options.cronAndZoneIds ?? true,
  });
  if (!resolved.ok) return { startEventId: t.startEventId, nextFireAt: null, remaining: 0, error: resolved.error };
  const { dueAt, repeat } = resolved.value;
  if (!repeat) return { startEventId: t.startEventId, nextFireAt: dueAt, remaining: 0 };
  const recurrence =
    'cron' in repeat
      ? { cron: repeat.cron, zone: repeat.zone }
      : { interval: repeat.interval, ...(repeat.zone !== undefined ? { zone: repeat.zone } : {}) };
  return skipPast(
    { startEventId: t.startEventId, nextFireAt: dueAt, ...recurrence, remaining: repeat.remainingAfterFirst },
    now,
  );
}

export interface PlanOptions {
  /** Cron cycles and date-times with a zone id (default: taken; schedulers started before refused them). */
  cronAndZoneIds?: boolean;
}

export function planSchedule(
  definition: TimerStartDefinition,
  now: number,
  options: PlanOptions = {},
): ScheduleEntry[] {
  return definition.timers.map((t) => planTimerStart(t, now, options));
}

/** The entry fired at its nextFireAt (workflow time is now `now`, maybe later): its next firing. */
export function afterFiring(e: ScheduleEntry, now: number): ScheduleEntry {
  const recurrence = recurrenceOf(e);
  if (e.nextFireAt === null || !recurrence || e.remaining === 0) return { ...e, nextFireAt: null, remaining: 0 };
  // A cron cycle fires next at the first match after now: what it missed while late is dropped.
  if ('cron' in recurrence) return { ...e, nextFireAt: nextRecurrence(recurrence, e.nextFireAt, now) };
  const next: ScheduleEntry = {
    ...e,
    nextFireAt: nextRecurrence(recurrence, e.nextFireAt, now),
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
