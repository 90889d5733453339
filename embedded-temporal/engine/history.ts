import { EventType, temporal, type HistoryEvent, type P } from '../proto';
import { msToDuration, timestamp } from '../time';
import type { Tx } from './execution';

type Attrs = Omit<HistoryEvent, 'eventId' | 'eventTime' | 'eventType'>;

/** Appends an event to the run's history now. */
export function appendEvent(tx: Tx, eventType: temporal.api.enums.v1.EventType, attrs: Attrs): HistoryEvent {
  const s = tx.exec.state;
  const event: HistoryEvent = {
    eventId: s.nextEventId++,
    eventTime: timestamp(tx.now),
    eventType,
    taskId: s.nextEventId,
    ...attrs,
  };
  tx.exec.events.push(event);
  return event;
}

/** Appends an event caused from outside the workflow: held back while a workflow task is in flight. */
export function appendExternalEvent(tx: Tx, eventType: temporal.api.enums.v1.EventType, attrs: Attrs): void {
  const s = tx.exec.state;
  if (s.wft?.startedEventId !== undefined) {
    s.buffered.push({ eventTime: timestamp(tx.now), eventType, ...attrs });
    return;
  }
  appendEvent(tx, eventType, attrs);
}

/** Writes the held-back events (after a workflow task closes); returns how many there were. */
export function flushBuffered(tx: Tx): number {
  const s = tx.exec.state;
  const events = s.buffered.splice(0);
  for (const e of events) {
    const { eventTime, eventType, ...attrs } = e;
    delete (attrs as HistoryEvent).eventId;
    const ev = appendEvent(tx, eventType!, attrs);
    ev.eventTime = eventTime;
    fixUpBufferedIds(tx, ev);
  }
  return events.length;
}

/**
 * Activity close events carry the id of their (lazily written) started event; when buffered, that
 * started event was buffered too and only now gets its id.
 */
function fixUpBufferedIds(tx: Tx, ev: HistoryEvent): void {
  const childStarted = ev.childWorkflowExecutionStartedEventAttributes;
  if (childStarted) {
    const c = tx.exec.state.children[String(childStarted.initiatedEventId)];
    if (c) c.startedEventId = ev.eventId!;
  }
  const childClose =
    ev.childWorkflowExecutionCompletedEventAttributes ??
    ev.childWorkflowExecutionFailedEventAttributes ??
    ev.childWorkflowExecutionCanceledEventAttributes ??
    ev.childWorkflowExecutionTerminatedEventAttributes ??
    ev.childWorkflowExecutionTimedOutEventAttributes;
  if (childClose && childClose.startedEventId === -2) {
    const started = tx.exec.events.find(
      (e) => e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId === childClose.initiatedEventId,
    );
    childClose.startedEventId = started?.eventId ?? 0;
  }
  const startedId = ev.eventId! - 1;
  const prev = tx.exec.events[tx.exec.events.length - 2];
  if (prev?.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) return;
  const a =
    ev.activityTaskCompletedEventAttributes ??
    ev.activityTaskFailedEventAttributes ??
    ev.activityTaskTimedOutEventAttributes ??
    ev.activityTaskCanceledEventAttributes;
  if (a && a.startedEventId === -1) a.startedEventId = startedId;
  void prev;
}

export const NORMAL_QUEUE = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL;

export function taskQueue(name: string): P<temporal.api.taskqueue.v1.ITaskQueue> {
  return { name, kind: NORMAL_QUEUE };
}

export { msToDuration };
