/**
 * For activity implementations: throw `bpmnError('NOT_FOUND', '…')` to raise a BPMN error in
 * the process (caught by an error boundary event or event sub-process) instead of failing
 * (which, after the retries, raises an incident). The catching event's scope gets `errorCode`,
 * `errorMessage` and `variables`.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { BPMN_ERROR_TYPE } from '../../workflows/contract';

export function bpmnError(
  errorCode: string,
  message?: string,
  variables?: Record<string, unknown>,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: BPMN_ERROR_TYPE,
    message: message ?? errorCode,
    details: [{ errorCode, ...(variables ? { variables } : {}) }],
    nonRetryable: true,
  });
}
