/**
 * What the immunisation activities share: input validation against the catalogue schema
 * (bad input is a non-retryable ValidationError naming the field), the running activity's
 * idempotency key and audit actor, and audit rows written by a process.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { z } from 'zod';
import { insertAuditEvent } from '../../db/repositories/audit';
import type { Db } from '../../db/repositories/sql';

export function parseInput<S extends z.ZodType>(activityType: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'input'}: ${i.message}`);
  throw ApplicationFailure.nonRetryable(`${activityType}: ${problems.join('; ')}`, 'ValidationError');
}

export function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'NotFoundError');
}

export interface RunningActivity {
  /** The same for every retry of one activity: `<workflow id>/<activity id>`. */
  idempotencyKey: string;
  processInstanceId: string | null;
  /** Audit actor, `system:<process key>`. */
  actor: string;
}

/** The process key in a workflow id: `<key>-<hash or uuid>`, `<key>-<child>-<dose>` for follow-ups, `/call-N` for calls. */
function processKeyOf(workflowId: string): string {
  return workflowId
    .split('/')[0]
    .replace(/-(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, '')
    .replace(/^(immunisation-follow-up)-\d+-.+$/, '$1');
}

/** The running activity, or a stand-in when called directly (tests, scripts) with `defaultKey` as the process key. */
export function runningActivity(defaultKey: string, fallbackIdempotencyKey: string): RunningActivity {
  let workflowId: string | null = null;
  let activityId = '';
  try {
    const info = Context.current().info;
    workflowId = info.workflowExecution?.workflowId ?? null;
    activityId = info.activityId;
  } catch {
    // outside an activity
  }
  if (!workflowId) return { idempotencyKey: fallbackIdempotencyKey, processInstanceId: null, actor: `system:${defaultKey}` };
  return { idempotencyKey: `${workflowId}/${activityId}`, processInstanceId: workflowId, actor: `system:${processKeyOf(workflowId) || defaultKey}` };
}

/** Heartbeats when running as an activity (a direct call has no context to report to). */
export function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity
  }
}

export async function audit(
  db: Db,
  who: RunningActivity,
  e: { action: string; entityType: string; entityId: string | null; childId: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  await insertAuditEvent(db, {
    actorId: null,
    actorUsername: who.actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    childId: e.childId,
    sourceIp: null,
    reason: null,
    detail: { ...(who.processInstanceId ? { processInstanceId: who.processInstanceId } : {}), ...(e.detail ?? {}) },
  });
}

/** Today (UTC) as YYYY-MM-DD: the default as-of date when a process does not pass one. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
