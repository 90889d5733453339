import { status } from '@grpc/grpc-js';
import { google, temporal, type P } from './proto';

/** An error that reaches the client as a gRPC status (the SDK maps NOT_FOUND / ALREADY_EXISTS to typed errors). */
export class ApiError extends Error {
  constructor(
    readonly code: status,
    message: string,
    /** Encoded google.rpc.Status detail: [full type name, encoded message]. */
    readonly detail?: [string, Uint8Array],
  ) {
    super(message);
  }

  statusDetailsBin(): Buffer | undefined {
    if (!this.detail) return undefined;
    const [typeName, value] = this.detail;
    const any = { type_url: `type.googleapis.com/${typeName}`, value } as P<google.protobuf.IAny>;
    return Buffer.from(google.rpc.Status.encode({ code: this.code, message: this.message, details: [any] }).finish());
  }
}

export const notFound = (what: string) =>
  new ApiError(status.NOT_FOUND, what, [
    'temporal.api.errordetails.v1.NotFoundFailure',
    temporal.api.errordetails.v1.NotFoundFailure.encode({}).finish(),
  ]);
export const invalidArgument = (what: string) => new ApiError(status.INVALID_ARGUMENT, what);
export const failedPrecondition = (what: string) => new ApiError(status.FAILED_PRECONDITION, what);
export const unavailable = (what: string) => new ApiError(status.UNAVAILABLE, what);
/** serviceerror.WorkflowNotReady of a real server: FAILED_PRECONDITION with a WorkflowNotReadyFailure detail. */
export const workflowNotReady = (what: string) =>
  new ApiError(status.FAILED_PRECONDITION, what, [
    'temporal.api.errordetails.v1.WorkflowNotReadyFailure',
    temporal.api.errordetails.v1.WorkflowNotReadyFailure.encode({}).finish(),
  ]);

export function alreadyStarted(workflowId: string, runId: string, startRequestId: string): ApiError {
  const detail = temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure.encode({
    startRequestId,
    runId,
  }).finish();
  return new ApiError(
    status.ALREADY_EXISTS,
    `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${runId}.`,
    ['temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure', detail],
  );
}

export function namespaceNotFound(namespace: string): ApiError {
  const detail = temporal.api.errordetails.v1.NamespaceNotFoundFailure.encode({ namespace }).finish();
  return new ApiError(status.NOT_FOUND, `Namespace ${namespace} is not found.`, [
    'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
    detail,
  ]);
}

export function alreadyCompleted(): ApiError {
  return notFound('workflow execution already completed');
}

/** serviceerror.MultiOperationAborted: the operation was not attempted because another one failed. */
export const MULTI_OPERATION_ABORTED = new ApiError(status.ABORTED, 'Operation was aborted.', [
  'temporal.api.failure.v1.MultiOperationExecutionAborted',
  temporal.api.failure.v1.MultiOperationExecutionAborted.encode({}).finish(),
]);

/**
 * serviceerror.MultiOperationExecution of a real server: one status per operation (the failed one
 * with its own code and details, the others ABORTED), and the first failed operation's code.
 */
export function multiOperationError(message: string, errors: (ApiError | undefined)[]): ApiError {
  const statuses = errors.map((err) => ({
    code: err?.code ?? status.OK,
    message: err?.message ?? '',
    details: err?.detail
      ? [{ type_url: `type.googleapis.com/${err.detail[0]}`, value: err.detail[1] } as P<google.protobuf.IAny>]
      : [],
  }));
  const first = errors.find((err) => err && err !== MULTI_OPERATION_ABORTED);
  const detail = temporal.api.errordetails.v1.MultiOperationExecutionFailure.encode({ statuses }).finish();
  return new ApiError(first?.code ?? status.ABORTED, message, [
    'temporal.api.errordetails.v1.MultiOperationExecutionFailure',
    detail,
  ]);
}
