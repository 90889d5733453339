/**
 * The request id's rules, shared by the API (where it is given), the Temporal client, workflow
 * and activity interceptors that carry it (a Temporal header), and the logger that prints it.
 * Free of Node APIs: the workflow bundle imports it.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';

/** The Temporal header that carries a request id from a start, signal or update to the activities it leads to. */
export const REQUEST_ID_HEADER_KEY = 'chis-request-id';

const PLAIN_TOKEN = /^[A-Za-z0-9._:-]{8,128}$/;

/** A request id we print: a plain token, so a caller's value cannot forge or break a log line. */
export function isPlainRequestId(value: unknown): value is string {
  return typeof value === 'string' && PLAIN_TOKEN.test(value);
}

/** The request id a set of Temporal headers carries, if it is a plain token. */
export function requestIdInHeaders(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER_KEY];
  if (!payload) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    return isPlainRequestId(value) ? value : undefined;
  } catch {
    return undefined; // a foreign header is not a reason to fail a task
  }
}

/** The headers with the request id added (unchanged without one). */
export function headersWithRequestId(headers: Headers, requestId: string | undefined): Headers {
  return requestId ? { ...headers, [REQUEST_ID_HEADER_KEY]: defaultPayloadConverter.toPayload(requestId) } : headers;
}
