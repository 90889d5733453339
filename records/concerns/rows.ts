/** Safeguarding concerns (`safeguarding_concerns`) and their notes (`safeguarding_concern_notes`). */
import { select, selectOne, type Db } from '../sql';
import { timelineAt, type TimelineEvent } from '../timeline';

export type ConcernStatus = 'open' | 'escalated' | 'monitoring' | 'referred' | 'closed';
export type Severity = 'low' | 'medium' | 'high';

export interface Concern {
  id: string;
  childId: string;
  nhsNumber: string;
  localityId: number;
  status: ConcernStatus;
  summary: string;
  raisedBy: number | null;
  raisedAt: Date;
  escalatedBy: number | null;
  escalatedAt: Date | null;
  outcome: string | null;
  closedBy: number | null;
  closedAt: Date | null;
  rowVersion: number;
}

export interface ConcernNote {
  id: string;
  kind: 'raised' | 'note' | 'escalation' | 'closure';
  body: string;
  authorId: number;
  authorUsername: string;
  createdAt: Date;
}

const COLUMNS = `k.id, k.child_id, c.nhs_number, c.locality_id, k.status, k.summary, k.raised_by, k.raised_at, k.escalated_by,
  k.escalated_at, k.outcome, k.closed_by, k.closed_at, k.row_version`;
const FROM = 'FROM safeguarding_concerns k JOIN children c ON c.id = k.child_id';

export function concernById(db: Db, id: string): Promise<Concern | null> {
  return selectOne<Concern>(db, `SELECT ${COLUMNS} ${FROM} WHERE k.id = $1`, [id]);
}

export function concernsInLocalities(
  db: Db,
  localityIds: readonly number[],
  statuses: ConcernStatus[],
  limit: number,
): Promise<Concern[]> {
  return select<Concern>(
    db,
    `SELECT ${COLUMNS} ${FROM} WHERE c.locality_id = ANY($1::smallint[]) AND k.status = ANY($2::text[])
     ORDER BY (k.status = 'escalated') DESC, k.raised_at DESC, k.id DESC LIMIT $3`,
    [localityIds, statuses, limit],
  );
}

/** A child's concerns as part of the record, newest first. */
export function concernsOf(
  db: Db,
  childId: string,
): Promise<
  Array<{ id: string; status: string; summary: string; raisedAt: Date; outcome: string | null; closedAt: Date | null }>
> {
  return select(
    db,
    'SELECT id, status, summary, raised_at, outcome, closed_at FROM safeguarding_concerns WHERE child_id = $1 ORDER BY raised_at DESC, id DESC',
    [childId],
  );
}

/** Concerns raised, and the notes after the raising, on the child's timeline. */
export function concernTimeline(db: Db, childId: string): Promise<TimelineEvent[]> {
  return select<TimelineEvent>(
    db,
    `SELECT ${timelineAt('raised_at')}, 'concern_raised' AS kind, summary, 'concern:' || id AS ref, 2 AS "order"
       FROM safeguarding_concerns WHERE child_id = $1
     UNION ALL SELECT ${timelineAt('n.created_at')}, 'concern_' || n.kind, left(n.body, 200), 'concern:' || n.concern_id, 3
       FROM safeguarding_concern_notes n JOIN safeguarding_concerns c ON c.id = n.concern_id WHERE c.child_id = $1 AND n.kind <> 'raised'`,
    [childId],
  );
}

export async function addConcernNote(
  db: Db,
  concernId: string,
  kind: ConcernNote['kind'],
  body: string,
  staffId: number,
): Promise<string> {
  const row = await selectOne<{ id: string }>(
    db,
    'INSERT INTO safeguarding_concern_notes (concern_id, kind, body, author_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [concernId, kind, body, staffId],
  );
  return row!.id;
}

export function concernNotes(db: Db, concernId: string): Promise<ConcernNote[]> {
  return select<ConcernNote>(
    db,
    `SELECT n.id, n.kind, n.body, n.author_id, s.username AS author_username, n.created_at
     FROM safeguarding_concern_notes n JOIN staff_users s ON s.id = n.author_id WHERE n.concern_id = $1 ORDER BY n.created_at, n.id`,
    [concernId],
  );
}

export async function openConcernCount(db: Db, childId: string): Promise<number> {
  const rows = await select<{ n: string }>(
    db,
    "SELECT count(*) AS n FROM safeguarding_concerns WHERE child_id = $1 AND status <> 'closed'",
    [childId],
  );
  return Number(rows[0].n);
}
