import { select, selectOne, type Db } from './sql';

// `integration`: accounts of other systems sending inbound events (maternity, PDS notifications, CP-IS).
export const ROLES = ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator', 'integration'] as const;
export type Role = (typeof ROLES)[number];

export const TEAM_KINDS = ['records', 'health_visiting', 'immunisation', 'safeguarding', 'management'] as const;
export type TeamKind = (typeof TEAM_KINDS)[number];

/** A signed-in member of staff as the API sees them: role, localities (own and via teams), team codes. */
export interface StaffPrincipal {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  localityIds: number[];
  teamCodes: string[];
}

export interface NewStaff {
  username: string;
  displayName: string;
  email?: string;
  role: Role;
  passwordHash?: string | null;
  localityIds?: number[];
  teamCodes?: string[];
}

// Localities come from staff_localities and from the staff member's teams.
const PRINCIPAL_COLUMNS = `
  s.id, s.username, s.display_name, s.email, s.role,
  COALESCE((SELECT array_agg(DISTINCT x.l ORDER BY x.l) FROM (
      SELECT sl.locality_id AS l FROM staff_localities sl WHERE sl.staff_id = s.id
      UNION SELECT t.locality_id FROM staff_teams st JOIN teams t ON t.id = st.team_id
            WHERE st.staff_id = s.id AND t.locality_id IS NOT NULL) x), '{}') AS locality_ids,
  COALESCE((SELECT array_agg(t.code ORDER BY t.code) FROM staff_teams st JOIN teams t ON t.id = st.team_id
            WHERE st.staff_id = s.id), '{}') AS team_codes`;

export function principalColumns(): string {
  return PRINCIPAL_COLUMNS;
}

export async function createTeam(
  db: Db,
  team: { code: string; name: string; kind: TeamKind; localityId: number | null },
): Promise<number> {
  const row = await selectOne<{ id: number }>(
    db,
    'INSERT INTO teams (code, name, kind, locality_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [team.code, team.name, team.kind, team.localityId],
  );
  return row!.id;
}

/** Creates a staff user with their localities and team memberships (teams by code). */
export async function createStaff(db: Db, staff: NewStaff): Promise<StaffPrincipal> {
  const row = await selectOne<{ id: number }>(
    db,
    `INSERT INTO staff_users (username, display_name, email, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [staff.username, staff.displayName, staff.email ?? null, staff.passwordHash ?? null, staff.role],
  );
  const id = row!.id;
  if (staff.localityIds?.length) {
    await select(
      db,
      'INSERT INTO staff_localities (staff_id, locality_id) SELECT $1, unnest($2::smallint[]) RETURNING staff_id',
      [id, staff.localityIds],
    );
  }
  if (staff.teamCodes?.length) {
    const added = await select(
      db,
      'INSERT INTO staff_teams (staff_id, team_id) SELECT $1, id FROM teams WHERE code = ANY($2::text[]) RETURNING team_id',
      [id, staff.teamCodes],
    );
    if (added.length !== new Set(staff.teamCodes).size)
      throw new Error(`unknown team code among ${staff.teamCodes.join(', ')}`);
  }
  return (await findPrincipalById(db, id))!;
}

export function findPrincipalById(db: Db, id: number): Promise<StaffPrincipal | null> {
  return selectOne<StaffPrincipal>(db, `SELECT ${PRINCIPAL_COLUMNS} FROM staff_users s WHERE s.id = $1 AND s.active`, [
    id,
  ]);
}

export function findActivePrincipalByUsername(db: Db, username: string): Promise<StaffPrincipal | null> {
  return selectOne<StaffPrincipal>(
    db,
    `SELECT ${PRINCIPAL_COLUMNS} FROM staff_users s WHERE s.username = $1 AND s.active`,
    [username],
  );
}

/** What a password sign-in needs; null when there is no such active account. */
export function findLoginAccount(
  db: Db,
  username: string,
): Promise<{ id: number; passwordHash: string | null } | null> {
  return selectOne(db, 'SELECT id, password_hash FROM staff_users WHERE username = $1 AND active', [username]);
}

/** An OpenID Connect subject is matched to staff by username or email. */
export function findActivePrincipalByLogin(
  db: Db,
  subject: string,
  email: string | null,
): Promise<StaffPrincipal | null> {
  return selectOne<StaffPrincipal>(
    db,
    `SELECT ${PRINCIPAL_COLUMNS} FROM staff_users s
     WHERE s.active AND (s.username = lower($1) OR ($2::text IS NOT NULL AND lower(s.email) = lower($2)))
     ORDER BY (s.username = lower($1)) DESC LIMIT 1`,
    [subject, email],
  );
}

export async function deactivateStaff(db: Db, id: number): Promise<void> {
  await select(db, 'UPDATE staff_users SET active = false WHERE id = $1 RETURNING id', [id]);
}

/** Replaces a password hash (made again with the current parameters at a successful sign-in). */
export async function replacePasswordHash(db: Db, id: number, passwordHash: string): Promise<void> {
  await select(db, 'UPDATE staff_users SET password_hash = $2 WHERE id = $1 RETURNING id', [id, passwordHash]);
}

/** Usernames by staff id, in one query. */
export async function usernamesByStaffId(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await select<{ id: number; username: string }>(
    db,
    'SELECT id, username FROM staff_users WHERE id = ANY($1::int[])',
    [unique],
  );
  return new Map(rows.map((r) => [r.id, r.username]));
}

/** A member of staff a task may be given to, with how many tasks they hold now. */
export interface StaffChoice {
  username: string;
  displayName: string;
  role: Role;
  teamCodes: string[];
  claimedTasks: number;
}

/**
 * Caseworkers and leads who may work a task: those with a legitimate relationship to it (the
 * same rule as api/tasks/task-access.ts hasTaskRelationship): the child's or the task's
 * locality is one of theirs (own or through a team), a candidate team is theirs, or they are
 * named as a candidate.
 */
export function staffWhoMayWork(
  db: Db,
  task: { localityId: number | null; candidateGroups: string[]; candidateUsers: string[] },
  childLocalityId: number | null,
): Promise<StaffChoice[]> {
  return select<StaffChoice>(
    db,
    `SELECT s.username, s.display_name, s.role,
       COALESCE((SELECT array_agg(t.code ORDER BY t.code) FROM staff_teams st JOIN teams t ON t.id = st.team_id WHERE st.staff_id = s.id), '{}') AS team_codes,
       (SELECT count(*)::int FROM human_tasks h WHERE h.assignee = s.username AND h.status = 'claimed') AS claimed_tasks
     FROM staff_users s
     WHERE s.active AND s.role IN ('caseworker', 'safeguarding_lead')
       AND (EXISTS (SELECT 1 FROM staff_localities sl WHERE sl.staff_id = s.id AND sl.locality_id IN ($1, $2))
         OR EXISTS (SELECT 1 FROM staff_teams st JOIN teams t ON t.id = st.team_id
                    WHERE st.staff_id = s.id AND (t.locality_id IN ($1, $2) OR t.code = ANY($3::text[])))
         OR s.username = ANY($4::text[]))
     ORDER BY s.display_name, s.username LIMIT 500`,
    [task.localityId, childLocalityId, task.candidateGroups, task.candidateUsers],
  );
}

/** Whether the member of staff is in a team of this kind (e.g. a child health records team). */
export async function staffInTeamOfKind(db: Db, staffId: number, kind: TeamKind): Promise<boolean> {
  const row = await selectOne<{ found: boolean }>(
    db,
    'SELECT EXISTS (SELECT 1 FROM staff_teams st JOIN teams t ON t.id = st.team_id WHERE st.staff_id = $1 AND t.kind = $2) AS found',
    [staffId, kind],
  );
  return row?.found ?? false;
}
