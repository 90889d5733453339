import type { StaffActor } from '../../records/actor';
import { writeAudit, type AuditEntry } from '../../records/audit';
import type { Db } from '../../records/sql';
import type { RequestContext } from '../request-context';

/** The member of staff making the request, as records operations name them in the audit trail. */
export function actorOf(ctx: RequestContext): StaffActor {
  const principal = ctx.session?.principal ?? null;
  return {
    kind: 'staff',
    id: principal?.id ?? null,
    username: principal?.username ?? 'anonymous',
    localityIds: principal?.localityIds ?? [],
    accessReason: ctx.accessReason,
    sourceIp: ctx.ip,
    request: { method: ctx.req.method, path: ctx.req.originalUrl.split('?')[0] },
  };
}

/** What happened, to which record; the request adds who, from where and why. */
export type AuditWhat = AuditEntry;

/**
 * Writes an audit row for a request with `db` (pass the change's transaction so both commit
 * together). For routes whose records operations do not audit themselves (sign-in, definitions).
 */
export function audit(db: Db, ctx: RequestContext, what: AuditWhat): Promise<string> {
  return writeAudit(db, actorOf(ctx), what);
}
