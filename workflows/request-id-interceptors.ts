/**
 * Workflow interceptors (bundled into the workflow code, see workers/workflow-bundle.ts): the
 * request id that came with the start, or with the latest signal or update (the request that
 * last woke the instance), goes on to every activity, child workflow and external signal the
 * instance schedules, and onto the workflow's own log lines. Headers change no command, so
 * histories replay as before.
 */
import type { Headers, WorkflowInterceptors, WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { headersWithRequestId, requestIdInHeaders } from '../core/request-id';

export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  let requestId: string | undefined;
  const take = (headers: Headers) => {
    requestId = requestIdInHeaders(headers) ?? requestId;
  };
  const give = <T extends { readonly headers: Headers }>(input: T): T => ({
    ...input,
    headers: headersWithRequestId(input.headers, requestId),
  });
  return {
    inbound: [
      {
        execute: (input, next) => {
          take(input.headers);
          return next(input);
        },
        handleSignal: (input, next) => {
          take(input.headers);
          return next(input);
        },
        handleUpdate: (input, next) => {
          take(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(give(input)),
        scheduleLocalActivity: (input, next) => next(give(input)),
        startChildWorkflowExecution: (input, next) => next(give(input)),
        signalWorkflow: (input, next) => next(give(input)),
        continueAsNew: (input, next) => next(give(input)),
        getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
      },
    ],
  };
};
