/**
 * Who calls the Camunda REST API: HTTP basic auth with a CHIS Flow account (what Camunda's clients
 * send with CAMUNDA_AUTH_STRATEGY=BASIC), or a bearer token from /v2's OAuth client-credentials
 * endpoint (oauth.ts). Failed attempts count towards the same lock-out as /api/auth/login and are
 * audited. A verified password is remembered per account and stored hash for a short time, so
 * a job worker's long polls do not each pay for argon2; a changed password or a deactivated
 * account takes effect at once (the stored hash is looked up on every request).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { recentLoginFailures, recordLoginAttempt } from '../../records/sessions';
import { findActivePrincipalByUsername, findLoginAccount } from '../../records/staff';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { verifyPassword } from '../auth/passwords';
import type { CaseWorkDependencies } from '../case-work-deps';
import type { RequestContext, SessionLocals } from '../request-context';
import { principalOfToken } from './oauth';

const VERIFIED_FOR_MS = 5 * 60_000;
const MAX_REMEMBERED = 1000;
const secret = randomBytes(32);
/** hmac(username, password, stored hash) → when the password was verified. */
const verified = new Map<string, number>();

function remembered(username: string, password: string, storedHash: string): string {
  return createHash('sha256').update(secret).update(`${username}\u0000${password}\u0000${storedHash}`).digest('hex');
}

export function basicCredentials(req: Request): { username: string; password: string } | null {
  const header = req.get('authorization');
  const m = header && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon).toLowerCase(), password: decoded.slice(colon + 1) };
}

const unauthorized = (detail: string) => new ApiError(401, 'UNAUTHORIZED', detail);

/** Sets res.locals.session for a valid basic-auth or bearer caller; refuses everyone else with 401. */
export function camundaAuthentication(deps: CaseWorkDependencies): RequestHandler {
  return async (req, res, next) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) {
      const principal = await principalOfToken(deps.db, bearer);
      if (!principal) throw unauthorized('The bearer token is not valid or has expired');
      res.locals.session = { principal, csrfToken: '', sessionHash: 'bearer' } satisfies SessionLocals;
      return next();
    }
    const credentials = basicCredentials(req);
    if (!credentials) {
      res.setHeader('WWW-Authenticate', 'Basic realm="CHIS Flow", charset="UTF-8"');
      throw unauthorized('Send HTTP basic credentials of a CHIS Flow account, or a bearer token from /v2/oauth/token');
    }
    const { username, password } = credentials;
    const { loginMaxFailures, loginWindowMinutes } = deps.auth;
    const { failures } = await recentLoginFailures(deps.db, username, ip, loginWindowMinutes);
    if (failures >= loginMaxFailures)
      throw new ApiError(429, 'RESOURCE_EXHAUSTED', 'Too many failed sign-ins from this address: try again later');
    const account = await findLoginAccount(deps.db, username);
    const key = account?.passwordHash ? remembered(username, password, account.passwordHash) : null;
    const at = key ? verified.get(key) : undefined;
    let valid = at !== undefined && Date.now() - at < VERIFIED_FOR_MS;
    if (!valid) {
      valid = await verifyPassword(account?.passwordHash ?? null, password);
      await recordLoginAttempt(deps.db, username, ip, valid);
      if (valid && key) {
        if (verified.size >= MAX_REMEMBERED) verified.clear();
        verified.set(key, Date.now());
      }
    }
    const principal = valid ? await findActivePrincipalByUsername(deps.db, username) : null;
    if (!principal) {
      const ctx = { req, ip, session: null, accessReason: null } as unknown as RequestContext;
      await audit(deps.db, ctx, { action: 'auth.login_failed', entityType: 'staff', actorUsername: username });
      res.setHeader('WWW-Authenticate', 'Basic realm="CHIS Flow", charset="UTF-8"');
      throw unauthorized('The username or password is not correct');
    }
    res.locals.session = { principal, csrfToken: '', sessionHash: 'basic' } satisfies SessionLocals;
    next();
  };
}
