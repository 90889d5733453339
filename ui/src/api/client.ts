/**
 * The one way the UI talks to the API: same-origin fetch with the session cookie, the CSRF
 * header on every change, the stated access reason when there is one, and problem+json
 * turned into ApiProblem. A 401 outside sign-in tells the app (it shows sign-in and comes back).
 */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Problem types the UI acts on (the API's `type` member). */
export const PROBLEM = {
  accessReasonRequired: 'urn:chis-flow:problem:access-reason-required',
  taskConflict: 'urn:chis-flow:problem:task-conflict',
  tooManySignIns: 'urn:chis-flow:problem:too-many-sign-in-attempts',
} as const;

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly type: string,
    readonly errors: FieldProblem[],
    readonly extra: Record<string, unknown>,
    readonly retryAfterSeconds: number | null,
  ) {
    super(detail || title);
    this.name = 'ApiProblem';
  }
  is(type: string): boolean {
    return this.type === type;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;
let lastRequestAt = 0;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401 (the session ended): the app shows sign-in. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** When the browser last talked to the API (the server's idle timer slides on requests). */
export function lastApiRequestAt(): number {
  return lastRequestAt;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** X-Access-Reason: why the caller opens a child outside their localities (break glass). */
  accessReason?: string | null;
  signal?: AbortSignal;
  /** Don't treat a 401 as "session ended" (sign-in itself, the initial who-am-I). */
  quietUnauthorized?: boolean;
  /** Read the answer as text (e.g. a BPMN diagram) instead of JSON. */
  text?: boolean;
}

async function problemFrom(res: Response): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's error page): fall back to the status
  }
  const { type, title, status: _status, detail, errors, instance: _instance, ...extra } = body;
  const retryAfter = Number(res.headers.get('Retry-After'));
  return new ApiProblem(
    res.status,
    typeof title === 'string' ? title : res.statusText || `HTTP ${res.status}`,
    typeof detail === 'string' ? detail : '',
    typeof type === 'string' ? type : 'about:blank',
    Array.isArray(errors) ? (errors as FieldProblem[]) : [],
    extra,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: options.text ? 'application/xml, text/plain' : 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.accessReason) headers['x-access-reason'] = options.accessReason;
  lastRequestAt = Date.now();
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiProblem(
      0,
      'No connection',
      'CHIS Flow could not be reached. Check your connection and try again.',
      'about:blank',
      [],
      {},
      null,
    );
  }
  if (res.status === 204) return undefined as T;
  if (!res.ok) {
    const problem = await problemFrom(res);
    if (res.status === 401 && !options.quietUnauthorized) onUnauthorized?.();
    throw problem;
  }
  return (options.text ? await res.text() : await res.json()) as T;
}

/** Query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
