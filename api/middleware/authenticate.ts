import type { RequestHandler } from 'express';
import { findLiveSession, touchSession } from '../../records/sessions';
import { hashSessionId, sessionIdFrom } from '../auth/session-cookie';
import type { CaseWorkDependencies } from '../case-work-deps';
import type { SessionLocals } from '../request-context';

// Sliding the idle expiry at most once a minute keeps reads from writing on every request.
const TOUCH_AFTER_MS = 60_000;

/** Finds the caller's live session (if any) and puts it in res.locals.session. */
export function authenticate(deps: CaseWorkDependencies): RequestHandler {
  return async (req, res, next) => {
    const id = sessionIdFrom(req);
    if (!id) return next();
    const sessionHash = hashSessionId(id);
    const session = await findLiveSession(deps.db, sessionHash);
    if (!session) return next();
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await touchSession(deps.db, sessionHash, deps.auth.sessionIdleMinutes);
    }
    const locals: SessionLocals = { principal: session.principal, csrfToken: session.csrfToken, sessionHash };
    res.locals.session = locals;
    next();
  };
}
