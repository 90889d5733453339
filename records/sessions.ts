import { principalColumns, type StaffPrincipal } from './staff';
import { select, selectOne, type Db } from './sql';

export interface SessionRow {
  csrfToken: string;
  lastSeenAt: Date;
  principal: StaffPrincipal;
}

export interface NewSession {
  idHash: string;
  staffId: number;
  csrfToken: string;
  authMethod: 'password' | 'oidc';
  sourceIp: string | null;
  userAgent: string | null;
  idleMinutes: number;
  maxHours: number;
}

export async function createSession(db: Db, s: NewSession): Promise<void> {
  // Expired sessions are cleared as new ones start, so the table needs no sweeper.
  await select(
    db,
    'DELETE FROM sessions WHERE idle_expires_at < now() OR absolute_expires_at < now() RETURNING staff_id',
  );
  await select(
    db,
    `INSERT INTO sessions (id_hash, staff_id, csrf_token, auth_method, source_ip, user_agent, idle_expires_at, absolute_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(mins => $7), now() + make_interval(hours => $8)) RETURNING id_hash`,
    [s.idHash, s.staffId, s.csrfToken, s.authMethod, s.sourceIp, s.userAgent, s.idleMinutes, s.maxHours],
  );
}

/** The live session with its staff member, or null when unknown, expired or the account is inactive. */
export async function findLiveSession(db: Db, idHash: string): Promise<SessionRow | null> {
  const row = await selectOne<StaffPrincipal & { csrfToken: string; lastSeenAt: Date }>(
    db,
    `SELECT x.csrf_token, x.last_seen_at, ${principalColumns()}
     FROM sessions x JOIN staff_users s ON s.id = x.staff_id AND s.active
     WHERE x.id_hash = $1 AND x.idle_expires_at > now() AND x.absolute_expires_at > now()`,
    [idHash],
  );
  if (!row) return null;
  const { csrfToken, lastSeenAt, ...principal } = row;
  return { csrfToken, lastSeenAt, principal };
}

/** Slides the idle expiry forward (never past the absolute expiry). */
export async function touchSession(db: Db, idHash: string, idleMinutes: number): Promise<void> {
  await select(
    db,
    `UPDATE sessions SET last_seen_at = now(), idle_expires_at = least(absolute_expires_at, now() + make_interval(mins => $2))
     WHERE id_hash = $1 RETURNING id_hash`,
    [idHash, idleMinutes],
  );
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await select(db, 'DELETE FROM sessions WHERE id_hash = $1 RETURNING id_hash', [idHash]);
}

export async function recordLoginAttempt(
  db: Db,
  username: string,
  sourceIp: string,
  succeeded: boolean,
): Promise<void> {
  await select(db, 'INSERT INTO login_attempts (username, source_ip, succeeded) VALUES ($1, $2, $3) RETURNING id', [
    username,
    sourceIp,
    succeeded,
  ]);
}

/** Failed attempts for this username from this address within the window, since the last success. */
export async function recentLoginFailures(
  db: Db,
  username: string,
  sourceIp: string,
  windowMinutes: number,
): Promise<{ failures: number; oldestAt: Date | null }> {
  const row = await selectOne<{ failures: string; oldestAt: Date | null }>(
    db,
    `WITH recent AS (
       SELECT succeeded, attempted_at FROM login_attempts
       WHERE username = $1 AND source_ip = $2 AND attempted_at > now() - make_interval(mins => $3)
     )
     SELECT count(*) AS failures, min(attempted_at) AS oldest_at FROM recent
     WHERE NOT succeeded AND attempted_at > coalesce((SELECT max(attempted_at) FROM recent WHERE succeeded), '-infinity')`,
    [username, sourceIp, windowMinutes],
  );
  return { failures: Number(row!.failures), oldestAt: row!.oldestAt };
}
