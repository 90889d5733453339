/**
 * Activity interceptor: an activity scheduled by a workflow that a request started or woke
 * (workflows/request-id-interceptors.ts) runs in that request's context, so its log lines (the
 * SDK's activity logger and our own logger) carry the request id, and the workflows it starts
 * or signals receive it in turn.
 */
import type { ActivityInterceptors } from '@temporalio/worker';
import { runWithRequestId } from '../core/request-context';
import { requestIdInHeaders } from '../core/request-id';

export function requestIdActivityInterceptors(): ActivityInterceptors {
  let requestId: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        requestId = requestIdInHeaders(input.headers);
        return requestId ? runWithRequestId(requestId, () => next(input)) : next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
    },
  };
}
