import { select, selectOne, type Db } from './sql';

export type ConcernStatus = 'open' | 'escalated' | 'monitoring' | 'referred' | 'closed';

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

export async function raiseConcern(db: Db, childId: string, summary: string, staffId: number): Promise<Concern> {
  const row = await selectOne<{ id: string }>(
    db,
    'INSERT INTO safeguarding_concerns (child_id, summary, raised_by) VALUES ($1, $2, $3) RETURNING id',
    [childId, summary, staffId],
  );
  await addConcernNote(db, row!.id, 'raised', summary, staffId);
  return (await findConcern(db, row!.id))!;
}

export function findConcern(db: Db, id: string): Promise<Concern | null> {
  return selectOne<Concern>(db, `SELECT ${COLUMNS} ${FROM} WHERE k.id = $1`, [id]);
}

export function listConcerns(
  db: Db,
  localityIds: number[],
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

/** Null when the concern is already closed (or was changed since `expectedVersion`). */
export function escalateConcern(
  db: Db,
  id: string,
  staffId: number,
  expectedVersion?: number,
): Promise<{ id: string } | null> {
  return selectOne(
    db,
    `UPDATE safeguarding_concerns SET status = 'escalated', escalated_by = $2, escalated_at = now(), row_version = row_version + 1
     WHERE id = $1 AND status <> 'closed' AND ($3::integer IS NULL OR row_version = $3) RETURNING id`,
    [id, staffId, expectedVersion ?? null],
  );
}

export function closeConcern(
  db: Db,
  id: string,
  staffId: number,
  outcome: string,
  expectedVersion?: number,
): Promise<{ id: string } | null> {
  return selectOne(
    db,
    `UPDATE safeguarding_concerns SET status = 'closed', outcome = $3, closed_by = $2, closed_at = now(), row_version = row_version + 1
     WHERE id = $1 AND status <> 'closed' AND ($4::integer IS NULL OR row_version = $4) RETURNING id`,
    [id, staffId, outcome, expectedVersion ?? null],
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
