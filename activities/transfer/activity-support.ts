/**
 * Small helpers the transfer and safeguarding activities share: input validation against the
 * catalogue's schema, the idempotency key of the running activity, and audit rows written by
 * a process rather than a person.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { z } from 'zod';
import { insertAuditEvent } from '../../db/repositories/audit';
import type { Db } from '../../db/repositories/sql';

/** Bad input: retrying cannot help, the message names the field. */
export function validationError(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'ValidationError');
}

export function failure(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

export function parseInput<S extends z.ZodType>(activityType: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'input'}: ${i.message}`);
  throw validationError(`${activityType}: ${problems.join('; ')}`);
}

/** The process instance (workflow id) and activity attempt-independent key of the running activity. */
export function currentActivity(): { processInstanceId: string; idempotencyKey: string } {
  const info = Context.current().info;
  const processInstanceId = info.workflowExecution?.workflowId;
  if (!processInstanceId) throw new Error('this activity runs only inside a process instance');
  return { processInstanceId, idempotencyKey: `${processInstanceId}/${info.activityId}` };
}

/** An audit row written by a process (actor `system:<process key>`); the process instance is in the detail. */
export async function auditBySystem(
  db: Db,
  actor: string,
  e: { action: string; entityType: string; entityId: string | null; childId: string | null; reason?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  let processInstanceId: string | null = null;
  try {
    processInstanceId = Context.current().info.workflowExecution?.workflowId ?? null;
  } catch {
    // called outside an activity (e.g. from the API): no process instance
  }
  await insertAuditEvent(db, {
    actorId: null,
    actorUsername: actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    childId: e.childId,
    sourceIp: null,
    reason: e.reason ?? null,
    detail: { ...(processInstanceId ? { processInstanceId } : {}), ...(e.detail ?? {}) },
  });
}
