/**
 * What the child.* and pds.* activities share: input validation against the catalogue's
 * schema, who the acting process is (for audit rows), and the activity's idempotency key.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { z } from 'zod';
import { insertAuditEvent } from '../../db/repositories/audit';
import { selectOne, type Db } from '../../db/repositories/sql';

export function parseActivityInput<S extends z.ZodType>(activityType: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'input'}: ${i.message}`);
  throw ApplicationFailure.nonRetryable(`${activityType}: ${problems.join('; ')}`, 'ValidationError');
}

/** The running activity's process instance (workflow id), or null outside an activity (direct calls in tests). */
export function currentProcessInstance(): string | null {
  try {
    return Context.current().info.workflowExecution?.workflowId ?? null;
  } catch {
    return null;
  }
}

/** `system:<process key>` for the running process instance, `system` outside one. */
export async function systemActor(db: Db): Promise<{ actor: string; processInstanceId: string | null }> {
  const processInstanceId = currentProcessInstance();
  if (!processInstanceId) return { actor: 'system', processInstanceId };
  const row = await selectOne<{ key: string }>(
    db,
    'SELECT d.key FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1',
    [processInstanceId],
  );
  return { actor: `system:${row?.key ?? keyFromWorkflowId(processInstanceId) ?? 'process'}`, processInstanceId };
}

/**
 * The instance row may not be written yet when its first activity runs; instance ids are
 * `<process key>-<uuid or 32 hex digits>` (engine starts and message starts), so read the key from the id.
 */
function keyFromWorkflowId(id: string): string | null {
  return /^(.+)-(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(id)?.[1] ?? null;
}

/** An audit row written by a process; the process instance goes into the detail. */
export async function auditBySystem(
  db: Db,
  who: { actor: string; processInstanceId: string | null },
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
