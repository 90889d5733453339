import { z } from 'zod';
import { deleteSession, recentLoginFailures, recordLoginAttempt } from '../../records/sessions';
import { listLocalities } from '../../records/localities';
import type { Db } from '../../records/sql';
import {
  findActivePrincipalByUsername,
  findLoginAccount,
  replacePasswordHash,
  type StaffPrincipal,
} from '../../records/staff';
import { ApiError, PROBLEM_TYPES } from '../api-error';
import { audit } from '../audit/audit-builder';
import { hashNeedsUpgrade, hashPassword, verifyPassword } from '../auth/passwords';
import { startSession } from '../auth/start-session';
import { clearSessionCookie } from '../auth/session-cookie';
import { me, type RequestContext } from '../request-context';
import { defineRoute, noContent, ok } from '../route-definition';
import { signedInSchema } from './response-schemas';

const GENERIC_FAILURE = 'The username or password is not correct';

export function principalView(p: StaffPrincipal) {
  return {
    username: p.username,
    displayName: p.displayName,
    role: p.role,
    localityIds: p.localityIds,
    teams: p.teamCodes,
  };
}

/** The signed-in member of staff with their localities' codes and names (the UI's queue tabs and filters use them). */
async function signedInView(db: Db, p: StaffPrincipal, csrfToken: string, sessionIdleMinutes: number) {
  const localities = (await listLocalities(db))
    .filter((l) => p.localityIds.includes(l.id))
    .map((l) => ({ id: l.id, code: l.code, name: l.name }));
  return { user: { ...principalView(p), localities }, csrfToken, sessionIdleMinutes };
}

export const OIDC_BUTTON_LABEL = 'Sign in with NHS Care Identity';

const tooManyAttempts = (retryAfterSeconds: number) =>
  new ApiError(
    429,
    'Too Many Requests',
    `Too many failed sign-ins: try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`,
    [],
    { type: PROBLEM_TYPES.tooManySignIns, extensions: { retryAfterSeconds } },
  );

async function login(ctx: RequestContext, username: string, password: string) {
  const { loginMaxFailures, loginWindowMinutes } = ctx.deps.auth;
  const { failures, oldestAt } = await recentLoginFailures(ctx.deps.db, username, ctx.ip, loginWindowMinutes);
  if (failures >= loginMaxFailures) {
    const retryAfter = Math.max(
      1,
      Math.ceil(((oldestAt?.getTime() ?? Date.now()) + loginWindowMinutes * 60_000 - Date.now()) / 1000),
    );
    ctx.res.setHeader('Retry-After', String(retryAfter));
    throw tooManyAttempts(retryAfter);
  }
  const account = await findLoginAccount(ctx.deps.db, username);
  const valid = await verifyPassword(account?.passwordHash ?? null, password);
  await recordLoginAttempt(ctx.deps.db, username, ctx.ip, valid);
  if (!valid || !account) {
    await audit(ctx.deps.db, ctx, { action: 'auth.login_failed', entityType: 'staff', actorUsername: username });
    throw ApiError.unauthorized(GENERIC_FAILURE);
  }
  // A hash made with other parameters (an older seed) is made again, so every hash costs the same to check.
  if (account.passwordHash && hashNeedsUpgrade(account.passwordHash))
    await replacePasswordHash(ctx.deps.db, account.id, await hashPassword(password));
  const principal = (await findActivePrincipalByUsername(ctx.deps.db, username))!;
  const csrfToken = await startSession(ctx, principal, 'password');
  return signedInView(ctx.deps.db, principal, csrfToken, ctx.deps.auth.sessionIdleMinutes);
}

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Sign in with a local account',
    access: 'public',
    schemas: {
      body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict(),
    },
    responses: { 200: 'Signed in: the session cookie is set; send csrfToken back in X-CSRF-Token on every change' },
    responseSchemas: { 200: signedInSchema },
    handler: async ({ body }, ctx) => ok(await login(ctx, body.username.toLowerCase(), body.password)),
  }),
  defineRoute({
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'Sign out',
    access: 'signedIn',
    schemas: {},
    responses: { 204: 'Signed out: the session is deleted' },
    handler: async (_input, ctx) => {
      await deleteSession(ctx.deps.db, ctx.session!.sessionHash);
      await audit(ctx.deps.db, ctx, { action: 'auth.logout', entityType: 'staff', entityId: String(me(ctx).id) });
      clearSessionCookie(ctx.res, ctx.req, ctx.deps.auth);
      return noContent();
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/me',
    tag: 'auth',
    summary: 'Who is signed in',
    access: 'signedIn',
    schemas: {},
    responses: { 200: 'The signed-in member of staff and the CSRF token of the session' },
    responseSchemas: { 200: signedInSchema },
    handler: async (_input, ctx) =>
      ok(await signedInView(ctx.deps.db, me(ctx), ctx.session!.csrfToken, ctx.deps.auth.sessionIdleMinutes)),
  }),
  defineRoute({
    method: 'get',
    path: '/auth/options',
    tag: 'auth',
    summary: 'How to sign in',
    access: 'public',
    schemas: {},
    responses: { 200: 'Whether NHS Care Identity (OpenID Connect) sign-in is configured, and the idle timeout' },
    responseSchemas: {
      200: z.object({
        oidc: z.object({
          enabled: z.boolean().meta({ description: 'GET /auth/oidc/login starts a sign-in' }),
          label: z.string(),
        }),
        sessionIdleMinutes: z.number().int(),
      }),
    },
    handler: async (_input, ctx) =>
      ok({
        oidc: { enabled: ctx.deps.auth.oidc !== undefined, label: OIDC_BUTTON_LABEL },
        sessionIdleMinutes: ctx.deps.auth.sessionIdleMinutes,
      }),
  }),
];
