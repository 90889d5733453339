import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AuthConfig } from '../../core/config';

export const SESSION_COOKIE = 'chis_session';

/** 256 random bits; the database keeps only its SHA-256. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export function sessionIdFrom(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}

function secure(config: AuthConfig, req: Request): boolean {
  return config.cookieSecure === 'auto' ? req.secure : config.cookieSecure;
}

export function setSessionCookie(res: Response, req: Request, config: AuthConfig, id: string): void {
  res.cookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'strict',
    secure: secure(config, req),
    path: '/',
    maxAge: config.sessionMaxHours * 3600_000,
  });
}

export function clearSessionCookie(res: Response, req: Request, config: AuthConfig): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: secure(config, req), path: '/' });
}
