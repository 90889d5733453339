/**
 * In-memory task queues with long-poll waiters. The durable truth is each run's mutable state;
 * queues are rebuilt from it at start-up (see recovery.ts), so a lost in-memory entry only delays a task.
 */
export type TaskKind = 'workflow' | 'activity';

export interface QueuedTask {
  key: string; // run key (namespace/workflowId/runId)
  /** Workflow task: scheduled event id; activity: scheduled event id; query: 0. */
  scheduledEventId: number;
  queryId?: string;
  attempt?: number;
}

interface Waiter {
  resolve(task: QueuedTask | undefined): void;
}

interface Queue {
  tasks: QueuedTask[];
  waiters: Waiter[];
}

export class Matching {
  private readonly queues = new Map<string, Queue>();

  private queue(namespace: string, kind: TaskKind, name: string): Queue {
    const k = `${namespace}\u0000${kind}\u0000${name}`;
    let q = this.queues.get(k);
    if (!q) {
      q = { tasks: [], waiters: [] };
      this.queues.set(k, q);
    }
    return q;
  }

  push(namespace: string, kind: TaskKind, name: string, task: QueuedTask, front = false): void {
    const q = this.queue(namespace, kind, name);
    const waiter = q.waiters.shift();
    if (waiter) waiter.resolve(task);
    else if (front) q.tasks.unshift(task);
    else q.tasks.push(task);
  }

  /** Waits up to timeoutMs for a task; resolves undefined on timeout or when `abort` fires. */
  poll(
    namespace: string,
    kind: TaskKind,
    name: string,
    timeoutMs: number,
    abort: AbortSignal,
  ): Promise<QueuedTask | undefined> {
    const q = this.queue(namespace, kind, name);
    const task = q.tasks.shift();
    if (task) return Promise.resolve(task);
    if (abort.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (t) => {
          clearTimeout(timer);
          abort.removeEventListener('abort', onAbort);
          resolve(t);
        },
      };
      const drop = () => {
        const i = q.waiters.indexOf(waiter);
        if (i >= 0) q.waiters.splice(i, 1);
        waiter.resolve(undefined);
      };
      const onAbort = () => drop();
      const timer = setTimeout(drop, timeoutMs);
      abort.addEventListener('abort', onAbort);
      q.waiters.push(waiter);
    });
  }

  backlog(namespace: string, kind: TaskKind, name: string): number {
    return this.queue(namespace, kind, name).tasks.length;
  }

  pollerCount(namespace: string, kind: TaskKind, name: string): number {
    return this.queue(namespace, kind, name).waiters.length;
  }

  /** Releases every waiting poll (shutdown). */
  releaseAll(): void {
    for (const q of this.queues.values()) for (const w of q.waiters.splice(0)) w.resolve(undefined);
  }
}
