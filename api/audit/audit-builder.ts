import { insertAuditEvent, type NewAuditEvent } from '../../db/repositories/audit';
import type { Db } from '../../db/repositories/sql';
import type { RequestContext } from '../request-context';

/** What happened, to which record; the builder adds who, from where and why from the request. */
export interface AuditWhat {
  action: string;
  entityType: string;
  entityId?: string | null;
  childId?: string | null;
  detail?: Record<string, unknown>;
  /** Overrides the request's stated reason (e.g. the outcome text of a closure). */
  reason?: string | null;
  /** For events before sign-in (failed logins): the username that was tried. */
  actorUsername?: string;
}

/** The one place that turns a request into an audit row. */
export function auditEventFrom(ctx: RequestContext, what: AuditWhat): NewAuditEvent {
  const principal = ctx.session?.principal ?? null;
  return {
    actorId: principal?.id ?? null,
    actorUsername: principal?.username ?? what.actorUsername ?? 'anonymous',
    action: what.action,
    entityType: what.entityType,
    entityId: what.entityId ?? null,
    childId: what.childId ?? null,
    sourceIp: ctx.ip,
    reason: what.reason !== undefined ? what.reason : ctx.accessReason,
    detail: { method: ctx.req.method, path: ctx.req.originalUrl.split('?')[0], ...what.detail },
  };
}

/** Writes the event with `db` (pass the change's transaction so both commit together). */
export function audit(db: Db, ctx: RequestContext, what: AuditWhat): Promise<string> {
  return insertAuditEvent(db, auditEventFrom(ctx, what));
}
