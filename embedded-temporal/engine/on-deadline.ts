import { EventType } from '../proto';
import type { Engine } from './engine';
import type { RunRef } from './outbox-task';
import { appendExternalEvent } from './history';
import { scheduleWorkflowTask, failWorkflowTaskInTx, unstickWorkflowTask } from './workflow-task';
import { activityDeadline } from './activities';
import { activityDeadlines, workflowTaskTimeoutMs } from './next-deadline';
import { timeoutWorkflowInTx } from './close';

/** Applies everything that has come due for one run, in one transaction. */
export async function processDeadlines(engine: Engine, ref: RunRef): Promise<void> {
  await engine.mutate(ref, (tx) => {
    const s = tx.exec.state;
    const now = tx.now;
    let changed = false;
    if (!tx.exec.running) {
      tx.save = false;
      return;
    }
    if (
      (s.executionExpiresAt !== undefined && s.executionExpiresAt <= now) ||
      (s.runExpiresAt !== undefined && s.runExpiresAt <= now)
    ) {
      timeoutWorkflowInTx(tx);
      return;
    }
    if (s.firstTaskAt !== undefined && s.firstTaskAt <= now) {
      s.firstTaskAt = undefined;
      scheduleWorkflowTask(tx);
      changed = true;
    }
    if (s.wft && s.wft.startedEventId === undefined && s.wft.stickyUntil !== undefined && s.wft.stickyUntil <= now)
      unstickWorkflowTask(tx);
    if (
      s.wft?.startedTime !== undefined &&
      s.wft.startedTime + workflowTaskTimeoutMs(s.workflowTaskTimeoutMs, s.wft.attempt) <= now
    ) {
      failWorkflowTaskInTx(tx, 'timeout');
      changed = true;
    }
    const fired = Object.entries(s.timers)
      .filter(([, t]) => t.fireAt <= now)
      .sort((a, b) => a[1].fireAt - b[1].fireAt || a[1].startedEventId - b[1].startedEventId);
    for (const [timerId, t] of fired) {
      delete s.timers[timerId];
      appendExternalEvent(tx, EventType.EVENT_TYPE_TIMER_FIRED, {
        timerFiredEventAttributes: { timerId, startedEventId: t.startedEventId },
      });
      scheduleWorkflowTask(tx);
      changed = true;
    }
    for (const act of Object.values(s.activities)) {
      const due = activityDeadlines(act)
        .filter(([t]) => t <= now)
        .sort((a, b) => a[0] - b[0])[0];
      if (!due) continue;
      activityDeadline(tx, act, due[1]);
      changed = true;
    }
    if (!changed) tx.save = false;
  });
}
