import { createSession, deleteSession } from '../../records/sessions';
import type { StaffPrincipal } from '../../records/staff';
import { audit } from '../audit/audit-builder';
import type { RequestContext } from '../request-context';
import { hashSessionId, newCsrfToken, newSessionId, setSessionCookie } from './session-cookie';

/** Creates a server-side session for a verified sign-in, sets the cookie, returns the CSRF token. */
export async function startSession(
  ctx: RequestContext,
  principal: StaffPrincipal,
  method: 'password' | 'oidc',
): Promise<string> {
  // A sign-in always gets a new session id (no fixation); the browser's previous session ends.
  if (ctx.session) await deleteSession(ctx.deps.db, ctx.session.sessionHash);
  const id = newSessionId();
  const csrfToken = newCsrfToken();
  await createSession(ctx.deps.db, {
    idHash: hashSessionId(id),
    staffId: principal.id,
    csrfToken,
    authMethod: method,
    sourceIp: ctx.ip,
    userAgent: ctx.req.get('user-agent')?.slice(0, 500) ?? null,
    idleMinutes: ctx.deps.auth.sessionIdleMinutes,
    maxHours: ctx.deps.auth.sessionMaxHours,
  });
  setSessionCookie(ctx.res, ctx.req, ctx.deps.auth, id);
  await audit(
    ctx.deps.db,
    { ...ctx, session: { principal, csrfToken, sessionHash: '' } },
    {
      action: 'auth.login',
      entityType: 'staff',
      entityId: String(principal.id),
      detail: { method },
    },
  );
  return csrfToken;
}
