/**
 * Request durations for /metrics, labelled by the route's template (`/api/children/:nhsNumber`),
 * never by the path a caller sent: a path holds NHS numbers and would give every child a time
 * series. A request no route took (refused before routing, a UI file, a 404) is `(no route)`.
 */
import type { RequestHandler } from 'express';
import type { Histogram } from 'prom-client';

export type HttpDurationHistogram = Histogram<'method' | 'route' | 'status'>;

/** The mount prefixes of the routers whose routes are declared (their own text, never a caller's). */
const PREFIXES = ['/api', '/v2'];

export function routeTemplateOf(originalUrl: string, route: { path?: unknown } | undefined): string {
  if (!route || typeof route.path !== 'string') return '(no route)';
  const prefix = PREFIXES.find((p) => originalUrl === p || originalUrl.startsWith(`${p}/`)) ?? '';
  return `${prefix}${route.path}`;
}

export function httpMetrics(histogram: HttpDurationHistogram): RequestHandler {
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.once('finish', () => {
      end({
        method: req.method,
        route: routeTemplateOf(req.originalUrl, req.route as { path?: unknown } | undefined),
        status: String(res.statusCode),
      });
    });
    next();
  };
}
