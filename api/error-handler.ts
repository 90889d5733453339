import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../core/logger';
import { ApiError } from './api-error';

const PROBLEM_JSON = 'application/problem+json';

/** Errors raised by express.json() before a route runs, mapped to what the client did wrong. */
function fromBodyParser(error: { type?: string; status?: number; limit?: number }): ApiError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return ApiError.badRequest('The request body is not valid JSON', [
        { field: 'body', message: 'is not valid JSON' },
      ]);
    case 'entity.too.large':
      return new ApiError(
        413,
        'Payload Too Large',
        `The request body is larger than the limit of ${error.limit} bytes`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'Unsupported Media Type', 'The request body must be UTF-8 JSON');
    default:
      return null;
  }
}

/** The one error handler: every failure leaves as RFC 9457 problem+json. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = error instanceof ApiError ? error : fromBodyParser(error as { type?: string });
    const problem =
      known ?? new ApiError(500, 'Internal Server Error', 'Something went wrong; the error has been logged');
    if (!known) logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
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

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(ApiError.notFound(`No route for ${req.method} ${req.path}`));
};
