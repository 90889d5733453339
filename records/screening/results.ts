/** Newborn screening results (`screening_results`): outcomes notified by the screening systems. */
import { select, selectOne, type Db } from '../sql';

export type Programme = 'blood_spot' | 'hearing' | 'nipe';

export interface ScreeningResult {
  id: string;
  programme: string;
  outcome: string;
  recordedOn: string;
  detail: unknown;
}

export function screeningResultsOf(db: Db, childId: string): Promise<ScreeningResult[]> {
  return select<ScreeningResult>(
    db,
    'SELECT id, programme, outcome, recorded_on::text AS recorded_on, detail FROM screening_results WHERE child_id = $1 ORDER BY recorded_on, id',
    [childId],
  );
}

/** The results of these programmes, newest first (the rules read the latest conclusive one). */
export function resultsForProgrammes(
  db: Db,
  childId: string,
  programmes: readonly string[],
): Promise<Array<{ programme: Programme; outcome: string; recordedOn: string }>> {
  return select(
    db,
    `SELECT programme, outcome, recorded_on::text AS recorded_on FROM screening_results
     WHERE child_id = $1 AND programme = ANY($2::text[]) ORDER BY recorded_on DESC, recorded_at DESC, id DESC`,
    [childId, programmes],
  );
}

/** An outcome notified by a screening system (POST /api/events/screening-outcomes). */
export async function recordScreeningOutcome(
  tx: Db,
  childId: string,
  s: { programme: Programme; outcome: string; recordedOn: string; detail: Record<string, unknown> },
): Promise<string> {
  const row = await selectOne<{ id: string }>(
    tx,
    'INSERT INTO screening_results (child_id, programme, outcome, recorded_on, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [childId, s.programme, s.outcome, s.recordedOn, JSON.stringify(s.detail)],
  );
  return row!.id;
}

/** A merge (children/merge.ts): the merged record's screening results move to `into`. */
export async function moveScreeningOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(tx, 'UPDATE screening_results SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return moved.length;
}
