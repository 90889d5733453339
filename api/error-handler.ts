import type { ErrorRequestHandler, RequestHandler } from 'express';
import { STATUS_CODES } from 'node:http';
import type { Logger } from '../core/logger';
import { ApiError } from './api-error';
import { requestIdOf } from './request-id';

const PROBLEM_JSON = 'application/problem+json';

/** Set by the JSON body's UTF-8 check (api/body-limits.ts). */
export const INVALID_UTF8 = 'encoding.invalid';

interface HttpError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
}

/** Errors raised by express.json() and the router before a route runs, mapped to what the client did wrong. */
function fromRequestParsing(error: unknown): ApiError | null {
  const e = (error ?? {}) as HttpError;
  switch (e.type) {
    case 'entity.parse.failed':
      return ApiError.badRequest('The request body is not valid JSON', [
        { field: 'body', message: 'is not valid JSON' },
      ]);
    case INVALID_UTF8:
      return ApiError.badRequest('The request body is not valid UTF-8', [
        { field: 'body', message: 'is not valid UTF-8' },
      ]);
    case 'entity.too.large':
      return new ApiError(413, 'Payload Too Large', `The request body is larger than the limit of ${e.limit} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'Unsupported Media Type', 'The request body must be UTF-8 JSON');
  }
  // The router could not decode a path parameter (e.g. %FF is not UTF-8).
  if (error instanceof URIError)
    return ApiError.badRequest('A path parameter is not valid percent-encoded UTF-8', [
      { field: 'params', message: 'is not valid percent-encoded UTF-8' },
    ]);
  // Any other client error that http-errors marks safe to show (aborted or malformed requests).
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && e.expose === true)
    return new ApiError(status, STATUS_CODES[status] ?? 'Bad Request', (error as Error).message);
  return null;
}

/** The one error handler: every failure leaves as RFC 9457 problem+json, inside /api or not. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = error instanceof ApiError ? error : fromRequestParsing(error);
    const problem =
      known ?? new ApiError(500, 'Internal Server Error', 'Something went wrong; the error has been logged');
    // The logger masks NHS numbers in the URL and the error (core/redact.ts).
    if (!known)
      logger.error(
        { err: error, method: req.method, url: req.originalUrl, requestId: requestIdOf(res) },
        'unhandled error',
      );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(problem.status)
      .type(PROBLEM_JSON)
      .json({
        ...problem.problem.extensions,
        type: problem.problem.type ?? 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance: req.originalUrl,
        ...(problem.fieldProblems.length > 0 ? { errors: problem.fieldProblems } : {}),
      });
  };
}

/**
 * A problem+json 404 for whatever no handler answered. Mounted last, after /api and (when there
 * is one) the web UI's static files, which serve index.html for other GETs.
 */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(ApiError.notFound(`No route for ${req.method} ${req.path}`));
};
