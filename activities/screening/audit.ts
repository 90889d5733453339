/**
 * Audit events written by screening activities, once per activity call: a retried attempt
 * finds the event of the attempt before it (same idempotency key) instead of writing another.
 */
import { selectOne, type Db } from '../../db/repositories/sql';
import { auditBySystem } from '../support';
import type { ActivityCall } from './activity-context';

export interface ScreeningAudit {
  action: string;
  childId: string;
  entityId: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

/** Call inside a transaction: the lock keeps two attempts of one call from both inserting. */
export async function auditOnce(
  tx: Db,
  call: ActivityCall,
  e: ScreeningAudit,
): Promise<{ id: string; alreadyRecorded: boolean }> {
  await selectOne(tx, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [call.idempotencyKey]);
  const existing = await selectOne<{ id: string }>(
    tx,
    `SELECT id FROM audit_events WHERE child_id = $1 AND detail->>'idempotencyKey' = $2`,
    [e.childId, call.idempotencyKey],
  );
  if (existing) return { id: existing.id, alreadyRecorded: true };
  const id = await auditBySystem(tx, call, {
    action: e.action,
    entityType: 'screening',
    entityId: e.entityId,
    childId: e.childId,
    reason: e.reason,
    // Unlike other domains, the call's instance and key win over anything e.detail says.
    detail: { ...e.detail, processInstanceId: call.processInstanceId, idempotencyKey: call.idempotencyKey },
  });
  return { id, alreadyRecorded: false };
}
