import { childRowByNhsNumberOrSuperseded, type ChildDetails } from '../../records/children/child-rows';
import { ApiError } from '../api-error';
import { openChildById } from '../access/child-access';
import type { RequestContext } from '../request-context';
import { findInstance, type InstanceRow } from '../../records/process-instance-rows';

/** The child a business key names (its NHS number), if there is one. */
export async function childOfKey(
  ctx: RequestContext,
  businessKey: string | null | undefined,
): Promise<ChildDetails | null> {
  if (!businessKey || !/^\d{10}$/.test(businessKey)) return null;
  // A key PDS superseded since leads to the child's current record (merged or not).
  return childRowByNhsNumberOrSuperseded(ctx.deps.db, businessKey);
}

/**
 * Opens an instance for `action`. An instance whose business key is a child's NHS number is part
 * of that child's record: the legitimate-relationship rule applies as for the children routes,
 * for every role (outside the caller's localities only with X-Access-Reason: audited, alerted).
 */
export async function openInstance(
  ctx: RequestContext,
  id: string,
  action: string,
): Promise<{ instance: InstanceRow; brokeGlass: boolean }> {
  const instance = await findInstance(ctx.deps.db, id);
  if (!instance) throw ApiError.notFound(`No process instance has id ${id}`);
  const brokeGlass =
    instance.childId !== null && instance.childLocalityId !== null
      ? await openChildById(
          ctx,
          { id: instance.childId, localityId: instance.childLocalityId, nhsNumber: instance.businessKey! },
          action,
        )
      : false;
  return { instance, brokeGlass };
}

/** Signals and updates reach only a live instance. */
export function mustBeActive(instance: InstanceRow): void {
  if (instance.status !== 'running' && instance.status !== 'incident') {
    throw ApiError.conflict(`The process instance is ${instance.status}`);
  }
}
