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
