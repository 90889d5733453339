import { createHash } from 'node:crypto';
import type { Store } from '../store/store';
import { SCHEMA } from '../store/schema';
import { failedPrecondition, invalidArgument, notFound } from '../errors';
import type { TaskKind } from './matching';

/** The version string of the deployment APIs (`<deployment>.<build id>`, the SDK's toCanonicalString). */
export const UNVERSIONED = '__unversioned__';

/** A worker version of a deployment, registered when a versioned worker first polls. */
export interface VersionRecord {
  buildId: string;
  createTime: number;
  /** When it became current or ramping the first time, and when it last stopped being either. */
  firstActivationTime?: number;
  lastDeactivationTime?: number;
  currentSinceTime?: number;
  rampingSinceTime?: number;
  lastCurrentTime?: number;
  routingChangedTime?: number;
  /** Set when the version stops being current or ramping, cleared when it becomes either again. */
  drainage?: Drainage;
  taskQueues: { name: string; kind: TaskKind }[];
}

/**
 * A deactivated version's drainage, as a real server's version workflow tracks it: DRAINING at
 * once, then checked (open runs pinned to it) after a visibility grace period and again every
 * refresh interval until none is left (DRAINED).
 */
export interface Drainage {
  status: 'draining' | 'drained';
  changedTime: number;
  checkedTime: number;
}

/** A worker deployment and its routing config (which version new and auto-upgrade work goes to). */
export interface DeploymentRecord {
  namespace: string;
  name: string;
  createTime: number;
  versions: Record<string, VersionRecord>;
  current?: string;
  currentChangedTime?: number;
  ramping?: string;
  rampingPercentage: number;
  rampingChangedTime?: number;
  rampingPercentageChangedTime?: number;
  /** Bumped on every routing change; the conflict token is derived from it. */
  revision: number;
  lastModifierIdentity?: string;
}

/** Key of a deployment version in task routing ('' is the unversioned workers). */
export function versionKey(deploymentName: string, buildId: string): string {
  return `${deploymentName}\u0000${buildId}`;
}

export function conflictToken(d: DeploymentRecord): Buffer {
  const token = Buffer.alloc(8);
  token.writeBigUInt64BE(BigInt(d.revision));
  return token;
}

/**
 * The build id a deployment API request names: the `build_id` field, or the deprecated version
 * string `<deployment>.<build id>`; '' for "unversioned" (`__unversioned__` or nothing).
 */
export function requestedBuildId(deploymentName: string, buildId?: string | null, version?: string | null): string {
  if (buildId) return buildId;
  if (!version || version === UNVERSIONED) return '';
  const prefix = `${deploymentName}.`;
  if (!version.startsWith(prefix))
    throw invalidArgument(
      `version "${version}" is not of deployment "${deploymentName}" (expected "${prefix}<build id>")`,
    );
  return version.slice(prefix.length);
}

/**
 * How long a version counts as having pollers after its last poll: a real server's matching
 * service keeps poller history for five minutes, and refuses to delete a version meanwhile.
 */
export const POLLER_TTL_MS = 5 * 60_000;

/** A real server's defaults (matching.wv.VersionDrainageStatusVisibilityGracePeriod / RefreshInterval). */
export const DRAINAGE_GRACE_MS = 3 * 60_000;
export const DRAINAGE_REFRESH_MS = 3 * 60_000;

/** Deterministic share of a workflow id in [0, 100): a ramp of p % takes the ids below p. */
export function rampSlot(workflowId: string): number {
  return (createHash('sha1').update(workflowId).digest().readUInt32BE(0) % 10_000) / 100;
}

/**
 * Worker deployments (worker versioning): versions registered by versioned workers' polls, and
 * each deployment's current and ramping version. One JSON row per deployment, cached in memory;
 * routing changes are written before they take effect.
 */
export class WorkerDeployments {
  private readonly byName = new Map<string, DeploymentRecord>();
  /** Normal task queue (namespace, kind, name) → its deployment, once a versioned worker polled it. */
  private readonly byQueue = new Map<string, DeploymentRecord>();
  /** Version (namespace, deployment, build id) → time of its workers' last poll on a normal queue; memory only, as a real server's poller history. */
  private readonly lastPoll = new Map<string, number>();
  /** Called after a routing change so that queued tasks find their new workers. */
  onRoutingChanged: (d: DeploymentRecord) => void = () => undefined;

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    const r = await this.store.pool.query<{ state: DeploymentRecord }>(
      `SELECT state FROM ${SCHEMA}.worker_deployments`,
    );
    for (const { state } of r.rows) {
      // Rows written before drainage was kept: a deactivated version starts draining from its deactivation.
      for (const v of Object.values(state.versions))
        if (
          v.lastDeactivationTime !== undefined &&
          !v.drainage &&
          state.current !== v.buildId &&
          state.ramping !== v.buildId
        )
          v.drainage = { status: 'draining', changedTime: v.lastDeactivationTime, checkedTime: v.lastDeactivationTime };
      this.remember(state);
    }
  }

  private remember(d: DeploymentRecord): void {
    this.byName.set(`${d.namespace}\u0000${d.name}`, d);
    for (const v of Object.values(d.versions))
      for (const q of v.taskQueues) this.byQueue.set(queueKey(d.namespace, q.kind, q.name), d);
  }

  private async save(d: DeploymentRecord): Promise<void> {
    await this.store.pool.query(
      `INSERT INTO ${SCHEMA}.worker_deployments (namespace, name, state) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, name) DO UPDATE SET state = EXCLUDED.state`,
      [d.namespace, d.name, JSON.stringify(d)],
    );
  }

  /** The deployment whose versions poll a normal task queue, if any (then its tasks are routed by version). */
  forQueue(namespace: string, kind: TaskKind, queue: string): DeploymentRecord | undefined {
    return this.byQueue.size ? this.byQueue.get(queueKey(namespace, kind, queue)) : undefined;
  }

  get(namespace: string, name: string): DeploymentRecord | undefined {
    return this.byName.get(`${namespace}\u0000${name}`);
  }

  list(namespace: string): DeploymentRecord[] {
    return [...this.byName.values()].filter((d) => d.namespace === namespace);
  }

  /** A versioned worker polls: its version (and the queue) join the deployment. Returns true when the queue is new to it. */
  async registerPoller(
    namespace: string,
    kind: TaskKind,
    queue: string,
    deploymentName: string,
    buildId: string,
    now: number,
  ): Promise<boolean> {
    this.lastPoll.set(`${namespace}\u0000${versionKey(deploymentName, buildId)}`, now);
    const existing = this.get(namespace, deploymentName);
    if (existing?.versions[buildId]?.taskQueues.some((q) => q.kind === kind && q.name === queue)) return false;
    const other = this.forQueue(namespace, kind, queue);
    if (other && other.name !== deploymentName)
      throw failedPrecondition(`task queue "${queue}" already belongs to worker deployment "${other.name}"`);
    const d: DeploymentRecord = existing
      ? structuredClone(existing)
      : { namespace, name: deploymentName, createTime: now, versions: {}, rampingPercentage: 0, revision: 0 };
    const v = (d.versions[buildId] ??= { buildId, createTime: now, taskQueues: [] });
    v.taskQueues.push({ name: queue, kind });
    await this.save(d);
    this.remember(d);
    return true;
  }

  /** A routing config change: written first, then task routing follows it. */
  private async change(d: DeploymentRecord, next: DeploymentRecord): Promise<DeploymentRecord> {
    next.revision = d.revision + 1;
    await this.save(next);
    this.remember(next);
    this.onRoutingChanged(next);
    return next;
  }

  private checkToken(d: DeploymentRecord, token: Uint8Array | null | undefined): void {
    if (token?.length && !Buffer.from(token).equals(conflictToken(d)))
      throw failedPrecondition('conflict token mismatch: the deployment was changed since it was read');
  }

  describe(namespace: string, name: string): DeploymentRecord {
    const d = this.get(namespace, name);
    if (!d) throw notFound(`worker deployment ${name} not found`);
    return d;
  }

  async setCurrent(
    namespace: string,
    name: string,
    buildId: string,
    token: Uint8Array | null | undefined,
    identity: string,
    now: number,
  ): Promise<{ previous?: string; deployment: DeploymentRecord }> {
    const d = this.describe(namespace, name);
    this.checkToken(d, token);
    if (buildId && !d.versions[buildId])
      throw notFound(`version ${name}.${buildId} not found in worker deployment ${name}`);
    const previous = d.current;
    if ((previous ?? '') === buildId) return { previous, deployment: d };
    const next = structuredClone(d);
    next.current = buildId || undefined;
    next.currentChangedTime = now;
    next.lastModifierIdentity = identity || undefined;
    if (buildId) {
      const v = next.versions[buildId];
      v.currentSinceTime = now;
      v.lastCurrentTime = now;
      v.routingChangedTime = now;
      v.firstActivationTime ??= now;
      activate(v);
      if (next.ramping === buildId) {
        v.rampingSinceTime = undefined;
        next.ramping = undefined;
        next.rampingPercentage = 0;
        next.rampingChangedTime = now;
      }
    }
    if (previous) deactivate(next, previous, now);
    return { previous, deployment: await this.change(d, next) };
  }

  async setRamping(
    namespace: string,
    name: string,
    buildId: string,
    percentage: number,
    token: Uint8Array | null | undefined,
    identity: string,
    now: number,
  ): Promise<{ previous?: string; previousPercentage: number; deployment: DeploymentRecord }> {
    const d = this.describe(namespace, name);
    this.checkToken(d, token);
    if (!(percentage >= 0 && percentage <= 100))
      throw invalidArgument(`ramping percentage must be between 0 and 100, got ${percentage}`);
    if (buildId && !d.versions[buildId])
      throw notFound(`version ${name}.${buildId} not found in worker deployment ${name}`);
    if (buildId && buildId === d.current)
      throw failedPrecondition(`version ${name}.${buildId} is the current version and cannot also ramp`);
    const previous = d.ramping;
    const previousPercentage = d.rampingPercentage;
    const next = structuredClone(d);
    next.lastModifierIdentity = identity || undefined;
    if (!buildId) {
      next.ramping = undefined;
      next.rampingPercentage = 0;
    } else {
      next.ramping = buildId;
      next.rampingPercentage = percentage;
      const v = next.versions[buildId];
      if (previous !== buildId) v.rampingSinceTime = now;
      v.routingChangedTime = now;
      v.firstActivationTime ??= now;
      activate(v);
    }
    if (previous !== next.ramping) next.rampingChangedTime = now;
    if (previousPercentage !== next.rampingPercentage) next.rampingPercentageChangedTime = now;
    if (previous && previous !== next.ramping) deactivate(next, previous, now);
    return { previous, previousPercentage, deployment: await this.change(d, next) };
  }

  /** True while the version's workers polled within POLLER_TTL_MS. */
  hasPollers(namespace: string, name: string, buildId: string, now: number): boolean {
    const last = this.lastPoll.get(`${namespace}\u0000${versionKey(name, buildId)}`);
    return last !== undefined && now - last < POLLER_TTL_MS;
  }

  /** Open runs pinned to a version (their BuildIds hold "pinned:<deployment>:<build id>"). */
  private async openPinned(namespace: string, name: string, buildId: string): Promise<number> {
    const r = await this.store.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${SCHEMA}.executions WHERE namespace = $1 AND status = 1 AND search_attributes->'BuildIds' ? $2`,
      [namespace, `pinned:${name}:${buildId}`],
    );
    return Number(r.rows[0].n);
  }

  /**
   * The version's drainage, checked now if a real server's check would have run by now (the
   * server checks on a timer; here the check runs when someone asks, with the same outcome).
   */
  async drainage(namespace: string, name: string, buildId: string, now: number): Promise<Drainage | undefined> {
    const d = this.describe(namespace, name);
    const v = d.versions[buildId];
    const drainage = v?.drainage;
    if (!drainage || drainage.status !== 'draining') return drainage;
    const wait = drainage.checkedTime === drainage.changedTime ? DRAINAGE_GRACE_MS : DRAINAGE_REFRESH_MS;
    if (now - drainage.checkedTime < wait) return drainage;
    const open = await this.openPinned(namespace, name, buildId);
    const latest = this.get(namespace, name);
    const stillDraining = latest?.versions[buildId]?.drainage;
    if (!latest || stillDraining?.status !== 'draining') return stillDraining;
    const next = structuredClone(latest);
    next.versions[buildId].drainage =
      open > 0 ? { ...stillDraining, checkedTime: now } : { status: 'drained', changedTime: now, checkedTime: now };
    // Not a routing change: the conflict token stays.
    await this.save(next);
    this.remember(next);
    return next.versions[buildId].drainage;
  }

  async deleteVersion(
    namespace: string,
    name: string,
    buildId: string,
    skipDrainage: boolean,
    now: number,
  ): Promise<void> {
    const deletable = (): DeploymentRecord => {
      const d = this.describe(namespace, name);
      if (!d.versions[buildId]) throw notFound(`version ${name}.${buildId} not found in worker deployment ${name}`);
      if (d.current === buildId || d.ramping === buildId)
        throw failedPrecondition('Version cannot be deleted since it is current or ramping.');
      return d;
    };
    deletable();
    // A real server (1.29, its messages) checks drainage before pollers, and only without skip_drainage.
    if (!skipDrainage && (await this.drainage(namespace, name, buildId, now))?.status === 'draining')
      throw failedPrecondition('Version cannot be deleted since it is draining.');
    const d = deletable();
    if (this.hasPollers(namespace, name, buildId, now))
      throw failedPrecondition('Version cannot be deleted since it has active pollers.');
    const next = structuredClone(d);
    delete next.versions[buildId];
    for (const q of d.versions[buildId].taskQueues) {
      const stillUsed = Object.values(next.versions).some((v) =>
        v.taskQueues.some((t) => t.kind === q.kind && t.name === q.name),
      );
      if (!stillUsed) this.byQueue.delete(queueKey(namespace, q.kind, q.name));
    }
    await this.change(d, next);
    this.lastPoll.delete(`${namespace}\u0000${versionKey(name, buildId)}`);
  }

  async deleteDeployment(namespace: string, name: string): Promise<void> {
    const d = this.describe(namespace, name);
    if (Object.keys(d.versions).length)
      throw failedPrecondition(`worker deployment ${name} still has versions; delete them first`);
    await this.store.pool.query(`DELETE FROM ${SCHEMA}.worker_deployments WHERE namespace = $1 AND name = $2`, [
      namespace,
      name,
    ]);
    this.byName.delete(`${namespace}\u0000${name}`);
  }
}

function deactivate(d: DeploymentRecord, buildId: string, now: number): void {
  const v = d.versions[buildId];
  if (!v || d.current === buildId || d.ramping === buildId) return;
  v.currentSinceTime = undefined;
  v.rampingSinceTime = undefined;
  v.routingChangedTime = now;
  v.lastDeactivationTime = now;
  v.drainage ??= { status: 'draining', changedTime: now, checkedTime: now };
}

/** A version made current or ramping takes new runs again: its drainage and deactivation are cleared (as a real server's rollback). */
function activate(v: VersionRecord): void {
  v.drainage = undefined;
  v.lastDeactivationTime = undefined;
}

function queueKey(namespace: string, kind: TaskKind, queue: string): string {
  return `${namespace}\u0000${kind}\u0000${queue}`;
}
