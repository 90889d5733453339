/** Non-retryable failures the catalogue's retry policies name (see ../catalogue/shared.ts). */
import { ApplicationFailure } from '@temporalio/activity';

/** A failure of `type` that retrying cannot help. */
export function failure(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** Bad input: the message names the field. */
export function validationError(message: string): ApplicationFailure {
  return failure('ValidationError', message);
}

export function notFound(message: string): ApplicationFailure {
  return failure('NotFoundError', message);
}
