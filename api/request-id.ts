/**
 * A request id for every request: the caller's X-Request-Id when it is a plain token (a load
 * balancer's or a client's), else a new one; echoed in the response and put on the log lines
 * about the request, so a complaint can be found in the logs. The rest of the request runs in
 * its request context (core/request-context.ts): every log line written for it carries the id,
 * and the workflows it starts or signals take it on to their activities' log lines.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { runWithRequestId } from '../core/request-context';
import { isPlainRequestId } from '../core/request-id';

export const REQUEST_ID_HEADER = 'X-Request-Id';

export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get(REQUEST_ID_HEADER);
  const id = isPlainRequestId(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  runWithRequestId(id, next);
};

export function requestIdOf(res: Response): string | undefined {
  return typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
}
