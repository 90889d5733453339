import { select, selectOne, type Db } from './sql';

export async function saveOidcRequest(
  db: Db,
  r: { stateHash: string; nonce: string; codeVerifier: string; ttlMinutes: number },
): Promise<void> {
  // Expired requests are cleared as new ones arrive, so the table stays small without a sweeper.
  await select(db, 'DELETE FROM oidc_login_requests WHERE expires_at < now() RETURNING state_hash');
  await select(
    db,
    `INSERT INTO oidc_login_requests (state_hash, nonce, code_verifier, expires_at) VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING state_hash`,
    [r.stateHash, r.nonce, r.codeVerifier, r.ttlMinutes],
  );
}

/** Takes (deletes and returns) a live request: each state can be used once. */
export function takeOidcRequest(db: Db, stateHash: string): Promise<{ nonce: string; codeVerifier: string } | null> {
  return selectOne(
    db,
    'DELETE FROM oidc_login_requests WHERE state_hash = $1 AND expires_at > now() RETURNING nonce, code_verifier',
    [stateHash],
  );
}
