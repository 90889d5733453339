/** Audit rows written by a process rather than a person: no user id or source IP. */
import { insertAuditEvent } from '../../db/repositories/audit';
import type { Db } from '../../db/repositories/sql';
import type { SystemActor } from './system-actor';

export interface SystemAuditEvent {
  action: string;
  entityType: string;
  entityId: string | null;
  childId: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

/** The process instance, when there is one, leads the detail; `e.detail` may add to it. Returns the row id. */
export async function auditBySystem(db: Db, who: SystemActor, e: SystemAuditEvent): Promise<string> {
  return insertAuditEvent(db, {
    actorId: null,
    actorUsername: who.actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    childId: e.childId,
    sourceIp: null,
    reason: e.reason ?? null,
    detail: { ...(who.processInstanceId ? { processInstanceId: who.processInstanceId } : {}), ...(e.detail ?? {}) },
  });
}
