/**
 * OAuth 2.0 client credentials for the Camunda REST API (CAMUNDA_AUTH_STRATEGY=OAUTH with
 * CAMUNDA_OAUTH_URL pointing here): a CHIS Flow account's username and password as client id and
 * secret buy a bearer token valid for an hour. Tokens are kept hashed in `sessions`, under a
 * hash that no session cookie can produce, so a token is not a cookie and ends with the account.
 */
import { createHash, randomBytes } from 'node:crypto';
import express, { Router } from 'express';
import { createSession, findLiveSession, recentLoginFailures, recordLoginAttempt } from '../../records/sessions';
import type { Db } from '../../records/sql';
import { findLoginAccount, type StaffPrincipal } from '../../records/staff';
import { writeAudit } from '../../records/audit';
import { verifyPassword } from '../auth/passwords';
import type { CaseWorkDependencies } from '../case-work-deps';

export const TOKEN_LIFETIME_SECONDS = 3600;

const tokenHash = (token: string) => createHash('sha256').update(`camunda-oauth:${token}`).digest('hex');

export async function principalOfToken(db: Db, token: string): Promise<StaffPrincipal | null> {
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return null;
  return (await findLiveSession(db, tokenHash(token)))?.principal ?? null;
}

/** POST /v2/oauth/token (application/x-www-form-urlencoded or JSON), answered as RFC 6749 says. */
export function oauthTokenRouter(deps: CaseWorkDependencies): Router {
  const router = Router();
  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fail = (status: number, error: string, description: string) =>
      res.status(status).setHeader('Cache-Control', 'no-store').json({ error, error_description: description });
    if (body.grant_type !== 'client_credentials')
      return fail(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
    const clientId = typeof body.client_id === 'string' ? body.client_id.toLowerCase() : '';
    const secret = typeof body.client_secret === 'string' ? body.client_secret : '';
    if (!clientId || !secret) return fail(400, 'invalid_request', 'client_id and client_secret are required');
    const ip = req.ip ?? 'unknown';
    const { failures } = await recentLoginFailures(deps.db, clientId, ip, deps.auth.loginWindowMinutes);
    if (failures >= deps.auth.loginMaxFailures) return fail(429, 'slow_down', 'too many failed attempts');
    const account = await findLoginAccount(deps.db, clientId);
    const valid = await verifyPassword(account?.passwordHash ?? null, secret);
    await recordLoginAttempt(deps.db, clientId, ip, valid);
    const actor = {
      kind: 'staff',
      id: valid ? (account?.id ?? null) : null,
      username: clientId,
      localityIds: [],
      accessReason: null,
      sourceIp: ip,
      request: { method: 'POST', path: req.originalUrl },
    } as const;
    await writeAudit(deps.db, actor, {
      action: valid ? 'auth.token_issued' : 'auth.login_failed',
      entityType: 'staff',
      entityId: account ? String(account.id) : null,
      actorUsername: clientId,
      detail: { grant: 'client_credentials' },
    });
    if (!valid || !account) return fail(401, 'invalid_client', 'the client id or secret is not correct');
    const token = randomBytes(32).toString('base64url');
    await createSession(deps.db, {
      idHash: tokenHash(token),
      staffId: account.id,
      csrfToken: randomBytes(16).toString('hex'),
      authMethod: 'password',
      sourceIp: ip,
      userAgent: req.get('user-agent') ?? null,
      idleMinutes: TOKEN_LIFETIME_SECONDS / 60,
      maxHours: TOKEN_LIFETIME_SECONDS / 3600,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS });
  });
  return router;
}
