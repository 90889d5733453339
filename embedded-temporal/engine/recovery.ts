import type { Engine } from './engine';
import { enqueueWorkflowTask } from './workflow-task';
import { enqueueActivity } from './activities';
import type { Tx } from './execution';

/**
 * Rebuilds the in-memory side after a start or crash: task queues and deadlines from every running
 * run's persisted state, then replays the outbox. Nothing here writes unless a task is replayed.
 */
export async function recover(engine: Engine): Promise<{ runs: number; outbox: number }> {
  const running = await engine.store.runningRuns();
  for (const ref of running) {
    await engine.mutate(ref, (tx: Tx) => {
      tx.save = false;
      const s = tx.exec.state;
      engine.setCurrentRun(s.namespace, s.workflowId, s.runId);
      s.stickyQueue = undefined; // the worker's sticky cache did not survive with our in-memory queues
      if (s.wft && s.wft.startedEventId === undefined && s.firstTaskAt === undefined) enqueueWorkflowTask(tx, true);
      for (const act of Object.values(s.activities)) {
        // A started attempt stays with its worker (its completion, heartbeat or cancellation is still
        // accepted); if that worker is gone too, its start-to-close or heartbeat timeout retries it.
        if (act.retryAt !== undefined) continue;
        if (act.startedTime === undefined) enqueueActivity(tx, act);
        // Heartbeats are not persisted: the worker gets a full heartbeat timeout from now to be heard.
        else act.lastHeartbeatTime = Math.max(act.lastHeartbeatTime ?? 0, tx.now);
      }
    });
  }
  const pending = await engine.store.pendingOutbox();
  for (const { id, task } of pending) engine.runOutbox(id, task);
  return { runs: running.length, outbox: pending.length };
}
