/**
 * Safeguarding concerns worked by staff through the API: list, read, raise, note, escalate,
 * close. Each opens the child under the legitimate-relationship rule and is audited here.
 */
import type { StaffActor } from '../actor';
import { writeAudit } from '../audit';
import { openChild } from '../children/access';
import { setSafeguardingAlert } from '../children/changes';
import {
  childIdOfNhsNumberOrSuperseded,
  childRowById,
  childSummariesByIds,
  type ChildDetails,
  type ChildSummary,
} from '../children/child-rows';
import { openChildByNhsNumber } from '../children/read';
import { conflict, notFound } from '../errors';
import { inTransaction, selectOne, type Db } from '../sql';
import { tasksForConcern, type HumanTask } from '../tasks/rows';
import { raiseConcern } from './raise';
import {
  addConcernNote,
  concernById,
  concernNotes,
  listConcernsPage,
  openConcernCount,
  type Concern,
  type ConcernCursor,
  type ConcernListItem,
  type ConcernNote,
  type ConcernStatus,
} from './rows';

export interface ConcernWithNotes {
  concern: Concern;
  notes: ConcernNote[];
}

/**
 * The concerns of the caller's localities (optionally of one child), escalated first, newest
 * first, a page at a time, each with its child's summary and the due date of its open decision
 * task; one audit row naming the children.
 */
export async function listConcerns(
  db: Db,
  actor: StaffActor,
  f: { statuses: ConcernStatus[]; nhsNumber: string | null; after: ConcernCursor | null; limit: number },
): Promise<{ concerns: Array<ConcernListItem & { child: ChildSummary | null }>; next: ConcernCursor | null }> {
  const childId = f.nhsNumber ? await childIdOfNhsNumberOrSuperseded(db, f.nhsNumber) : null;
  if (f.nhsNumber && !childId) return { concerns: [], next: null };
  const page = await listConcernsPage(db, {
    localityIds: [...actor.localityIds],
    statuses: f.statuses,
    childId,
    after: f.after,
    limit: f.limit,
  });
  const children = new Map(
    (await childSummariesByIds(db, [...new Set(page.concerns.map((c) => c.childId))])).map((c) => [c.id, c]),
  );
  await writeAudit(db, actor, {
    action: 'concern.list',
    entityType: 'safeguarding_concern',
    childIds: page.concerns.map((c) => c.childId),
    detail: { statuses: f.statuses, concerns: page.concerns.map((c) => c.id) },
  });
  return { concerns: page.concerns.map((c) => ({ ...c, child: children.get(c.childId) ?? null })), next: page.next };
}

/** A concern and its child, opened under the legitimate-relationship rule. */
async function openConcern(db: Db, actor: StaffActor, id: string, action: string): Promise<Concern> {
  const concern = await concernById(db, id);
  if (!concern) throw notFound(`No safeguarding concern has id ${id}`);
  await openChild(
    db,
    actor,
    { id: concern.childId, localityId: concern.localityId, nhsNumber: concern.nhsNumber },
    action,
  );
  return concern;
}

function auditConcern(db: Db, actor: StaffActor, action: string, c: Concern, detail: Record<string, unknown> = {}) {
  return writeAudit(db, actor, {
    action,
    entityType: 'safeguarding_concern',
    entityId: c.id,
    childId: c.childId,
    detail,
  });
}

async function withNotes(db: Db, id: string): Promise<ConcernWithNotes> {
  const [concern, notes] = await Promise.all([concernById(db, id), concernNotes(db, id)]);
  return { concern: concern!, notes };
}

/** The concern with its notes and the child's tasks (those grouped under it first). */
export async function readConcern(
  db: Db,
  actor: StaffActor,
  id: string,
): Promise<ConcernWithNotes & { tasks: HumanTask[]; child: ChildDetails | null }> {
  const concern = await openConcern(db, actor, id, 'concern.read');
  const [notes, tasks] = await Promise.all([
    concernNotes(db, concern.id),
    tasksForConcern(db, concern.id, concern.childId),
  ]);
  await auditConcern(db, actor, 'concern.read', concern);
  return { concern, notes, tasks, child: await childRowById(db, concern.childId) };
}

/**
 * Raised by a member of staff about the child with this NHS number: the note 'raised', and
 * the child's alert becomes 'concern' if it was 'none'.
 */
export async function raiseConcernAbout(
  db: Db,
  actor: StaffActor,
  nhsNumber: string,
  summary: string,
): Promise<ConcernWithNotes & { escalation: string }> {
  const { child } = await openChildByNhsNumber(db, actor, nhsNumber, 'concern.raise');
  const raised = await raiseConcern(db, actor, {
    childId: child.id,
    summary,
    severity: 'medium',
    source: 'caseworker',
    escalateFrom: { processInstanceId: '' },
  });
  return { ...(await withNotes(db, raised.concernId)), escalation: raised.escalation! };
}

export async function addNoteToConcern(db: Db, actor: StaffActor, id: string, text: string): Promise<ConcernWithNotes> {
  const concern = await openConcern(db, actor, id, 'concern.note');
  if (concern.status === 'closed') throw conflict('The concern is closed');
  await inTransaction(db, async (tx) => {
    const noteId = await addConcernNote(tx, concern.id, 'note', text, actor.id!);
    await auditConcern(tx, actor, 'concern.note', concern, { noteId });
  });
  return withNotes(db, concern.id);
}

const changedSince = (concern: Concern, closedMessage: string) =>
  conflict(concern.status === 'closed' ? closedMessage : 'The concern changed since you read it: reload it');

/** Escalated by a member of staff, with the reason as an escalation note. */
export async function escalateConcernByStaff(
  db: Db,
  actor: StaffActor,
  id: string,
  reason: string,
  expectedVersion: number | undefined,
): Promise<ConcernWithNotes> {
  const concern = await openConcern(db, actor, id, 'concern.escalate');
  const done = await inTransaction(db, async (tx) => {
    const updated = await selectOne(
      tx,
      `UPDATE safeguarding_concerns SET status = 'escalated', escalated_by = $2, escalated_at = now(), row_version = row_version + 1
       WHERE id = $1 AND status <> 'closed' AND ($3::integer IS NULL OR row_version = $3) RETURNING id`,
      [concern.id, actor.id, expectedVersion ?? null],
    );
    if (!updated) return false;
    await addConcernNote(tx, concern.id, 'escalation', reason, actor.id!);
    await auditConcern(tx, actor, 'concern.escalate', concern, { escalationReason: reason });
    return true;
  });
  if (!done) throw changedSince(concern, 'The concern is closed');
  return withNotes(db, concern.id);
}

/** Closed with an outcome; the child's alert returns to 'none' when it was 'concern' and no other concern is open. */
export async function closeConcernByStaff(
  db: Db,
  actor: StaffActor,
  id: string,
  close: { outcome: string; note: string; expectedVersion?: number },
): Promise<ConcernWithNotes> {
  const concern = await openConcern(db, actor, id, 'concern.close');
  const done = await inTransaction(db, async (tx) => {
    const updated = await selectOne(
      tx,
      `UPDATE safeguarding_concerns SET status = 'closed', outcome = $3, closed_by = $2, closed_at = now(), row_version = row_version + 1
       WHERE id = $1 AND status <> 'closed' AND ($4::integer IS NULL OR row_version = $4) RETURNING id`,
      [concern.id, actor.id, close.outcome, close.expectedVersion ?? null],
    );
    if (!updated) return false;
    await addConcernNote(tx, concern.id, 'closure', close.note, actor.id!);
    const child = (await childRowById(tx, concern.childId))!;
    const othersOpen = (await openConcernCount(tx, child.id)) > 0;
    if (child.safeguardingAlert === 'concern' && !othersOpen) await setSafeguardingAlert(tx, child.id, 'none');
    await auditConcern(tx, actor, 'concern.close', concern, { outcome: close.outcome });
    return true;
  });
  if (!done) throw changedSince(concern, 'The concern is already closed');
  return withNotes(db, concern.id);
}
