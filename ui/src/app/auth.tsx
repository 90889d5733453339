/**
 * Who is signed in, sign-in and sign-out, and the idle timeout. The session itself is the
 * API's HttpOnly cookie; the UI keeps only the CSRF token in memory. When any request answers
 * 401 the person is sent to sign-in and brought back to the page they were on.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, lastApiRequestAt, setCsrfToken, setUnauthorizedHandler } from '../api/client';
import type { AuthOptions, Me, Principal } from '../api/types';
import { navigate, safeReturnPath } from './router';

/** Why the sign-in page is showing, for its message. */
export type SignInNotice = 'idle' | 'expired' | 'signedOut' | null;

interface AuthValue {
  status: 'loading' | 'signedIn' | 'signedOut';
  user: Principal | null;
  options: AuthOptions | null;
  notice: SignInNotice;
  signIn(username: string, password: string): Promise<void>;
  signOut(notice?: SignInNotice): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** The signed-in person (for pages that are only reached signed in). */
export function useUser(): Principal {
  const { user } = useAuth();
  if (!user) throw new Error('useUser while signed out');
  return user;
}

function signInPath(notice: SignInNotice, returnTo: string | null): string {
  const params = new URLSearchParams();
  if (notice) params.set('notice', notice);
  const back = safeReturnPath(returnTo);
  if (back && back !== '/') params.set('returnTo', back);
  const text = params.toString();
  return `/sign-in${text ? `?${text}` : ''}`;
}

const here = () => window.location.pathname + window.location.search;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthValue['status']>('loading');
  const [user, setUser] = useState<Principal | null>(null);
  const [options, setOptions] = useState<AuthOptions | null>(null);
  const [notice, setNotice] = useState<SignInNotice>(null);
  // Set before signing out: a read still under way then answers 401, which is not an expiry.
  const leaving = useRef(false);

  const signedOut = useCallback((why: SignInNotice, returnTo: string | null) => {
    setCsrfToken(null);
    setUser(null);
    setStatus('signedOut');
    setNotice(why);
    navigate(signInPath(why, returnTo), { replace: true });
  }, []);

  useEffect(() => {
    let cancelled = false;
    api<AuthOptions>('/auth/options', { quietUnauthorized: true })
      .then((o) => !cancelled && setOptions(o))
      .catch(() => undefined);
    api<Me>('/auth/me', { quietUnauthorized: true })
      .then((me) => {
        if (cancelled) return;
        setCsrfToken(me.csrfToken);
        setUser(me.user);
        setStatus('signedIn');
      })
      .catch(() => {
        if (cancelled) return;
        setStatus('signedOut');
        if (!window.location.pathname.startsWith('/sign-in')) navigate(signInPath(null, here()), { replace: true });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => !leaving.current && signedOut('expired', here()));
    return () => setUnauthorizedHandler(null);
  }, [signedOut]);

  const signIn = useCallback(async (username: string, password: string) => {
    const me = await api<Me>('/auth/login', { body: { username, password }, quietUnauthorized: true });
    leaving.current = false;
    setCsrfToken(me.csrfToken);
    setUser(me.user);
    setStatus('signedIn');
    setNotice(null);
    const back = safeReturnPath(new URLSearchParams(window.location.search).get('returnTo'));
    navigate(back ?? '/', { replace: true });
  }, []);

  const signOut = useCallback(
    async (why: SignInNotice = 'signedOut') => {
      leaving.current = true;
      await api('/auth/logout', { method: 'POST', quietUnauthorized: true }).catch(() => undefined);
      signedOut(why, why === 'idle' ? here() : null);
    },
    [signedOut],
  );

  const value = useMemo(
    () => ({ status, user, options, notice, signIn, signOut }),
    [status, user, options, notice, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'touchstart', 'wheel'] as const;
const WARN_BEFORE_MS = 2 * 60_000;
// The server slides its idle expiry on requests; someone typing a long note makes none, so keep it alive.
const KEEPALIVE_AFTER_MS = 60_000;

/**
 * Idle timeout: after `minutes` without keyboard, mouse or touch input the person is signed
 * out (the server would end the session anyway); two minutes before, a dialog offers to stay.
 */
export function useIdleTimeout(
  minutes: number | null,
  onTimeout: () => void,
): { warning: boolean; remainingMs: number; stay(): void } {
  const lastActivity = useRef(Date.now());
  const [warning, setWarning] = useState(false);
  const [remainingMs, setRemainingMs] = useState(0);

  useEffect(() => {
    if (!minutes) return;
    const idleMs = minutes * 60_000;
    const onActivity = () => {
      lastActivity.current = Date.now();
      if (Date.now() - lastApiRequestAt() > KEEPALIVE_AFTER_MS) void api('/auth/me').catch(() => undefined);
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    const timer = window.setInterval(() => {
      const left = idleMs - (Date.now() - lastActivity.current);
      if (left <= 0) {
        window.clearInterval(timer);
        onTimeout();
      } else {
        setWarning(left <= WARN_BEFORE_MS);
        setRemainingMs(left);
      }
    }, 1000);
    return () => {
      window.clearInterval(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
    };
  }, [minutes, onTimeout]);

  const stay = useCallback(() => {
    lastActivity.current = Date.now();
    setWarning(false);
    void api('/auth/me').catch(() => undefined);
  }, []);
  return { warning, remainingMs, stay };
}
