/**
 * One access log line per request, when its answer has gone (or the caller went away): method,
 * URL, route template, status, duration and the request id. The URL passes through the logger's
 * redaction like every logged string, so an NHS number in a path is masked; no header, cookie or
 * body is logged. The orchestrator's probes (/api/health/live, /ready) log at debug only.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../core/logger';
import { routeTemplateOf } from './http-metrics';
import { requestIdOf } from './request-id';

const PROBES = new Set(['/api/health/live', '/api/health/ready']);

export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      const line = {
        requestId: requestIdOf(res),
        method: req.method,
        url: req.originalUrl,
        route: routeTemplateOf(req.originalUrl, req.route as { path?: unknown } | undefined),
        status: res.statusCode,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (PROBES.has(req.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    };
    res.once('finish', log);
    res.once('close', log);
    next();
  };
}
