/**
 * The legitimate-relationship rule, applied where a child's record is opened: a member of
 * staff opens the children of their own localities as they are; another locality's child only
 * with a stated reason (break glass), which is audited as its own event and raises an alert
 * for the safeguarding leads of the child's locality, in one transaction. Processes open any
 * child (their audit rows name the process).
 */
import type { Actor, StaffActor } from '../actor';
import { writeAudit } from '../audit';
import { insertBreakGlassAlert } from '../break-glass-alerts';
import { RecordRefusal } from '../errors';
import { inTransaction, type Db } from '../sql';

/** What the rule needs to know about a child. */
export interface ChildRef {
  id: string;
  localityId: number;
  nhsNumber: string;
}

/** Refused: the child is outside the caller's localities and no reason was stated. */
export class ReasonNeeded extends RecordRefusal {
  constructor() {
    super(
      'forbidden',
      'This child is outside your localities: state why you need the record. The access will be audited and the safeguarding leads of the child’s locality alerted.',
    );
  }
}

export function hasRelationship(actor: Actor, child: Pick<ChildRef, 'localityId'>): boolean {
  return actor.kind === 'process' || actor.localityIds.includes(child.localityId);
}

/** Records the stated reason as its own audit event and alerts the leads of the child's locality. */
export async function breakGlass(db: Db, actor: StaffActor, child: ChildRef, forAction: string): Promise<void> {
  if (!actor.accessReason || actor.id === null) throw new ReasonNeeded();
  const reason = actor.accessReason;
  const actorId = actor.id;
  await inTransaction(db, async (tx) => {
    const auditEventId = await writeAudit(tx, actor, {
      action: 'child.break_glass',
      entityType: 'child',
      entityId: child.nhsNumber,
      childId: child.id,
      detail: { for: forAction, childLocalityId: child.localityId },
    });
    await insertBreakGlassAlert(tx, {
      childId: child.id,
      localityId: child.localityId,
      actorId,
      reason,
      action: forAction,
      auditEventId,
    });
  });
}

/**
 * Opens a child for `action`: within the caller's localities as is; outside them only with a
 * stated reason (else ReasonNeeded), which breaks glass. Returns whether it did. The action
 * itself is audited by the operation that opened the child.
 */
export async function openChild(db: Db, actor: Actor, child: ChildRef, action: string): Promise<boolean> {
  if (hasRelationship(actor, child)) return false;
  await breakGlass(db, actor as StaffActor, child, action);
  return true;
}
