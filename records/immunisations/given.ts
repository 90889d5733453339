/** Doses given (`immunisation_events`): one row per child, vaccine and dose. */
import { conflict } from '../errors';
import { select, selectOne, type Db } from '../sql';

export interface ImmunisationGiven {
  id: string;
  vaccine: string;
  dose: number;
  givenOn: string;
  givenBy: string | null;
  source: string;
}

export function immunisationsOf(db: Db, childId: string): Promise<ImmunisationGiven[]> {
  return select<ImmunisationGiven>(
    db,
    'SELECT id, vaccine, dose, given_on::text AS given_on, given_by, source FROM immunisation_events WHERE child_id = $1 ORDER BY given_on, vaccine, dose',
    [childId],
  );
}

/** A dose notified by another system (POST /api/events/immunisations); a dose already on record is a conflict. */
export async function recordImmunisationNotified(
  tx: Db,
  childId: string,
  i: { vaccine: string; dose: number; givenOn: string; givenBy: string | null; snomedCode?: string | null },
): Promise<string> {
  const row = await selectOne<{ id: string }>(
    tx,
    `INSERT INTO immunisation_events (child_id, vaccine, dose, given_on, given_by, source, snomed_code)
     VALUES ($1, $2, $3, $4, $5, 'notification', $6)
     ON CONFLICT (child_id, vaccine, dose) DO NOTHING RETURNING id`,
    [childId, i.vaccine, i.dose, i.givenOn, i.givenBy, i.snomedCode ?? null],
  );
  if (row) return row.id;
  const had = await selectOne<{ givenOn: string }>(
    tx,
    'SELECT given_on::text AS given_on FROM immunisation_events WHERE child_id = $1 AND vaccine = $2 AND dose = $3',
    [childId, i.vaccine, i.dose],
  );
  throw conflict(
    `Dose ${i.dose} of ${i.vaccine} is already on the record (given on ${had?.givenOn ?? 'an earlier date'})`,
  );
}

/** The same dose recorded on both records of one child on different dates: a merge must be told which is right. */
export interface DoseDateConflict {
  vaccine: string;
  dose: number;
  mergedGivenOn: string;
  survivingGivenOn: string;
}

export function doseDateConflicts(db: Db, from: string, into: string): Promise<DoseDateConflict[]> {
  return select<DoseDateConflict>(
    db,
    `SELECT f.vaccine, f.dose, f.given_on::text AS merged_given_on, i.given_on::text AS surviving_given_on
     FROM immunisation_events f JOIN immunisation_events i ON i.child_id = $2 AND i.vaccine = f.vaccine AND i.dose = f.dose
     WHERE f.child_id = $1 AND f.given_on <> i.given_on ORDER BY f.vaccine, f.dose`,
    [from, into],
  );
}

/**
 * A merge (children/merge.ts): the merged record's doses move to `into`. Of a dose on both, the
 * surviving record's row stays unless `keepMerged` names it (a conflict resolved for the merged
 * record's date); the row not kept is removed and returned, to be kept in the merge record.
 */
export async function moveImmunisationsOnMerge(
  tx: Db,
  from: string,
  into: string,
  keepMerged: ReadonlyArray<{ vaccine: string; dose: number }>,
): Promise<{ moved: number; setAside: unknown[] }> {
  const keep = JSON.stringify(keepMerged);
  const replaced = await select<{ row: unknown }>(
    tx,
    `DELETE FROM immunisation_events i USING jsonb_to_recordset($3::jsonb) k(vaccine text, dose int)
     WHERE i.child_id = $2 AND i.vaccine = k.vaccine AND i.dose = k.dose
       AND EXISTS (SELECT 1 FROM immunisation_events f WHERE f.child_id = $1 AND f.vaccine = i.vaccine AND f.dose = i.dose)
     RETURNING to_jsonb(i) AS row`,
    [from, into, keep],
  );
  const dropped = await select<{ row: unknown }>(
    tx,
    `DELETE FROM immunisation_events f WHERE f.child_id = $1
       AND EXISTS (SELECT 1 FROM immunisation_events i WHERE i.child_id = $2 AND i.vaccine = f.vaccine AND i.dose = f.dose)
     RETURNING to_jsonb(f) AS row`,
    [from, into],
  );
  const moved = await select(tx, 'UPDATE immunisation_events SET child_id = $2 WHERE child_id = $1 RETURNING id', [
    from,
    into,
  ]);
  return { moved: moved.length, setAside: [...replaced, ...dropped].map((r) => r.row) };
}
