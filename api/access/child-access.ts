import { insertBreakGlassAlert } from '../../db/repositories/alerts';
import { findChildByNhsNumber, type ChildDetails, type ChildSummary } from '../../db/repositories/children';
import { inTransaction } from '../../db/repositories/sql';
import { ApiError, PROBLEM_TYPES } from '../api-error';
import { audit } from '../audit/audit-builder';
import { ACCESS_REASON_HEADER, me, type RequestContext } from '../request-context';
import { ACCESS_REASON_MAX, ACCESS_REASON_MIN } from '../routing';

/** Legitimate relationship: the child's responsible locality is one of the caller's. */
export function hasRelationship(ctx: RequestContext, child: Pick<ChildSummary, 'localityId'>): boolean {
  return me(ctx).localityIds.includes(child.localityId);
}

export function reasonNeeded(): ApiError {
  return ApiError.forbidden(
    `This child is outside your localities: state why you need the record in the ${ACCESS_REASON_HEADER} header ` +
      `(at least ${ACCESS_REASON_MIN} characters). The access will be audited and the safeguarding leads of the child's locality alerted.`,
    {
      type: PROBLEM_TYPES.accessReasonRequired,
      extensions: { minReasonLength: ACCESS_REASON_MIN, maxReasonLength: ACCESS_REASON_MAX },
    },
  );
}

/**
 * Break glass: records the stated reason as its own audit event and raises an alert for the
 * leads of the child's locality, in one transaction.
 */
export async function breakGlass(
  ctx: RequestContext,
  child: Pick<ChildSummary, 'id' | 'localityId' | 'nhsNumber'>,
  action: string,
): Promise<void> {
  const reason = ctx.accessReason;
  if (!reason) throw reasonNeeded();
  const principal = me(ctx);
  await inTransaction(ctx.deps.db, async (tx) => {
    const auditEventId = await audit(tx, ctx, {
      action: 'child.break_glass',
      entityType: 'child',
      entityId: child.nhsNumber,
      childId: child.id,
      detail: { for: action, childLocalityId: child.localityId },
    });
    await insertBreakGlassAlert(tx, {
      childId: child.id,
      localityId: child.localityId,
      actorId: principal.id,
      reason,
      action,
      auditEventId,
    });
  });
}

/**
 * Opens a child for `action`: 404 if unknown; within the caller's localities as is; outside
 * them only with a stated reason (else 403), which is audited and alerted.
 */
export async function openChild(
  ctx: RequestContext,
  nhsNumber: string,
  action: string,
): Promise<{ child: ChildDetails; brokeGlass: boolean }> {
  const child = await findChildByNhsNumber(ctx.deps.db, nhsNumber);
  if (!child) throw ApiError.notFound(`No child has NHS number ${nhsNumber}`);
  if (hasRelationship(ctx, child)) return { child, brokeGlass: false };
  await breakGlass(ctx, child, action);
  return { child, brokeGlass: true };
}

/** As openChild, for a record reached by its database id (a concern's or a task's child). */
export async function openChildById(
  ctx: RequestContext,
  child: Pick<ChildSummary, 'id' | 'localityId' | 'nhsNumber'>,
  action: string,
): Promise<boolean> {
  if (hasRelationship(ctx, child)) return false;
  await breakGlass(ctx, child, action);
  return true;
}
