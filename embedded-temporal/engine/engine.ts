import type { Logger } from 'pino';
import { Store, ConflictError } from '../store/store';
import { Clock } from '../clock';
import { notFound } from '../errors';
import { Matching } from './matching';
import { ServerStats } from './server-stats';
import { Deadlines } from './deadlines';
import { KeyedLock } from './locks';
import { Execution, parseRunKey, runKey, type Tx } from './execution';
import type { RunRef } from './outbox-task';
import { nextDeadline } from './next-deadline';
import { Namespaces } from './namespaces';
import { TimeSkipping } from './time-skipping';
import { DEFAULT_LIMITS, type ServerLimits } from './limits';
import { SCHEDULE_KEY_PREFIX } from '../schedules/schedule-key';
import { SYSTEM_SEARCH_ATTRIBUTES } from './system-search-attributes';
import { WorkerDeployments } from './deployments';
import { routeQueuedTask } from './worker-versioning';

export interface EngineOptions {
  store: Store;
  logger: Logger;
  /** Time-skipping test server mode: server time jumps ahead when nothing is running. */
  timeSkipping: boolean;
  limits?: Partial<ServerLimits>;
}

const MAX_CACHED_CLOSED = 2000;

/** Shared infrastructure for all operations: the run cache, per-run locks, commits, deadlines and queues. */
export class Engine {
  readonly store: Store;
  readonly logger: Logger;
  readonly clock = new Clock();
  readonly matching = new Matching();
  readonly stats = new ServerStats();
  readonly deadlines = new Deadlines();
  readonly locks = new KeyedLock();
  readonly namespaces: Namespaces;
  /** Worker deployments: the routing of versioned task queues (see worker-versioning.ts). */
  readonly deployments: WorkerDeployments;
  readonly timeSkipping: TimeSkipping;
  readonly limits: ServerLimits;
  private readonly cache = new Map<string, Execution>();
  private readonly closedOrder = new Set<string>();
  private readonly currentRuns = new Map<string, string>();
  private readonly loading = new Map<string, Promise<Execution>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  /** Installed by the modules that handle due deadlines and outbox tasks (avoids import cycles). */
  onDeadline: (engine: Engine, ref: RunRef) => Promise<void> = async () => undefined;
  /** Installed by schedules/: a schedule's wake-up (key from the deadline heap) and its workflows' closes. */
  onScheduleDue: (key: string) => Promise<void> = async () => undefined;
  onScheduledRunClosed: (closed: import('../schedules/schedules').ScheduledRunClosed) => void = () => undefined;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.namespaces = new Namespaces(this.store);
    this.deployments = new WorkerDeployments(this.store);
    this.matching.routeOf = (namespace, kind, name) => {
      const d = this.deployments.forQueue(namespace, kind, name);
      return d && ((task) => routeQueuedTask(d, task));
    };
    this.deployments.onRoutingChanged = (d) => {
      for (const v of Object.values(d.versions))
        for (const q of v.taskQueues) this.matching.rematch(d.namespace, q.kind, q.name);
    };
    this.timeSkipping = new TimeSkipping(this, options.timeSkipping);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** The registered type (IndexedValueType) of a search attribute, custom or built in. */
  readonly searchAttributeType = (name: string): number | undefined =>
    this.namespaces.searchAttributes.get(name) ?? SYSTEM_SEARCH_ATTRIBUTES[name];

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.matching.releaseAll();
  }

  cached(): Iterable<Execution> {
    return this.cache.values();
  }

  /** True when this process has seen a run of the workflow id (the cache is not exhaustive: false means "unknown"). */
  knowsWorkflowId(namespace: string, workflowId: string): boolean {
    return this.currentRuns.has(`${namespace}\u0000${workflowId}`);
  }

  setCurrentRun(namespace: string, workflowId: string, runId: string): void {
    this.currentRuns.set(`${namespace}\u0000${workflowId}`, runId);
  }

  /** Resolves an empty run id to the workflow id's current (or latest) run. */
  async resolveRun(namespace: string, workflowId: string, runId?: string | null): Promise<RunRef> {
    if (runId) return { namespace, workflowId, runId };
    const cached = this.currentRuns.get(`${namespace}\u0000${workflowId}`);
    if (cached) return { namespace, workflowId, runId: cached };
    const found = await this.store.currentRunId(namespace, workflowId);
    if (!found) throw notFound(`workflow not found for ID: ${workflowId}`);
    return { namespace, workflowId, runId: found };
  }

  /** The run, from the cache or PostgreSQL; throws NOT_FOUND. Call only under the run's lock when changing it. */
  async load(ref: RunRef): Promise<Execution> {
    const key = runKey(ref);
    const hit = this.cache.get(key);
    if (hit) return hit;
    // One load per run at a time: two copies of a run in memory would fight over its version.
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.loadFromStore(ref, key).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  private async loadFromStore(ref: RunRef, key: string): Promise<Execution> {
    const row = await this.store.loadRun(ref.namespace, ref.workflowId, ref.runId);
    if (!row) throw notFound(`workflow execution not found: ${ref.workflowId}/${ref.runId}`);
    const events = await this.store.loadHistory(ref.namespace, ref.workflowId, ref.runId);
    const again = this.cache.get(key);
    if (again) return again;
    // Trust the row: it was written in the same transaction as the history it covers.
    const count = row.state.nextEventId - 1;
    const exec = new Execution(row.state, row.version, events.slice(0, count), Math.min(count, events.length));
    this.remember(exec);
    return exec;
  }

  remember(exec: Execution): void {
    this.cache.set(exec.key, exec);
    if (!exec.running) this.trackClosed(exec.key);
  }

  private trackClosed(key: string): void {
    this.closedOrder.add(key);
    if (this.closedOrder.size <= MAX_CACHED_CLOSED) return;
    for (const k of this.closedOrder) {
      if (this.closedOrder.size <= MAX_CACHED_CLOSED / 2) break;
      const e = this.cache.get(k);
      if (e && (e.listeners.size || e.queries.size || this.locks.isBusy(k))) continue;
      this.closedOrder.delete(k);
      this.cache.delete(k);
    }
  }

  /** Deletes a closed run from PostgreSQL and from memory (DeleteWorkflowExecution). */
  async deleteClosedRun(ref: RunRef): Promise<void> {
    const key = runKey(ref);
    await this.locks.run(key, async () => {
      const exec = await this.load(ref);
      if (exec.running) throw new Error('only a closed run can be deleted');
      await this.store.deleteRun(ref.namespace, ref.workflowId, ref.runId);
      this.cache.delete(key);
      this.closedOrder.delete(key);
      this.deadlines.set(key, undefined);
      const k = `${ref.namespace}\u0000${ref.workflowId}`;
      if (this.currentRuns.get(k) === ref.runId) this.currentRuns.delete(k);
      exec.notify();
    });
  }

  /** Runs `fn` on the run under its lock, then commits what it changed in one transaction. */
  async mutate<T>(ref: RunRef, fn: (tx: Tx) => T | Promise<T>): Promise<T> {
    const key = runKey(ref);
    return this.locks.run(key, async () => {
      const exec = await this.load(ref);
      const tx: Tx = { engine: this, exec, now: this.clock.now(), save: true, alsoWrite: [], outbox: [], after: [] };
      let result: T;
      try {
        result = await fn(tx);
        if (tx.save) await this.commit(tx);
      } catch (err) {
        if (
          tx.save &&
          !(err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'number')
        ) {
          // The in-memory copy may hold changes that were not committed: reload it next time.
          this.cache.delete(key);
        }
        throw err;
      }
      this.afterChange(exec);
      for (const e of tx.alsoWrite) this.afterChange(e);
      for (const f of tx.after) f();
      return result;
    });
  }

  /** Writes a brand-new run (and its first events) under the workflow id's lock, held by the caller. */
  async insertRun(exec: Execution, tx: Omit<Tx, 'exec'> & { exec?: Execution }): Promise<void> {
    const fullTx = { ...tx, exec } as Tx;
    await this.commit(fullTx);
    this.afterChange(exec);
    for (const f of tx.after) f();
  }

  private async commit(tx: Tx): Promise<void> {
    const runs = [tx.exec, ...tx.alsoWrite];
    const writes = runs.map((e) => {
      const events = e.events.slice(e.persistedEvents);
      const encodedEvents = events.map((_, k) => e.encodedEvent(e.persistedEvents + k));
      // The row and the history it covers are written together, so the size travels in the row.
      if (encodedEvents.length)
        e.state.historySizeBytes = encodedEvents.reduce((sum, b) => sum + b.length, e.state.historySizeBytes ?? 0);
      return { state: e.state, expectedVersion: e.version, events, encodedEvents, firstEventId: e.persistedEvents + 1 };
    });
    let outboxIds: number[];
    try {
      outboxIds = await this.store.commit({ runs: writes, outboxAdd: tx.outbox });
    } catch (err) {
      if (err instanceof ConflictError) this.logger.warn({ err }, 'optimistic concurrency conflict; reloading run');
      for (const e of runs) this.cache.delete(e.key);
      throw err;
    }
    runs.forEach((e, i) => {
      e.version = e.version === undefined ? 1 : e.version + 1;
      e.persistedEvents += writes[i].events.length;
      e.rememberEncoded(writes[i].firstEventId - 1, writes[i].encodedEvents);
      this.remember(e);
      const k = `${e.state.namespace}\u0000${e.state.workflowId}`;
      const known = this.currentRuns.get(k);
      if (e.running || known === undefined || known === e.state.runId)
        this.setCurrentRun(e.state.namespace, e.state.workflowId, e.state.runId);
    });
    tx.outbox.forEach((task, i) => tx.after.push(() => this.runOutbox(outboxIds[i], task)));
  }

  /** Installed by outbox.ts. */
  runOutbox: (id: number, task: import('./outbox-task').OutboxTask) => void = () => undefined;

  /** Re-arms deadlines and wakes waiters after any change to a run. */
  afterChange(exec: Execution): void {
    if (!exec.running && exec.persistedEvents === exec.events.length) this.trackClosed(exec.key);
    this.deadlines.set(exec.key, exec.running ? nextDeadline(exec.state) : undefined);
    this.armTimer();
    exec.notify();
    this.timeSkipping.poke();
  }

  armTimer(): void {
    if (this.stopped) return;
    const at = this.deadlines.peek();
    if (at === undefined) return;
    if (this.timer && at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.max(0, Math.min(at - this.clock.now(), 2 ** 30));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.fireDue();
    }, delay);
  }

  fireDue(): void {
    if (this.stopped) return;
    for (const key of this.deadlines.takeDue(this.clock.now())) {
      const handled = key.startsWith(SCHEDULE_KEY_PREFIX)
        ? this.onScheduleDue(key)
        : this.onDeadline(this, parseRunKey(key));
      handled.catch((err: unknown) => {
        this.logger.error({ err, key }, 'deadline processing failed; retrying in 1s');
        this.deadlines.set(key, this.clock.now() + 1000);
        this.armTimer();
      });
    }
    this.armTimer();
  }
}
