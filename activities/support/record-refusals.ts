/**
 * Activities are adapters: a records refusal (records/errors.ts) becomes the non-retryable
 * failure type the catalogue's retry policies name, and a broken process rule the BPMN error
 * the process catches. The message leads with the activity type.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ProcessRuleBroken, RecordRefusal, type RefusalKind } from '../../records/errors';
import { bpmnError } from '../engine/bpmn-error';

const FAILURE_TYPE: Record<RefusalKind, string> = {
  not_found: 'NotFoundError',
  // Retrying cannot make the input fit the record.
  invalid: 'ValidationError',
  conflict: 'ValidationError',
  forbidden: 'ValidationError',
  out_of_region: 'OutOfRegionError',
  no_contact_details: 'NoContactDetailsError',
};

export function activityFailureOf(type: string, error: unknown): unknown {
  if (error instanceof ProcessRuleBroken) return bpmnError(error.code, `${type}: ${error.message}`);
  if (error instanceof RecordRefusal)
    return ApplicationFailure.nonRetryable(`${type}: ${error.message}`, FAILURE_TYPE[error.kind]);
  return error;
}

/** Runs a records operation for activity `type`, translating its refusals. */
export async function asActivity<T>(type: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw activityFailureOf(type, error);
  }
}
