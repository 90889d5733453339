/** Safeguarding concerns (`safeguarding_concerns`) and their notes (`safeguarding_concern_notes`). */
import { select, selectOne, type Db } from '../sql';

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

/** A concern in a list, with the due date of its open decision task (its SLA), when one is open. */
export interface ConcernListItem extends Concern {
  decisionTaskId: string | null;
  decisionDueAt: Date | null;
}

/** Position after the last row of a page in list order (escalated first, newest first). */
export interface ConcernCursor {
  escalated: boolean;
  raisedAt: string;
  id: string;
}

/**
 * Concerns of these localities with these statuses (optionally of one child), escalated
 * first, newest first, a page at a time. The decision task is the child's active task linked
 * to the concern (by concern_id once escalated, else by its concernId input variable).
 */
export async function listConcernsPage(
  db: Db,
  f: {
    localityIds: number[];
    statuses: ConcernStatus[];
    childId: string | null;
    after: ConcernCursor | null;
    limit: number;
  },
): Promise<{ concerns: ConcernListItem[]; next: ConcernCursor | null }> {
  const rows = await select<ConcernListItem & { raisedAtExact: string }>(
    db,
    `SELECT ${COLUMNS}, to_char(k.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS raised_at_exact,
            d.id AS decision_task_id, d.due_at AS decision_due_at
     ${FROM}
     LEFT JOIN LATERAL (
       SELECT t.id, t.due_at FROM human_tasks t
       WHERE t.child_id = k.child_id AND t.status IN ('open', 'claimed') AND (t.concern_id = k.id OR t.input->>'concernId' = k.id::text)
       ORDER BY t.due_at NULLS LAST, t.id LIMIT 1
     ) d ON true
     WHERE c.locality_id = ANY($1::smallint[]) AND k.status = ANY($2::text[]) AND ($3::bigint IS NULL OR k.child_id = $3)
       AND ($4::boolean IS NULL OR ((k.status = 'escalated'), k.raised_at, k.id) < ($4::boolean, $5::timestamptz, $6::bigint))
     ORDER BY (k.status = 'escalated') DESC, k.raised_at DESC, k.id DESC LIMIT $7`,
    [
      f.localityIds,
      f.statuses,
      f.childId,
      f.after?.escalated ?? null,
      f.after?.raisedAt ?? null,
      f.after?.id ?? null,
      f.limit + 1,
    ],
  );
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    concerns: page.map(({ raisedAtExact: _exact, ...c }) => c),
    next:
      rows.length > f.limit && last
        ? { escalated: last.status === 'escalated', raisedAt: last.raisedAtExact, id: last.id }
        : null,
  };
}

/** How many concerns of these localities are in each status (for the lead's dashboard). */
export async function concernCounts(db: Db, localityIds: number[]): Promise<Record<ConcernStatus, number>> {
  const rows = await select<{ status: ConcernStatus; n: number }>(
    db,
    `SELECT k.status, count(*)::int AS n ${FROM}
     WHERE c.locality_id = ANY($1::smallint[]) AND k.status <> 'closed' GROUP BY k.status`,
    [localityIds],
  );
  const counts: Record<ConcernStatus, number> = { open: 0, escalated: 0, monitoring: 0, referred: 0, closed: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
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

/** A merge (children/merge.ts): the merged record's safeguarding concerns (and so their notes) move to `into`. */
export async function moveConcernsOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(
    tx,
    'UPDATE safeguarding_concerns SET child_id = $2 WHERE child_id = $1 RETURNING child_id',
    [from, into],
  );
  return moved.length;
}
