/**
 * The periodic task reconciliation (engine-client/task-reconciliation.ts `reconcileTasks`): a
 * pass every few minutes, resuming where the last one stopped, from the worker or the API process.
 */
import type { Client } from '@temporalio/client';
import { reconcileTasks } from '../engine-client/task-reconciliation';
import type { Db } from '../records/sql';

/** Runs `reconcileTasks` every `intervalMs` (from the worker or the API process); `stop()` ends it. */
export function startTaskReconciliation(
  client: Client,
  db: Db,
  options: { intervalMs?: number; claimedForMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let after: string | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;
  const timer = setInterval(
    () => {
      if (stopped || running) return; // a slow pass is not overlapped by the next
      running = reconcileTasks(client, db, { claimedForMs: options.claimedForMs, after })
        .then((r) => void (after = r.next))
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => void (running = null));
    },
    options.intervalMs ?? 5 * 60_000,
  );
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
