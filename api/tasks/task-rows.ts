/**
 * Task rows for lists with their child's summary (name, NHS number, date of birth, alert),
 * without one audited read per row: the children of a page are read in one query and the
 * list read is audited once, naming them. A child outside the caller's localities is not
 * shown (null); opening it stays a break-glass read of the record.
 */
import { childSummariesByIds } from '../../db/repositories/children';
import type { HumanTask } from '../../db/repositories/tasks';
import { hasRelationship } from '../access/child-access';
import { audit } from '../audit/audit-builder';
import type { RequestContext } from '../request-context';
import { childSummaryView } from '../routes/child-views';
import { taskView } from './task-view';

export async function taskRowsWithChildren(ctx: RequestContext, tasks: readonly HumanTask[], list: string) {
  const ids = [...new Set(tasks.map((t) => t.childId).filter((id): id is string => id !== null))];
  const children = (await childSummariesByIds(ctx.deps.db, ids)).filter((c) => hasRelationship(ctx, c));
  const byId = new Map(children.map((c) => [c.id, c]));
  if (children.length > 0) {
    await audit(ctx.deps.db, ctx, {
      action: 'child.list',
      entityType: 'child',
      detail: { list, children: children.map((c) => c.nhsNumber) },
    });
  }
  return tasks.map((t) => {
    const child = t.childId ? byId.get(t.childId) : undefined;
    return { ...taskView(t), child: child ? childSummaryView(child) : null };
  });
}
