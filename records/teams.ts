import { select, type Db } from './sql';

export interface TeamRow {
  code: string;
  name: string;
  kind: string;
  /** Locality code, or null for a regional team. */
  locality: string | null;
  /** The code without its locality (`health-visiting` of `birmingham-health-visiting`); null for a regional team. */
  suffix: string | null;
}

/** Every team, by locality then name: the candidate groups a user task may name. */
export function listTeams(db: Db): Promise<TeamRow[]> {
  return select<TeamRow>(
    db,
    `SELECT t.code, t.name, t.kind, l.code AS locality,
            CASE WHEN l.code IS NOT NULL AND t.code LIKE l.code || '-%' THEN substr(t.code, length(l.code) + 2) END AS suffix
       FROM teams t LEFT JOIN localities l ON l.id = t.locality_id
      ORDER BY l.name NULLS LAST, t.name`,
  );
}

/** The teams among some candidate groups (a group may also be a role name, which is no team), by name. */
export function teamsNamed(db: Db, codes: readonly string[]): Promise<{ code: string; name: string }[]> {
  if (codes.length === 0) return Promise.resolve([]);
  return select<{ code: string; name: string }>(
    db,
    'SELECT code, name FROM teams WHERE code = ANY($1::text[]) ORDER BY name',
    [codes],
  );
}
