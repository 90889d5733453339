/** A problem in one field of a request, named by its path (e.g. "body.nhsNumber"). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Machine-readable problem types (RFC 9457 `type`) for the cases a client acts on; every
 * other problem is `about:blank` and its status says what kind it is.
 */
export const PROBLEM_TYPES = {
  /** A child outside the caller's localities: repeat with X-Access-Reason (`minReasonLength`, `maxReasonLength`). */
  accessReasonRequired: 'urn:chis-flow:problem:access-reason-required',
  /** A task changed or was taken by someone else since the caller read it (`currentAssignee`, `currentStatus`). */
  taskConflict: 'urn:chis-flow:problem:task-conflict',
  /** Sign-in is refused for a while (`retryAfterSeconds`, also in Retry-After). */
  tooManySignIns: 'urn:chis-flow:problem:too-many-sign-in-attempts',
} as const;

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
    /** `type` and extension members of the problem document. */
    readonly problem: { type?: string; extensions?: Record<string, unknown> } = {},
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
  static forbidden(detail: string, problem: ApiError['problem'] = {}): ApiError {
    return new ApiError(403, 'Forbidden', detail, [], problem);
  }
  static notFound(detail: string): ApiError {
    return new ApiError(404, 'Not Found', detail);
  }
  static conflict(detail: string, problem: ApiError['problem'] = {}): ApiError {
    return new ApiError(409, 'Conflict', detail, [], problem);
  }
  static unprocessable(detail: string, fieldProblems: FieldProblem[] = []): ApiError {
    return new ApiError(422, 'Unprocessable Entity', detail, fieldProblems);
  }
}
