import express, { type Express } from 'express';
import type { TrustProxy } from '../core/config';
import type { Logger } from '../core/logger';
import { prepareDummyHash } from './auth/passwords';
import { jsonBody, limitNesting } from './body-limits';
import { errorHandler, notFoundHandler } from './error-handler';
import { requestId } from './request-id';
import { accessLog } from './access-log';
import { httpTracing } from './http-tracing';
import type { Tracer } from '@opentelemetry/api';
import { httpMetrics, type HttpDurationHistogram } from './http-metrics';
import { healthRouter, type HealthCheck } from './routes/health';
import type { CaseWorkDependencies } from './case-work-deps';
import { authenticate } from './middleware/authenticate';
import { mountRoutes } from './routing';
import { CASE_WORK_ROUTES } from './routes';
import { uiRouter } from './ui/serve-ui';
import { camundaRouter } from './camunda/router';

export interface AppDependencies {
  logger: Logger;
  health: Record<string, HealthCheck>;
  /** Proxies whose X-Forwarded-For is believed (CHIS_TRUST_PROXY); none by default. */
  trustProxy?: TrustProxy;
  /** The case-work API (auth, children, tasks, concerns, audit); mounted when given. */
  caseWork?: CaseWorkDependencies;
  /** The built web UI (ui/dist), served at `/` with client-side routes falling back to its index.html. */
  ui?: { distDir: string };
  /** Request durations by route template, for /metrics (served on its own port, not here). */
  httpDurations?: HttpDurationHistogram;
  /** OpenTelemetry: a server span per request (tracing on); absent: no spans. */
  tracer?: Tracer;
}

/**
 * Builds the express application: JSON API under /api, the Camunda 8 REST API under /v2 (its own
 * authentication and body limits), the web UI at /, one error handler at the end.
 */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // Without a configured proxy, X-Forwarded-For is the client's own claim: never believed (audit records the socket's address).
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(requestId);
  app.use(accessLog(deps.logger));
  if (deps.tracer) app.use(httpTracing(deps.tracer));
  if (deps.httpDurations) app.use(httpMetrics(deps.httpDurations));
  // The Camunda API reads its own bodies (larger variables, multipart deployments) with the same UTF-8 and nesting rules.
  if (deps.caseWork) app.use('/v2', camundaRouter(deps.caseWork));
  app.use(jsonBody(), limitNesting);
  app.use('/api', healthRouter(deps.health));
  if (deps.caseWork) {
    // The sign-in's dummy hash, made now rather than during the first unknown username's sign-in.
    prepareDummyHash().catch((err: unknown) => deps.logger.error({ err }, 'could not prepare the dummy password hash'));
    app.use('/api', authenticate(deps.caseWork));
    app.use('/api', mountRoutes(CASE_WORK_ROUTES, deps.caseWork));
  }
  app.use('/api', notFoundHandler);
  if (deps.ui) app.use(uiRouter(deps.ui.distDir));
  // Whatever the UI did not answer (other methods, a missing asset, no UI): a problem+json 404.
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
