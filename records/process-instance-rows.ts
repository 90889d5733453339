/**
 * The engine's mirror of process instances (`process_instances`) as the API lists and starts
 * them; the workflow's own status updates go through process-instances.ts.
 */
import { select, selectOne, type Db } from './sql';
import { INSTANCE_CHILD_JOIN } from './instance-child';

/** Position after the last row of a page: started_at in microseconds since the epoch, as text (exact), and the id. */
export interface InstanceCursor {
  startedUs: string;
  id: string;
}

/** A process_instances mirror row with its definition and, when the business key names one, its child. */
export interface InstanceRow {
  id: string;
  definitionId: number;
  key: string;
  version: number;
  definitionName: string | null;
  businessKey: string | null;
  status: string;
  /** Username of whoever started it (null: started by a message, a timer or another process). */
  startedBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  updatedAt: Date;
  /** started_at in microseconds, exact, for the keyset cursor. */
  startedUs: string;
  childId: string | null;
  childLocalityId: number | null;
}

const FROM = `
  FROM process_instances i
  JOIN process_definitions d ON d.id = i.definition_id
  LEFT JOIN staff_users s ON s.id = i.started_by
  ${INSTANCE_CHILD_JOIN}`;

const COLUMNS = `i.id, i.definition_id, d.key, d.version, d.name AS definition_name, i.business_key, i.status,
  s.username AS started_by, i.started_at, i.ended_at, i.updated_at,
  (extract(epoch FROM i.started_at) * 1000000)::bigint::text AS started_us,
  c.id AS child_id, c.locality_id AS child_locality_id`;

export function findInstance(db: Db, id: string): Promise<InstanceRow | null> {
  return selectOne<InstanceRow>(db, `SELECT ${COLUMNS} ${FROM} WHERE i.id = $1`, [id]);
}

export interface InstanceFilter {
  key?: string;
  version?: number;
  status?: string;
  businessKey?: string;
  /** Started on or after / on or before these days (YYYY-MM-DD, UK time). */
  startedFrom?: string;
  startedTo?: string;
  hasIncident?: boolean;
  /** Rows about a child only within these localities; null = every locality (a stated reason). */
  localityIds: number[] | null;
}

/** One page, newest first, by (started_at, id); limit + 1 rows are read to know whether more follow. */
export async function listInstances(
  db: Db,
  f: InstanceFilter,
  limit: number,
  after: InstanceCursor | null,
): Promise<{ rows: InstanceRow[]; more: boolean }> {
  const rows = await select<InstanceRow>(
    db,
    `SELECT ${COLUMNS} ${FROM}
     WHERE ($1::text IS NULL OR d.key = $1)
       AND ($2::text IS NULL OR i.status = $2)
       AND ($3::text IS NULL OR i.business_key = $3)
       AND ($4::int[] IS NULL OR c.id IS NULL OR c.locality_id = ANY($4::int[]))
       AND ($5::bigint IS NULL OR (i.started_at, i.id) < (timestamptz 'epoch' + $5::bigint * interval '1 microsecond', $6::text))
       AND ($8::int IS NULL OR d.version = $8)
       AND ($9::date IS NULL OR i.started_at >= ($9::date::timestamp AT TIME ZONE 'Europe/London'))
       AND ($10::date IS NULL OR i.started_at < (($10::date + 1)::timestamp AT TIME ZONE 'Europe/London'))
       AND ($11::boolean IS NULL OR (i.status = 'incident') = $11)
     ORDER BY i.started_at DESC, i.id DESC
     LIMIT $7`,
    [
      f.key ?? null,
      f.status ?? null,
      f.businessKey ?? null,
      f.localityIds,
      after?.startedUs ?? null,
      after?.id ?? null,
      limit + 1,
      f.version ?? null,
      f.startedFrom ?? null,
      f.startedTo ?? null,
      f.hasIncident ?? null,
    ],
  );
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

/**
 * The mirror row of an instance the API starts, written with its audit event before the
 * workflow starts (same transaction), so a listing right after the start shows it; the
 * workflow's own status updates (activities/engine/process-instances.ts) then move it on.
 */
export async function insertStartedInstance(
  db: Db,
  r: { id: string; definitionId: number; businessKey: string | null; startedBy: number; startedAt: Date },
): Promise<void> {
  await select(
    db,
    `INSERT INTO process_instances (id, definition_id, business_key, status, started_by, started_at, updated_at)
     VALUES ($1, $2, $3, 'running', $4, $5, now()) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [r.id, r.definitionId, r.businessKey, r.startedBy, r.startedAt],
  );
}
