/**
 * The request a piece of work is done for, across awaits (AsyncLocalStorage): set by the API for
 * each HTTP request and by the activity interceptor for each activity, read by the logger (every
 * line carries the id) and by the Temporal client interceptor (every start, signal and update
 * carries it to the workflow).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<{ requestId: string }>();

export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
