/**
 * A server span per HTTP request when tracing is on (system/tracing.ts), current while the
 * request is served, so the workflow starts and signals it makes join its trace. A caller's W3C
 * `traceparent` makes it a child of the caller's span (a gateway's or a client's trace). Named
 * and labelled by the route template, never by the path sent (paths hold NHS numbers).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { routeTemplateOf } from './http-metrics';
import { requestIdOf } from './request-id';

export function httpTracing(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'chis.request_id': requestIdOf(res) ?? '' },
      },
      parent,
    );
    res.once('close', () => {
      const route = routeTemplateOf(req.originalUrl, req.route as { path?: unknown } | undefined);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
