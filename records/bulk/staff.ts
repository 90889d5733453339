/** Bulk loading of teams and demo staff accounts (db/seed/staff.ts decides which): not audited. */
import type { Client } from 'pg';

export interface TeamRow {
  code: string;
  name: string;
  kind: string;
  localityId: number | null;
}

export interface StaffRow {
  username: string;
  displayName: string;
  role: string;
  /** A locality code, or 'region' for every locality. */
  locality: string;
  team: string | null;
}

/** Inserts the teams not there yet (by code); returns how many were new. */
export async function insertTeamsBulk(client: Client, teams: readonly TeamRow[]): Promise<number> {
  const result = await client.query(
    `INSERT INTO teams (code, name, kind, locality_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[])
     ON CONFLICT (code) DO NOTHING`,
    [teams.map((t) => t.code), teams.map((t) => t.name), teams.map((t) => t.kind), teams.map((t) => t.localityId)],
  );
  return result.rowCount ?? 0;
}

/** Staff ids of the usernames that exist, by username. */
export async function staffIdsByUsername(
  client: Client,
  usernames: readonly string[],
): Promise<{ id: number; username: string }[]> {
  const { rows } = await client.query<{ id: number; username: string }>(
    'SELECT id, username FROM staff_users WHERE username = ANY($1::text[]) ORDER BY username',
    [usernames],
  );
  return rows;
}

/** Inserts the accounts not there yet (by username), all with one password hash; returns how many were new. */
export async function insertStaffBulk(
  client: Client,
  staff: readonly StaffRow[],
  passwordHash: string,
): Promise<number> {
  const result = await client.query(
    `INSERT INTO staff_users (username, display_name, email, password_hash, role)
     SELECT u, d, u || '@chis.example.nhs.uk', $4, r FROM unnest($1::text[], $2::text[], $3::text[]) AS x(u, d, r)
     ON CONFLICT (username) DO NOTHING`,
    [staff.map((l) => l.username), staff.map((l) => l.displayName), staff.map((l) => l.role), passwordHash],
  );
  return result.rowCount ?? 0;
}

/** Memberships: locality accounts in their locality, regional accounts in every locality; each in its team. */
export async function linkStaffBulk(client: Client, staff: readonly StaffRow[]): Promise<void> {
  await client.query(
    `INSERT INTO staff_localities (staff_id, locality_id)
     SELECT s.id, l.id FROM unnest($1::text[], $2::text[]) AS x(username, locality)
       JOIN staff_users s ON s.username = x.username
       JOIN localities l ON l.code = x.locality OR x.locality = 'region'
     ON CONFLICT DO NOTHING`,
    [staff.map((l) => l.username), staff.map((l) => l.locality)],
  );
  await client.query(
    `INSERT INTO staff_teams (staff_id, team_id)
     SELECT s.id, t.id FROM unnest($1::text[], $2::text[]) AS x(username, team)
       JOIN staff_users s ON s.username = x.username
       JOIN teams t ON t.code = x.team
     ON CONFLICT DO NOTHING`,
    [staff.map((l) => l.username), staff.map((l) => l.team)],
  );
}
