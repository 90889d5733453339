/**
 * The legitimate-relationship rule for routes whose records operations do not open the child
 * themselves yet (process instances, messages). The rule lives in records/children/access.ts.
 */
import {
  breakGlass as breakGlassAs,
  hasRelationship as actorHasRelationship,
  openChild,
  type ChildRef,
} from '../../records/children/access';
import { actorOf } from '../audit/audit-builder';
import type { RequestContext } from '../request-context';

export function hasRelationship(ctx: RequestContext, child: Pick<ChildRef, 'localityId'>): boolean {
  return actorHasRelationship(actorOf(ctx), child);
}

export function breakGlass(ctx: RequestContext, child: ChildRef, action: string): Promise<void> {
  return breakGlassAs(ctx.deps.db, actorOf(ctx), child, action);
}

export function openChildById(ctx: RequestContext, child: ChildRef, action: string): Promise<boolean> {
  return openChild(ctx.deps.db, actorOf(ctx), child, action);
}
