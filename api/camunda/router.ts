/**
 * The Camunda 8 REST API (Orchestration Cluster API v2) under /v2 on the API's port, so
 * Camunda's own clients (CAMUNDA_REST_ADDRESS=http://host:port) work against CHIS Flow.
 * Authentication: HTTP basic with a CHIS Flow account, or a bearer token (oauth.ts). Every route
 * names an /api permission, validates its input with Camunda's published schemas and audits
 * what it changes.
 */
import { Router, type Request, type Response } from 'express';
import { jsonBody, limitNesting } from '../body-limits';
import { roleMay } from '../access/policy';
import { ApiError } from '../api-error';
import { asApiError } from '../record-refusals';
import { UnsupportedSearch } from '../../records/search-filter';
import type { CaseWorkDependencies } from '../case-work-deps';
import { accessReasonOf } from '../routing';
import type { RequestContext, SessionLocals } from '../request-context';
import { camundaAuthentication } from './basic-auth';
import { camundaError, validateRequest, type CamundaRoute } from './camunda-route';
import { readDeploymentForm } from './multipart';
import { oauthTokenRouter } from './oauth';
import { publishedSchemas } from './published-schemas';
import { CAMUNDA_ROUTES } from './routes';

/** JSON bodies up to this size (variables travel in them). */
const JSON_LIMIT = '4mb';

function contextOf(deps: CaseWorkDependencies, req: Request, res: Response): RequestContext {
  return {
    deps,
    req,
    res,
    session: (res.locals.session as SessionLocals | undefined) ?? null,
    ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    accessReason: accessReasonOf(req),
    now: deps.now ?? (() => new Date()),
  };
}

export function camundaRouter(deps: CaseWorkDependencies, routes: readonly CamundaRoute[] = CAMUNDA_ROUTES): Router {
  const router = Router();
  router.use(oauthTokenRouter(deps));
  router.use(jsonBody(JSON_LIMIT), limitNesting);
  router.use(camundaAuthentication(deps));
  const schemas = publishedSchemas();
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const ctx = contextOf(deps, req, res);
      const principal = ctx.session!.principal;
      if (!roleMay(principal.role, route.access))
        throw camundaError.forbidden(
          `Your role (${principal.role}) may not ${route.summary.charAt(0).toLowerCase()}${route.summary.slice(1)}`,
        );
      const path = { ...(req.params as Record<string, string>) };
      const body: unknown = route.multipart ? await readDeploymentForm(req) : (req.body ?? {});
      const input = route.operation
        ? validateRequest((await schemas).get(route.operation)!, { body, path })
        : { body, path };
      let reply;
      try {
        reply = await route.handler(input, ctx);
      } catch (error) {
        // A filter or sort a search does not take is Camunda's bad request.
        if (error instanceof UnsupportedSearch) throw camundaError.invalid(error.message);
        // A records refusal (a child outside the caller's localities without a reason, ...) as on /api.
        throw asApiError(error);
      }
      res.setHeader('Cache-Control', 'no-store');
      if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    });
  }
  router.use((req) => {
    throw new ApiError(404, 'NOT_FOUND', `No route for ${req.method} ${req.originalUrl.split('?')[0]}`);
  });
  return router;
}
