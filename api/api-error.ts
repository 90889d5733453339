/** A problem in one field of a request, named by its path (e.g. "body.nhsNumber"). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The API's one error type. Anything thrown that is not an ApiError is a bug and is
 * answered with a generic 500 by the error handler.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly fieldProblems: FieldProblem[] = [],
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }

  static badRequest(detail: string, fieldProblems: FieldProblem[] = []): ApiError {
    return new ApiError(400, 'Bad Request', detail, fieldProblems);
  }
  static unauthorized(detail = 'Sign in first'): ApiError {
    return new ApiError(401, 'Unauthorized', detail);
  }
  static forbidden(detail: string): ApiError {
    return new ApiError(403, 'Forbidden', detail);
  }
  static notFound(detail: string): ApiError {
    return new ApiError(404, 'Not Found', detail);
  }
  static conflict(detail: string): ApiError {
    return new ApiError(409, 'Conflict', detail);
  }
  static unprocessable(detail: string, fieldProblems: FieldProblem[] = []): ApiError {
    return new ApiError(422, 'Unprocessable Entity', detail, fieldProblems);
  }
}
