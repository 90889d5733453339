import type { MigrationContext } from '../migration-context';

/** OpenID Connect sign-ins in flight: state (hashed), nonce and PKCE verifier, used once within minutes. */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE oidc_login_requests (
      state_hash char(64) PRIMARY KEY,
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX oidc_login_requests_expiry ON oidc_login_requests (expires_at);
  `);
}
