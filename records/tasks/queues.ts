/**
 * Work queues read by staff. Tasks carry child data (the child, the NHS number as business key,
 * the process variables), so a page naming children is audited once here, naming them; a child's
 * own queue opens the child under the legitimate-relationship rule and audits `child.tasks`.
 */
import type { StaffActor } from '../actor';
import { writeAudit } from '../audit';
import { hasRelationship } from '../children/access';
import { childSummariesByIds, type ChildSummary } from '../children/child-rows';
import { openChildByNhsNumber, auditChildRead } from '../children/read';
import { forbidden, notFound } from '../errors';
import { findLocalityByCode } from '../localities';
import type { Db } from '../sql';
import { queuePage, type QueueCursor, type QueuePage, type QueueScope, type QueueViewer } from './rows';

/** Which queue, as the API names it. */
export type QueueRequest =
  | { kind: 'mine' | 'unclaimed' | 'overdue' | 'dueToday'; viewer: QueueViewer; now: Date }
  | { kind: 'locality'; localityCode: string }
  | { kind: 'process'; processKey: string; viewer: QueueViewer }
  | { kind: 'child'; nhsNumber: string }
  | { kind: 'escalated' };

async function scopeOf(db: Db, actor: StaffActor, q: QueueRequest): Promise<QueueScope> {
  switch (q.kind) {
    case 'mine':
      return { kind: 'mine', username: q.viewer.username };
    case 'unclaimed':
      return { kind: 'unclaimed', viewer: q.viewer };
    case 'overdue':
    case 'dueToday':
      return { kind: q.kind, viewer: q.viewer, now: q.now };
    case 'locality': {
      const locality = await findLocalityByCode(db, q.localityCode);
      if (!locality) throw notFound(`No locality has code ${q.localityCode}`);
      if (!actor.localityIds.includes(locality.id)) throw forbidden(`${locality.name} is not one of your localities`);
      return { kind: 'locality', localityId: locality.id };
    }
    case 'process':
      return { kind: 'process', processKey: q.processKey, viewer: q.viewer };
    case 'escalated':
      return { kind: 'escalated', localityIds: [...actor.localityIds] };
    case 'child': {
      const { child, brokeGlass } = await openChildByNhsNumber(db, actor, q.nhsNumber, 'child.tasks');
      await auditChildRead(db, actor, 'child.tasks', child, brokeGlass);
      return { kind: 'child', childId: child.id };
    }
  }
}

/**
 * One page of a queue, highest priority then earliest due first, each task with its child's
 * summary when the child is of the caller's localities (a child elsewhere stays behind break
 * glass: opening the task or the record asks for a reason).
 */
export async function readQueue(
  db: Db,
  actor: StaffActor,
  q: QueueRequest,
  limit: number,
  after: QueueCursor | null,
): Promise<QueuePage & { children: Map<string, ChildSummary> }> {
  const scope = await scopeOf(db, actor, q);
  const page = await queuePage(db, scope, limit, after);
  const shown = (
    await childSummariesByIds(db, [
      ...new Set(page.tasks.map((t) => t.childId).filter((id): id is string => id !== null)),
    ])
  ).filter((c) => hasRelationship(actor, c));
  const childIds = page.tasks.map((t) => t.childId).filter((id): id is string => id !== null);
  // A child's own queue is audited as child.tasks when it is opened; other queues name the children they show.
  if (scope.kind !== 'child' && childIds.length > 0) {
    await writeAudit(db, actor, {
      action: 'task.queue',
      entityType: 'task',
      childIds,
      detail: { queue: q.kind, tasks: page.tasks.map((t) => t.id) },
    });
  }
  return { ...page, children: new Map(shown.map((c) => [c.id, c])) };
}
