/**
 * In-memory task queues with long-poll waiters. The durable truth is each run's mutable state;
 * queues are rebuilt from it at start-up (see recovery.ts), so a lost in-memory entry only delays a task.
 */
import type { CallSignal } from '../call-signal';

export type TaskKind = 'workflow' | 'activity';

export interface QueuedTask {
  key: string; // run key (namespace/workflowId/runId)
  /** Workflow task: scheduled event id; activity: scheduled event id; query: 0. */
  scheduledEventId: number;
  queryId?: string;
  attempt?: number;
  /** Version key of the deployment version the run is pinned to (see worker-versioning.ts). */
  pinned?: string;
}

interface Waiter {
  resolve(task: QueuedTask | undefined): void;
  /** The poller's deployment version key ('' for an unversioned worker). */
  version: string;
}

/** For a queue whose tasks are routed by worker version: the version key a task goes to. */
export type TaskRoute = (task: QueuedTask) => string;

interface Queue {
  tasks: QueuedTask[];
  waiters: Waiter[];
}

export class Matching {
  private readonly queues = new Map<string, Queue>();
  /**
   * Installed by the engine: the routing of a queue that belongs to a worker deployment. Other
   * queues (and sticky ones) hand any task to any poller.
   */
  routeOf: (namespace: string, kind: TaskKind, name: string) => TaskRoute | undefined = () => undefined;

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
    const route = this.routeOf(namespace, kind, name);
    let waiter: Waiter | undefined;
    if (!route) waiter = q.waiters.shift();
    else {
      const target = route(task);
      const i = q.waiters.findIndex((w) => w.version === target);
      if (i >= 0) waiter = q.waiters.splice(i, 1)[0];
    }
    if (waiter) waiter.resolve(task);
    else if (front) q.tasks.unshift(task);
    else q.tasks.push(task);
  }

  /**
   * Waits up to timeoutMs for a task; resolves undefined on timeout or when `abort` fires.
   * `version`: the poller's deployment version key, which a routed queue matches tasks against.
   */
  poll(
    namespace: string,
    kind: TaskKind,
    name: string,
    timeoutMs: number,
    abort: CallSignal,
    version = '',
  ): Promise<QueuedTask | undefined> {
    const q = this.queue(namespace, kind, name);
    const route = this.routeOf(namespace, kind, name);
    let task: QueuedTask | undefined;
    if (!route) task = q.tasks.shift();
    else {
      const i = q.tasks.findIndex((t) => route(t) === version);
      if (i >= 0) task = q.tasks.splice(i, 1)[0];
    }
    if (task) return Promise.resolve(task);
    if (abort.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve: (t) => {
          clearTimeout(timer);
          abort.removeEventListener('abort', onAbort);
          resolve(t);
        },
        version,
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

  /** After a routing change: queued tasks go to the waiting pollers they are now routed to. */
  rematch(namespace: string, kind: TaskKind, name: string): void {
    const q = this.queues.get(`${namespace}\u0000${kind}\u0000${name}`);
    const route = this.routeOf(namespace, kind, name);
    if (!q || !route) return;
    for (const waiter of [...q.waiters]) {
      const i = q.tasks.findIndex((t) => route(t) === waiter.version);
      if (i < 0) continue;
      const [task] = q.tasks.splice(i, 1);
      q.waiters.splice(q.waiters.indexOf(waiter), 1);
      waiter.resolve(task);
    }
  }

  /** Removes a run's queued task (its route changed; it is pushed again). */
  take(namespace: string, kind: TaskKind, name: string, key: string, scheduledEventId: number): void {
    const q = this.queues.get(`${namespace}\u0000${kind}\u0000${name}`);
    const i = q ? q.tasks.findIndex((t) => t.key === key && t.scheduledEventId === scheduledEventId && !t.queryId) : -1;
    if (i >= 0) q!.tasks.splice(i, 1);
  }

  backlog(namespace: string, kind: TaskKind, name: string): number {
    return this.queue(namespace, kind, name).tasks.length;
  }

  pollerCount(namespace: string, kind: TaskKind, name: string): number {
    return this.queue(namespace, kind, name).waiters.length;
  }

  /** Tasks waiting for a poller and pollers waiting for a task, over every queue of a kind. */
  totals(kind: TaskKind): { backlog: number; pollers: number } {
    let backlog = 0;
    let pollers = 0;
    for (const [k, q] of this.queues) {
      if (k.split('\u0000')[1] !== kind) continue;
      backlog += q.tasks.length;
      pollers += q.waiters.length;
    }
    return { backlog, pollers };
  }

  /** Releases every waiting poll (shutdown). */
  releaseAll(): void {
    for (const q of this.queues.values()) for (const w of q.waiters.splice(0)) w.resolve(undefined);
  }
}
