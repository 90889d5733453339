import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Status, temporal, type P } from '../proto';
import { ApiError, invalidArgument, notFound } from '../errors';
import { durationMs, msToDuration, timestamp, timestampMs } from '../time';
import type { Engine } from '../engine/engine';
import { startWorkflow } from '../engine/start';
import { requestCancelWorkflow } from '../engine/signals';
import { terminateWorkflow } from '../engine/close';
import { compileQuery } from '../visibility/query';
import { checkSearchAttributes } from '../engine/search-attributes';
import { BUILT_IN_SEARCH_ATTRIBUTES, PREDEFINED_SEARCH_ATTRIBUTES } from '../engine/system-search-attributes';
import { CompiledSpec, canonicalSpec } from './spec';
import type { BufferedStart, ScheduleRecord } from './record';
import { ScheduleStore } from './store';
import { processBuffer } from './overlap';
import { SCHEDULE_KEY_PREFIX } from './schedule-key';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer Q): unknown } ? P<NonNullable<Q>> : never;
const Overlap = temporal.api.enums.v1.ScheduleOverlapPolicy;
const Reuse = temporal.api.enums.v1.WorkflowIdReusePolicy;

/** Defaults and bounds a real server applies (its scheduler's "tweakables"). */
const DEFAULT_CATCHUP_MS = 365 * 24 * 3600_000;
const MIN_CATCHUP_MS = 10_000;
const MAX_BUFFER = 1000;
const RECENT_ACTIONS = 10;
const FUTURE_ACTIONS = 10;
const LIST_RECENT = 5;
const LIST_FUTURE = 5;
const MAX_MATCHING_TIMES = 1000;

export interface ScheduledRunClosed {
  namespace: string;
  scheduleId: string;
  workflowId: string;
  status: number;
  result?: P<temporal.api.common.v1.IPayloads> | null;
  failure?: P<temporal.api.failure.v1.IFailure> | null;
}

/**
 * Schedules served natively (a real server runs one internal workflow per schedule): state in the
 * `schedules` table, wake-ups in the engine's deadline heap (so time skipping jumps to them),
 * started workflows carry `scheduledBy` and report back when their chain of runs closes.
 */
export class Schedules {
  private readonly store: ScheduleStore;
  private readonly cache = new Map<string, ScheduleRecord>();

  constructor(private readonly engine: Engine) {
    this.store = new ScheduleStore(engine.store.pool);
  }

  private key(namespace: string, scheduleId: string): string {
    return `${SCHEDULE_KEY_PREFIX}${namespace}\u0000${scheduleId}`;
  }

  /** Arms every stored schedule (after a start or crash) and catches up what came due meanwhile. */
  async recover(): Promise<number> {
    const ids = await this.store.ids();
    for (const { namespace, scheduleId } of ids) await this.wake(namespace, scheduleId);
    return ids.length;
  }

  /** A deadline for a schedule came due (key from the deadline heap). */
  async due(key: string): Promise<void> {
    const [, namespace, scheduleId] = key.split('\u0000');
    await this.wake(namespace, scheduleId);
  }

  /** A workflow a schedule started has closed (its last run): free its slot and start what waits. */
  async runClosed(closed: ScheduledRunClosed): Promise<void> {
    await this.change(closed.namespace, closed.scheduleId, async (rec) => {
      this.applyClose(rec, closed.workflowId, closed.status, closed.result, closed.failure);
      return true;
    }).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== status.NOT_FOUND) throw err;
    });
  }

  private async wake(namespace: string, scheduleId: string): Promise<void> {
    await this.change(namespace, scheduleId, async () => true).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== status.NOT_FOUND) throw err;
    });
  }

  private async load(namespace: string, scheduleId: string): Promise<ScheduleRecord> {
    const key = this.key(namespace, scheduleId);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const rec = await this.store.load(namespace, scheduleId);
    if (!rec) throw notFound(`schedule "${scheduleId}" not found`);
    this.cache.set(key, rec);
    return rec;
  }

  /**
   * Runs `fn` on the schedule under its lock; when it returns true, takes the actions that are
   * due, persists, and arms the next wake-up.
   */
  private async change<T>(namespace: string, scheduleId: string, fn: (rec: ScheduleRecord) => Promise<T>): Promise<T> {
    const key = this.key(namespace, scheduleId);
    return this.engine.locks
      .run(key, async () => {
        const rec = await this.load(namespace, scheduleId);
        const result = await fn(rec);
        if (result !== false) await this.run(rec);
        await this.store.save(rec);
        this.arm(rec);
        return result;
      })
      .finally(() => this.engine.timeSkipping.poke()); // time may skip again once the schedule's lock is free
  }

  /** Takes every action that has come due, then works the buffer (starts, overlap policy). */
  private async run(rec: ScheduleRecord): Promise<void> {
    const now = this.engine.clock.now();
    if (this.canTake(rec, false, false))
      this.processRange(rec, rec.lastProcessedTime, now, Overlap.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED, false);
    rec.lastProcessedTime = Math.max(rec.lastProcessedTime, now);
    while (await this.workBuffer(rec));
  }

  private arm(rec: ScheduleRecord): void {
    const key = this.key(rec.namespace, rec.scheduleId);
    const next = this.canTake(rec, false, false)
      ? this.spec(rec)?.next(rec.lastProcessedTime, this.seed(rec))
      : undefined;
    this.engine.deadlines.set(key, next?.actual);
    this.engine.armTimer();
  }

  private spec(rec: ScheduleRecord): CompiledSpec | undefined {
    try {
      return new CompiledSpec(rec.schedule.spec ?? {});
    } catch {
      return undefined;
    }
  }

  private seed(rec: ScheduleRecord): string {
    return `${rec.namespace}-${rec.scheduleId}`;
  }

  private catchupMs(rec: ScheduleRecord): number {
    const ms = durationMs(rec.schedule.policies?.catchupWindow);
    return ms ? Math.max(ms, MIN_CATCHUP_MS) : DEFAULT_CATCHUP_MS;
  }

  private resolveOverlap(rec: ScheduleRecord, policy: number | null | undefined): number {
    return policy || rec.schedule.policies?.overlapPolicy || Overlap.SCHEDULE_OVERLAP_POLICY_SKIP;
  }

  /** Paused or out of actions stops scheduled (not manual) actions; taking one uses up a limited action. */
  private canTake(rec: ScheduleRecord, manual: boolean, decrement: boolean): boolean {
    if (manual) return true;
    const state = (rec.schedule.state ??= {});
    if (state.paused) return false;
    if (!state.limitedActions) return true;
    if ((state.remainingActions ?? 0) <= 0) return false;
    if (decrement) {
      state.remainingActions = (state.remainingActions ?? 0) - 1;
      rec.conflictToken++;
    }
    return true;
  }

  /** Buffers the actions whose time falls in (start, end]; scheduled ones older than the catch-up window are missed. */
  private processRange(rec: ScheduleRecord, start: number, end: number, overlapPolicy: number, manual: boolean): void {
    const spec = this.spec(rec);
    if (!spec) return;
    const seed = this.seed(rec);
    for (let n = spec.next(start, seed); n && n.actual <= end; n = spec.next(n.actual, seed)) {
      if (!manual && rec.updateTime !== undefined && rec.updateTime > n.actual) continue;
      if (!manual && end - n.actual > this.catchupMs(rec)) {
        rec.missedCatchupWindow++;
        continue;
      }
      this.addStart(rec, n.nominal, n.actual, overlapPolicy, manual);
    }
  }

  private addStart(rec: ScheduleRecord, nominal: number, actual: number, overlapPolicy: number, manual: boolean): void {
    if (rec.buffer.length >= MAX_BUFFER) {
      rec.bufferDropped++;
      return;
    }
    rec.buffer.push({ nominal, actual, overlapPolicy, manual, requestId: randomUUID() });
  }

  /** One pass over the buffer; true if there may be more to do now. */
  private async workBuffer(rec: ScheduleRecord): Promise<boolean> {
    await this.refreshRunning(rec);
    if (!rec.schedule.action?.startWorkflow || rec.buffer.length === 0) {
      rec.buffer = [];
      return false;
    }
    const action = processBuffer(rec.buffer, rec.running.length > 0, (p) => this.resolveOverlap(rec, p));
    rec.buffer = action.newBuffer;
    rec.overlapSkipped += action.overlapSkipped;
    let again = false;
    const starts = [...action.overlapping, ...(action.nonOverlapping ? [action.nonOverlapping] : [])];
    for (const start of starts) {
      if (!this.canTake(rec, start.manual, true)) {
        again = true;
        continue;
      }
      await this.startAction(rec, start, start === action.nonOverlapping);
    }
    const running = [...rec.running];
    if (action.needTerminate || action.needCancel) {
      for (const run of running) {
        const execution = { workflowId: run.workflowId };
        const r = { namespace: rec.namespace, workflowExecution: execution, identity: this.identity(rec) };
        const stop = action.needTerminate
          ? terminateWorkflow(this.engine, { ...r, reason: 'terminated by schedule overlap policy' })
          : requestCancelWorkflow(this.engine, { ...r, reason: 'cancelled by schedule overlap policy' });
        await stop.catch(() => undefined); // already closed: its close report frees the slot
      }
    }
    return again;
  }

  private identity(rec: ScheduleRecord): string {
    return `temporal-scheduler-${rec.namespace}-${rec.scheduleId}`;
  }

  /** Starts the action's workflow, as a real scheduler names it: `<workflowId>-<nominal time, seconds, UTC>`. */
  private async startAction(rec: ScheduleRecord, start: BufferedStart, tracked: boolean): Promise<void> {
    const wf = rec.schedule.action!.startWorkflow!;
    const nominalSec = Math.floor(start.nominal / 1000) * 1000;
    const workflowId = `${wf.workflowId}-${new Date(nominalSec).toISOString().replace('.000Z', 'Z')}`;
    const allowAll = this.resolveOverlap(rec, start.overlapPolicy) === Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
    let runId: string;
    try {
      const res = await startWorkflow(this.engine, {
        namespace: rec.namespace,
        workflowId,
        workflowType: wf.workflowType?.name ?? '',
        taskQueue: wf.taskQueue?.name ?? '',
        input: wf.input,
        header: wf.header,
        memo: wf.memo,
        searchAttributes: {
          indexedFields: {
            ...(wf.searchAttributes?.indexedFields ?? {}),
            TemporalScheduledStartTime: jsonPayload(new Date(nominalSec).toISOString(), 'Datetime'),
            TemporalScheduledById: jsonPayload(rec.scheduleId, 'Keyword'),
          },
        },
        executionTimeoutMs: durationMs(wf.workflowExecutionTimeout),
        runTimeoutMs: durationMs(wf.workflowRunTimeout),
        taskTimeoutMs: durationMs(wf.workflowTaskTimeout),
        retryPolicy: wf.retryPolicy,
        requestId: start.requestId,
        identity: this.identity(rec),
        reusePolicy: start.manual
          ? Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
          : Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
        lastCompletionResult: allowAll ? undefined : rec.lastCompletionResult,
        continuedFailure: allowAll ? undefined : rec.continuedFailure,
        scheduledBy: allowAll ? undefined : rec.scheduleId,
      });
      runId = res.runId;
    } catch (err) {
      // A real scheduler logs a start it cannot make (the id is taken) and drops it.
      this.engine.logger.warn({ err, scheduleId: rec.scheduleId, workflowId }, 'schedule could not start its workflow');
      return;
    }
    rec.actionCount++;
    rec.recentActions = [
      ...rec.recentActions,
      {
        scheduleTime: timestamp(start.actual),
        actualTime: timestamp(this.engine.clock.now()),
        startWorkflowResult: { workflowId, runId },
        startWorkflowStatus: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
      },
    ].slice(-RECENT_ACTIONS);
    if (tracked && !allowAll) rec.running.push({ workflowId, runId });
  }

  /** Drops tracked workflows that have closed meanwhile (a report may have been lost in a crash). */
  private async refreshRunning(rec: ScheduleRecord): Promise<void> {
    for (const run of [...rec.running]) {
      try {
        const ref = await this.engine.resolveRun(rec.namespace, run.workflowId);
        const exec = await this.engine.load(ref);
        if (exec.running) continue;
        const closeEvent = exec.events[exec.events.length - 1];
        this.applyClose(
          rec,
          run.workflowId,
          exec.state.status,
          closeEvent?.workflowExecutionCompletedEventAttributes?.result,
          closeEvent?.workflowExecutionFailedEventAttributes?.failure,
        );
      } catch (err) {
        if ((err as { code?: unknown }).code !== status.NOT_FOUND) throw err;
        rec.running = rec.running.filter((r) => r !== run);
      }
    }
  }

  private applyClose(
    rec: ScheduleRecord,
    workflowId: string,
    closedStatus: number,
    result: P<temporal.api.common.v1.IPayloads> | null | undefined,
    failure: P<temporal.api.failure.v1.IFailure> | null | undefined,
  ): void {
    const before = rec.running.length;
    rec.running = rec.running.filter((r) => r.workflowId !== workflowId);
    if (rec.running.length === before) return;
    for (const a of rec.recentActions)
      if (a.startWorkflowResult?.workflowId === workflowId) a.startWorkflowStatus = closedStatus;
    const state = (rec.schedule.state ??= {});
    const failed = closedStatus === Status.WORKFLOW_EXECUTION_STATUS_FAILED;
    const timedOut = closedStatus === Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
    if (rec.schedule.policies?.pauseOnFailure && (failed || timedOut) && !state.paused) {
      state.paused = true;
      state.notes = failed
        ? `paused due to workflow failure: ${workflowId}: ${failure?.message ?? ''}`
        : `paused due to workflow timeout: ${workflowId}`;
      rec.conflictToken++;
    }
    if (result) {
      rec.lastCompletionResult = result;
      rec.continuedFailure = undefined;
    } else if (failure) {
      rec.continuedFailure = failure;
    }
  }

  // --- the API ---

  async create(r: Req<'CreateScheduleRequest'>): Promise<P<temporal.api.workflowservice.v1.ICreateScheduleResponse>> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    if (!r.scheduleId) throw invalidArgument('ScheduleId is not set on request.');
    if (!r.requestId) throw invalidArgument('RequestId is not set on request.');
    const schedule = this.validated(r.schedule);
    const now = this.engine.clock.now();
    const rec: ScheduleRecord = {
      namespace,
      scheduleId: r.scheduleId,
      schedule,
      memo: r.memo ?? undefined,
      searchAttributes: r.searchAttributes ?? undefined,
      conflictToken: 1,
      createTime: now,
      lastProcessedTime: now,
      buffer: [],
      actionCount: 0,
      missedCatchupWindow: 0,
      overlapSkipped: 0,
      bufferDropped: 0,
      running: [],
      recentActions: [],
    };
    const key = this.key(namespace, r.scheduleId);
    await this.engine.locks.run(key, async () => {
      if (!(await this.store.insert(rec)))
        throw new ApiError(status.ALREADY_EXISTS, `schedule "${r.scheduleId}" is already registered`, [
          'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
          temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure.encode({}).finish(),
        ]);
      this.cache.set(key, rec);
    });
    await this.change(namespace, r.scheduleId, async (current) => {
      if (r.initialPatch) this.applyPatch(current, r.initialPatch);
      return true;
    });
    return { conflictToken: Buffer.from(String(rec.conflictToken)) };
  }

  /** Canonical spec, resolved default policies; InvalidArgument naming what is wrong. */
  private validated(
    input: P<temporal.api.schedule.v1.ISchedule> | null | undefined,
  ): P<temporal.api.schedule.v1.ISchedule> {
    const spec = canonicalSpec(input?.spec);
    const wf = input?.action?.startWorkflow;
    if (!wf) throw invalidArgument('Schedule action is not set: a schedule needs a start-workflow action.');
    if (!wf.workflowType?.name) throw invalidArgument('WorkflowType is not set on the schedule action.');
    if (!wf.taskQueue?.name) throw invalidArgument('TaskQueue is not set on the schedule action.');
    if (!wf.workflowId) throw invalidArgument('WorkflowId is not set on the schedule action.');
    if (wf.cronSchedule) throw invalidArgument('CronSchedule is not allowed in a schedule action.');
    // The action's search attributes are checked when the schedule is written, as a real server's
    // frontend checks a start's (a bad one would otherwise fail every scheduled start).
    checkSearchAttributes(
      wf.searchAttributes,
      (name) => this.engine.searchAttributeType(name) ?? PREDEFINED_SEARCH_ATTRIBUTES[name],
      (name) => BUILT_IN_SEARCH_ATTRIBUTES.has(name),
    );
    const policies = input?.policies ?? {};
    const catchup = durationMs(policies.catchupWindow);
    return {
      spec,
      action: input!.action,
      policies: {
        ...policies,
        overlapPolicy: policies.overlapPolicy || Overlap.SCHEDULE_OVERLAP_POLICY_SKIP,
        catchupWindow: msToDuration(catchup ? Math.max(catchup, MIN_CATCHUP_MS) : DEFAULT_CATCHUP_MS),
      },
      state: input?.state ?? {},
    };
  }

  private applyPatch(rec: ScheduleRecord, patch: P<temporal.api.schedule.v1.ISchedulePatch>): void {
    const now = this.engine.clock.now();
    if (patch.triggerImmediately) {
      const at = patch.triggerImmediately.scheduledTime ? timestampMs(patch.triggerImmediately.scheduledTime) : now;
      this.addStart(rec, at, at, patch.triggerImmediately.overlapPolicy ?? 0, true);
    }
    for (const b of patch.backfillRequest ?? []) {
      // The start time is inclusive, as a real server now treats it.
      this.processRange(rec, timestampMs(b.startTime) - 1, timestampMs(b.endTime), b.overlapPolicy ?? 0, true);
    }
    const state = (rec.schedule.state ??= {});
    if (patch.pause) {
      state.paused = true;
      state.notes = patch.pause;
      rec.conflictToken++;
    }
    if (patch.unpause) {
      state.paused = false;
      state.notes = patch.unpause;
      rec.conflictToken++;
      // Times that passed while paused are not made up for.
      rec.lastProcessedTime = Math.max(rec.lastProcessedTime, now);
    }
  }

  async describe(
    r: Req<'DescribeScheduleRequest'>,
  ): Promise<P<temporal.api.workflowservice.v1.IDescribeScheduleResponse>> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    const rec = await this.engine.locks.run(this.key(namespace, r.scheduleId ?? ''), () =>
      this.load(namespace, r.scheduleId ?? ''),
    );
    return {
      schedule: rec.schedule,
      info: {
        actionCount: rec.actionCount,
        missedCatchupWindow: rec.missedCatchupWindow,
        overlapSkipped: rec.overlapSkipped,
        bufferDropped: rec.bufferDropped,
        bufferSize: rec.buffer.length,
        runningWorkflows: rec.running,
        recentActions: rec.recentActions,
        futureActionTimes: this.futureTimes(rec, FUTURE_ACTIONS).map(timestamp),
        createTime: timestamp(rec.createTime),
        updateTime: rec.updateTime !== undefined ? timestamp(rec.updateTime) : undefined,
      },
      memo: rec.memo,
      searchAttributes: rec.searchAttributes,
      conflictToken: Buffer.from(String(rec.conflictToken)),
    };
  }

  private futureTimes(rec: ScheduleRecord, n: number): number[] {
    const spec = this.spec(rec);
    const state = rec.schedule.state ?? {};
    if (!spec) return [];
    const count = state.limitedActions ? Math.min(n, state.remainingActions ?? 0) : n;
    const out: number[] = [];
    for (
      let t = spec.next(rec.lastProcessedTime, this.seed(rec));
      t && out.length < count;
      t = spec.next(t.actual, this.seed(rec))
    ) {
      if (rec.updateTime !== undefined && rec.updateTime > t.actual) continue;
      out.push(t.actual);
    }
    return out;
  }

  async update(r: Req<'UpdateScheduleRequest'>): Promise<object> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    const schedule = this.validated(r.schedule);
    const token = r.conflictToken?.length ? Number(Buffer.from(r.conflictToken).toString()) : 0;
    await this.change(namespace, r.scheduleId ?? '', async (rec) => {
      // A real scheduler ignores an update made against an older version of the schedule.
      if (token && token !== rec.conflictToken) return false;
      rec.schedule = schedule;
      if (r.searchAttributes) rec.searchAttributes = r.searchAttributes;
      rec.updateTime = this.engine.clock.now();
      rec.conflictToken++;
      return true;
    });
    return {};
  }

  async patch(r: Req<'PatchScheduleRequest'>): Promise<object> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    await this.change(namespace, r.scheduleId ?? '', async (rec) => {
      this.applyPatch(rec, r.patch ?? {});
      return true;
    });
    return {};
  }

  async delete(r: Req<'DeleteScheduleRequest'>): Promise<object> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    const scheduleId = r.scheduleId ?? '';
    const key = this.key(namespace, scheduleId);
    await this.engine.locks.run(key, async () => {
      if (!(await this.store.delete(namespace, scheduleId))) throw notFound(`schedule "${scheduleId}" not found`);
      this.cache.delete(key);
      this.engine.deadlines.set(key, undefined);
    });
    return {};
  }

  async list(r: Req<'ListSchedulesRequest'>): Promise<P<temporal.api.workflowservice.v1.IListSchedulesResponse>> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    const types = new Map(this.engine.namespaces.searchAttributes);
    types.set('TemporalSchedulePaused', 5);
    const q = compileQuery(r.query ?? '', types);
    const offset = r.nextPageToken?.length ? Number(Buffer.from(r.nextPageToken).toString()) : 0;
    const size = r.maximumPageSize && r.maximumPageSize > 0 ? r.maximumPageSize : 1000;
    let rows: ScheduleRecord[];
    try {
      rows = await this.store.list(namespace, q.where, q.params, offset, size + 1);
    } catch (err) {
      if ((err as { code?: string }).code === '42703')
        throw invalidArgument(`invalid query for schedules: ${r.query ?? ''}`);
      throw err;
    }
    const page = rows.slice(0, size);
    return {
      schedules: page.map((rec) => {
        const live = this.cache.get(this.key(rec.namespace, rec.scheduleId)) ?? rec;
        return {
          scheduleId: live.scheduleId,
          memo: live.memo,
          searchAttributes: live.searchAttributes,
          info: {
            spec: live.schedule.spec,
            workflowType: live.schedule.action?.startWorkflow?.workflowType,
            notes: live.schedule.state?.notes ?? '',
            paused: !!live.schedule.state?.paused,
            recentActions: live.recentActions.slice(-LIST_RECENT),
            futureActionTimes: this.futureTimes(live, LIST_FUTURE).map(timestamp),
          },
        };
      }),
      nextPageToken: rows.length > size ? Buffer.from(String(offset + size)) : undefined,
    };
  }

  async matchingTimes(
    r: Req<'ListScheduleMatchingTimesRequest'>,
  ): Promise<P<temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse>> {
    const namespace = r.namespace ?? '';
    this.engine.namespaces.get(namespace);
    if (!r.startTime || !r.endTime) throw invalidArgument('StartTime and EndTime are required.');
    const rec = await this.load(namespace, r.scheduleId ?? '');
    const spec = this.spec(rec);
    const end = timestampMs(r.endTime);
    const out: number[] = [];
    for (
      let t = spec?.next(timestampMs(r.startTime), this.seed(rec));
      t && t.actual <= end && out.length < MAX_MATCHING_TIMES;
      t = spec!.next(t.actual, this.seed(rec))
    )
      out.push(t.actual);
    return { startTime: out.map(timestamp) };
  }
}

function jsonPayload(value: unknown, type: string): P<temporal.api.common.v1.IPayload> {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) },
    data: Buffer.from(JSON.stringify(value)),
  };
}
