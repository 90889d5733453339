/**
 * Carries the request id of the HTTP request (or activity) being served into every workflow it
 * starts, signals or updates, as a Temporal header; the workflow passes it on to the activities
 * it schedules (workflows/request-id-interceptors.ts), whose log lines then carry it
 * (workers/request-id-activity-interceptor.ts). Work done outside a request carries none.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Headers } from '@temporalio/common';
import { currentRequestId } from '../core/request-context';
import { headersWithRequestId } from '../core/request-id';

const withRequestId = <T extends { readonly headers: Headers }>(input: T): T => ({
  ...input,
  headers: headersWithRequestId(input.headers, currentRequestId()),
});

export function requestIdClientInterceptor(): WorkflowClientInterceptor {
  return {
    startWithDetails: (input, next) => next(withRequestId(input)),
    signal: (input, next) => next(withRequestId(input)),
    signalWithStart: (input, next) => next(withRequestId(input)),
    startUpdate: (input, next) => next(withRequestId(input)),
    startUpdateWithStart: (input, next) =>
      next({
        ...input,
        workflowStartHeaders: headersWithRequestId(input.workflowStartHeaders, currentRequestId()),
        updateHeaders: headersWithRequestId(input.updateHeaders, currentRequestId()),
      }),
  };
}

/**
 * The client interceptors every Temporal client of CHIS Flow is built with; with tracing on,
 * also the SDK's OpenTelemetry interceptor (a span per start or signal, its context in a header).
 */
export const engineClientInterceptors = (
  options: { tracing?: boolean } = {},
): { workflow: WorkflowClientInterceptor[] } => ({
  workflow: [requestIdClientInterceptor(), ...(options.tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : [])],
});
