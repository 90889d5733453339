import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { saveOidcRequest, takeOidcRequest } from '../../records/oidc-requests';
import { findActivePrincipalByLogin } from '../../records/staff';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { OidcError, beginOidcLogin, finishOidcLogin } from '../auth/oidc-client';
import { startSession } from '../auth/start-session';
import type { RequestContext } from '../request-context';
import { defineRoute } from '../route-definition';

// Lax, not Strict: the browser must send it on the provider's top-level redirect back to us.
const STATE_COOKIE = 'chis_oidc_state';
const STATE_PATH = '/api/auth/oidc';
const REQUEST_TTL_MINUTES = 10;

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

function oidcConfig(ctx: RequestContext) {
  const config = ctx.deps.auth.oidc;
  if (!config) throw ApiError.notFound('OpenID Connect sign-in is not configured (CHIS_OIDC_ISSUER and friends)');
  return config;
}

function stateCookie(req: Request): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === STATE_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

const failed = (reason: string) => new ApiError(401, 'Unauthorized', `OpenID Connect sign-in failed: ${reason}`);

const callbackQuery = z
  .object({
    code: z.string().min(1).max(2048).optional(),
    state: z.string().min(1).max(512).optional(),
    error: z.string().max(256).optional(),
    error_description: z.string().max(2048).optional(),
    error_uri: z.string().max(2048).optional(),
    // Sent by some providers alongside the code; not needed here.
    session_state: z.string().max(2048).optional(),
    iss: z.string().max(2048).optional(),
    scope: z.string().max(2048).optional(),
  })
  .strict();

export const oidcRoutes = [
  defineRoute({
    method: 'get',
    path: '/auth/oidc/login',
    tag: 'auth',
    summary: 'Start an OpenID Connect sign-in (NHS CIS2)',
    access: 'public',
    schemas: {},
    responses: { 302: "Redirect to the identity provider's authorization endpoint" },
    handler: async (_input, ctx) => {
      const config = oidcConfig(ctx);
      const login = await beginOidcLogin(config).catch((error: unknown) => {
        throw error instanceof OidcError ? new ApiError(502, 'Bad Gateway', `OpenID Connect: ${error.message}`) : error;
      });
      await saveOidcRequest(ctx.deps.db, {
        stateHash: hash(login.state),
        nonce: login.nonce,
        codeVerifier: login.codeVerifier,
        ttlMinutes: REQUEST_TTL_MINUTES,
      });
      ctx.res.cookie(STATE_COOKIE, login.state, {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.deps.auth.cookieSecure === 'auto' ? ctx.req.secure : ctx.deps.auth.cookieSecure,
        path: STATE_PATH,
        maxAge: REQUEST_TTL_MINUTES * 60_000,
      });
      return { status: 302, redirect: login.url };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/oidc/callback',
    tag: 'auth',
    summary: 'Finish an OpenID Connect sign-in',
    access: 'public',
    schemas: { query: callbackQuery },
    responses: { 302: 'Signed in: the session cookie is set and the browser goes to the application' },
    handler: async ({ query }, ctx) => {
      const config = oidcConfig(ctx);
      ctx.res.clearCookie(STATE_COOKIE, { path: STATE_PATH });
      if (query.error) throw failed(`the provider refused (${query.error})`);
      if (!query.code || !query.state)
        throw ApiError.badRequest('The callback needs code and state', [
          { field: query.code ? 'query.state' : 'query.code', message: 'is required' },
        ]);
      if (stateCookie(ctx.req) !== query.state)
        throw ApiError.badRequest('This sign-in was not started in this browser: start again');
      const pending = await takeOidcRequest(ctx.deps.db, hash(query.state));
      if (!pending) throw ApiError.badRequest('This sign-in has expired or was already used: start again');
      let claims;
      try {
        claims = await finishOidcLogin(config, query.code, pending.codeVerifier, pending.nonce);
      } catch (error) {
        if (!(error instanceof OidcError)) throw error;
        await audit(ctx.deps.db, ctx, {
          action: 'auth.login_failed',
          entityType: 'staff',
          actorUsername: 'oidc',
          detail: { method: 'oidc', reason: error.message },
        });
        throw failed(error.message);
      }
      const email = typeof claims.email === 'string' ? claims.email : null;
      const principal = await findActivePrincipalByLogin(ctx.deps.db, claims.sub, email);
      if (!principal) {
        await audit(ctx.deps.db, ctx, {
          action: 'auth.login_failed',
          entityType: 'staff',
          actorUsername: claims.sub.slice(0, 200),
          detail: { method: 'oidc' },
        });
        throw failed('no active staff account matches this identity');
      }
      await startSession(ctx, principal, 'oidc');
      return { status: 302, redirect: '/' };
    },
  }),
];
