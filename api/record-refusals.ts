/** A records refusal (records/errors.ts) as the API's problem+json answer. */
import { ReasonNeeded } from '../records/children/access';
import { RecordRefusal, type RefusalKind } from '../records/errors';
import { ApiError, PROBLEM_TYPES } from './api-error';
import { ACCESS_REASON_HEADER, ACCESS_REASON_MAX, ACCESS_REASON_MIN } from './request-context';

const STATUS: Record<RefusalKind, [number, string]> = {
  not_found: [404, 'Not Found'],
  invalid: [422, 'Unprocessable Entity'],
  conflict: [409, 'Conflict'],
  forbidden: [403, 'Forbidden'],
  out_of_region: [422, 'Unprocessable Entity'],
  no_contact_details: [422, 'Unprocessable Entity'],
};

export function reasonNeeded(): ApiError {
  return ApiError.forbidden(
    `This child is outside your localities: state why you need the record in the ${ACCESS_REASON_HEADER} header ` +
      `(at least ${ACCESS_REASON_MIN} characters). The access will be audited and the safeguarding leads of the child's locality alerted.`,
    {
      type: PROBLEM_TYPES.accessReasonRequired,
      extensions: { minReasonLength: ACCESS_REASON_MIN, maxReasonLength: ACCESS_REASON_MAX },
    },
  );
}

/** The ApiError for a refusal; anything else is passed through unchanged. */
export function asApiError(error: unknown): unknown {
  if (error instanceof ReasonNeeded) return reasonNeeded();
  if (!(error instanceof RecordRefusal)) return error;
  const [status, title] = STATUS[error.kind];
  return new ApiError(status, title, error.message);
}
