import type { temporal, P } from '../proto';
import type { TaskKind } from './matching';
import { timestamp } from '../time';

type PollerInfo = P<temporal.api.taskqueue.v1.IPollerInfo>;
type DeploymentOptions = P<temporal.api.deployment.v1.IWorkerDeploymentOptions>;
type VersionCapabilities = P<temporal.api.common.v1.IWorkerVersionCapabilities>;

/** What a poll tells about its worker, as DescribeTaskQueue lists it. */
export interface PollMetadata {
  ratePerSecond?: number;
  deploymentOptions?: DeploymentOptions | null;
  workerVersionCapabilities?: VersionCapabilities | null;
}

/** A real server's matching service keeps a queue's poller history five minutes and at most 1000 pollers. */
export const POLLER_HISTORY_TTL_MS = 5 * 60_000;
const MAX_POLLERS_PER_QUEUE = 1000;
/** A real server's default dispatch rate when the poll sets none. */
const DEFAULT_RATE_PER_SECOND = 100_000;

interface Entry extends PollMetadata {
  identity: string;
  lastAccessTime: number;
}

/**
 * Recent pollers of each task queue (by namespace, kind and name; a sticky queue is its own), kept
 * in memory as a real server keeps them: the last poll of each identity, forgotten after the TTL.
 */
export class PollerHistory {
  private readonly queues = new Map<string, Map<string, Entry>>();
  private lastSweep = 0;

  record(namespace: string, kind: TaskKind, queue: string, identity: string, meta: PollMetadata, now: number): void {
    const key = `${namespace}\u0000${kind}\u0000${queue}`;
    let pollers = this.queues.get(key);
    if (!pollers) this.queues.set(key, (pollers = new Map()));
    // One entry per identity and version (a real server keeps one history per versioned queue);
    // re-inserted so the map stays ordered by last poll, oldest first.
    const options = meta.deploymentOptions;
    const entryKey = `${options?.deploymentName ?? ''}\u0000${options?.buildId ?? ''}\u0000${identity}`;
    pollers.delete(entryKey);
    pollers.set(entryKey, { identity, lastAccessTime: now, ...meta });
    if (pollers.size > MAX_POLLERS_PER_QUEUE) pollers.delete(pollers.keys().next().value!);
    if (now - this.lastSweep > POLLER_HISTORY_TTL_MS) this.sweep(now);
  }

  list(namespace: string, kind: TaskKind, queue: string, now: number): PollerInfo[] {
    const pollers = this.queues.get(`${namespace}\u0000${kind}\u0000${queue}`);
    if (!pollers) return [];
    return [...pollers.values()]
      .filter((p) => now - p.lastAccessTime < POLLER_HISTORY_TTL_MS)
      .map((p) => ({
        identity: p.identity,
        lastAccessTime: timestamp(p.lastAccessTime),
        ratePerSecond: p.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
        workerVersionCapabilities: p.workerVersionCapabilities ?? undefined,
        deploymentOptions: p.deploymentOptions ?? undefined,
      }));
  }

  /** Forgets queues nobody polled within the TTL (per-worker sticky queues would otherwise pile up). */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [queueKey, pollers] of this.queues) {
      for (const [identity, p] of pollers)
        if (now - p.lastAccessTime >= POLLER_HISTORY_TTL_MS) pollers.delete(identity);
      if (!pollers.size) this.queues.delete(queueKey);
    }
  }
}
