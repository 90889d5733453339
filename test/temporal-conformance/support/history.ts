import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Event type names without the EVENT_TYPE_ prefix, e.g. WORKFLOW_EXECUTION_STARTED. */
export function eventTypeName(event: HistoryEvent): string {
  return (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '');
}

export async function eventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map(eventTypeName);
}

export async function eventsOfType(handle: WorkflowHandle, type: string): Promise<HistoryEvent[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => eventTypeName(e) === type);
}

const CLOSE_EVENTS = new Set([
  'WORKFLOW_EXECUTION_COMPLETED',
  'WORKFLOW_EXECUTION_FAILED',
  'WORKFLOW_EXECUTION_CANCELED',
  'WORKFLOW_EXECUTION_TERMINATED',
  'WORKFLOW_EXECUTION_TIMED_OUT',
  'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
]);

/**
 * Remembers the executions a test file ran so that a final test can replay every closed
 * history with the same workflow code: the server's histories must be ones the SDK accepts.
 */
export class ExecutionLog {
  private readonly runs: { workflowId: string; runId?: string }[] = [];

  track(workflowId: string, runId?: string): void {
    this.runs.push({ workflowId, runId });
  }

  /** Replays every closed history; returns how many replayed and the failures ("id/run: error"). */
  async replayClosed(
    client: Client,
    bundle: NonNullable<WorkerOptions['workflowBundle']>,
  ): Promise<{ replayed: number; failures: string[] }> {
    const histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[] = [];
    const seen = new Set<string>();
    for (const { workflowId, runId } of this.runs) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      const started = events[0]?.workflowExecutionStartedEventAttributes;
      const key = `${workflowId}/${runId ?? started?.originalExecutionRunId ?? ''}/${events.length}`;
      const last = events[events.length - 1];
      if (!last || !CLOSE_EVENTS.has(eventTypeName(last)) || seen.has(key)) continue;
      seen.add(key);
      histories.push({ workflowId, history });
    }
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle, replayName: 'conformance-replay' },
      histories,
    )) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}/${result.runId}: ${result.error.message}`);
    }
    return { replayed, failures };
  }
}

/** Waits until history holds `count` events of `type` (for example the first WORKFLOW_TASK_COMPLETED). */
export async function waitForEvent(handle: WorkflowHandle, type: string, count = 1, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await eventsOfType(handle, type)).length;
    if (found >= count) return;
    if (Date.now() > deadline)
      throw new Error(
        `${handle.workflowId}: expected ${count} ${type} event(s) within ${timeoutMs} ms, found ${found}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
