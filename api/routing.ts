import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { ApiError } from './api-error';
import { roleMay } from './access/policy';
import type { CaseWorkDependencies } from './case-work-deps';
import {
  ACCESS_REASON_HEADER,
  ACCESS_REASON_MAX,
  ACCESS_REASON_MIN,
  type RequestContext,
  type SessionLocals,
} from './request-context';
import type { Reply, RouteDefinition } from './route-definition';
import { parseInput } from './validation';
import { asApiError } from './record-refusals';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['get', 'head', 'options']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function accessReasonOf(req: Request): string | null {
  const raw = req.get(ACCESS_REASON_HEADER);
  if (raw === undefined) return null;
  const reason = raw.trim();
  if (reason.length < ACCESS_REASON_MIN || reason.length > ACCESS_REASON_MAX) {
    throw ApiError.badRequest('The stated access reason is not usable', [
      {
        field: `headers.${ACCESS_REASON_HEADER}`,
        message: `must be ${ACCESS_REASON_MIN} to ${ACCESS_REASON_MAX} characters, got ${reason.length}`,
      },
    ]);
  }
  return reason;
}

/** Sign-in, CSRF, role, then input: in that order, so nothing about a route leaks to callers who may not use it. */
function guard(route: RouteDefinition, req: Request, session: SessionLocals | null): void {
  if (route.access === 'public') return;
  if (!session) throw ApiError.unauthorized();
  if (!SAFE_METHODS.has(route.method)) {
    const sent = req.get(CSRF_HEADER);
    if (!sent || !sameSecret(sent, session.csrfToken)) {
      throw ApiError.forbidden(
        `Missing or wrong ${CSRF_HEADER} header: send the csrfToken returned by /api/auth/login or /api/auth/me`,
      );
    }
  }
  if (!roleMay(session.principal.role, route.access)) {
    throw ApiError.forbidden(
      `Your role (${session.principal.role}) may not ${route.summary.charAt(0).toLowerCase()}${route.summary.slice(1)}`,
    );
  }
}

const CHECK_RESPONSES = process.env.NODE_ENV === 'test';

/** Under test: a response that does not match its declared schema is a bug in the route or its documentation. */
function checkResponse(route: RouteDefinition, reply: Reply): void {
  const schema = route.responseSchemas?.[reply.status];
  if (!schema || reply.redirect || reply.contentType) return;
  const result = schema.safeParse(JSON.parse(JSON.stringify(reply.body ?? null)));
  if (!result.success) {
    throw new Error(
      `${route.method.toUpperCase()} ${route.path} answered ${reply.status} with a body that does not match its response schema: ` +
        result.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; '),
    );
  }
}

/** Mounts declared routes on a router: guard, validate, run, reply. */
export function mountRoutes(routes: readonly RouteDefinition[], deps: CaseWorkDependencies): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const session = (res.locals.session as SessionLocals | undefined) ?? null;
      guard(route, req, session);
      const input = parseInput(route.schemas, { params: req.params, query: req.query, body: req.body });
      const ctx: RequestContext = {
        deps,
        req,
        res,
        session,
        ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
        accessReason: accessReasonOf(req),
        now: deps.now ?? (() => new Date()),
      };
      const reply = await route.handler(input, ctx).catch((error: unknown) => {
        throw asApiError(error);
      });
      if (CHECK_RESPONSES) checkResponse(route, reply);
      res.setHeader('Cache-Control', 'no-store');
      if (reply.redirect) res.redirect(reply.status, reply.redirect);
      else if (reply.contentType)
        res
          .status(reply.status)
          .type(reply.contentType)
          .send(String(reply.body ?? ''));
      else if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    });
  }
  return router;
}
