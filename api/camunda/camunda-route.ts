/**
 * One route of the Camunda REST API (/v2), declared once: method and path, the published
 * operation whose request schema checks it (published-schemas.ts), who may call it (the same
 * permissions as /api), and the handler. Errors leave as problem+json with Camunda's titles
 * (INVALID_ARGUMENT, NOT_FOUND, INVALID_STATE, FORBIDDEN...).
 */
import type { z } from 'zod';
import { ApiError, type FieldProblem } from '../api-error';
import type { Access } from '../access/policy';
import type { RequestContext } from '../request-context';
import type { Reply } from '../route-definition';
import type { ValidatedOperation } from './published-schemas';
import { droppedOperators, keepCursor } from './schema-gaps';

export interface CamundaInput {
  // The published schemas decide the shapes; handlers read what they need.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  path: Record<string, string>;
}

export interface CamundaRoute {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express path under /v2. */
  path: string;
  summary: string;
  access: Access;
  /** The operation whose published request schema validates `{ body, path }`; absent: no input. */
  operation?: ValidatedOperation;
  /** multipart/form-data (deployments): the handler reads the parts itself. */
  multipart?: true;
  handler(input: CamundaInput, ctx: RequestContext): Promise<Reply>;
}

export const camundaError = {
  invalid: (detail: string, problems: FieldProblem[] = []) => new ApiError(400, 'INVALID_ARGUMENT', detail, problems),
  notFound: (detail: string) => new ApiError(404, 'NOT_FOUND', detail),
  invalidState: (detail: string) => new ApiError(409, 'INVALID_STATE', detail),
  alreadyExists: (detail: string) => new ApiError(409, 'ALREADY_EXISTS', detail),
  forbidden: (detail: string) => new ApiError(403, 'FORBIDDEN', detail),
  unavailable: (detail: string) => new ApiError(503, 'UNAVAILABLE', detail),
};

/** Checks `{ body, path }` against the published schema; every problem at once, named by field. */
export function validateRequest(schema: z.ZodType, raw: { body: unknown; path: Record<string, string> }): CamundaInput {
  const envelope: Record<string, unknown> = { body: raw.body };
  if (Object.keys(raw.path).length > 0) envelope.path = raw.path;
  const result = schema.safeParse(envelope);
  if (result.success) {
    const data = result.data as { body?: unknown; path?: Record<string, string> };
    const dropped = droppedOperators(raw.body, data.body);
    if (dropped.length > 0)
      throw camundaError.invalid(
        `The request is not valid: ${[...new Set(dropped.map((p) => p.field))].join(', ')}`,
        dropped,
      );
    keepCursor(raw.body, data.body);
    return { body: data.body ?? {}, path: data.path ?? raw.path };
  }
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || 'body',
    message: issue.message,
  }));
  throw camundaError.invalid(
    `The request is not valid: ${[...new Set(problems.map((p) => p.field))].join(', ')}`,
    problems,
  );
}

/** Camunda's only tenant when multi-tenancy is off; any other tenant is refused. */
export const DEFAULT_TENANT = '<default>';

export function mustBeDefaultTenant(tenantId: unknown, field = 'body.tenantId'): void {
  if (tenantId === undefined || tenantId === null || tenantId === DEFAULT_TENANT) return;
  throw camundaError.invalid(`Multi-tenancy is not enabled: ${field} must be ${DEFAULT_TENANT} or absent`, [
    { field, message: `must be ${DEFAULT_TENANT}` },
  ]);
}

/**
 * A number from a validated body: the published schemas read durations and counts as int64
 * (bigint) or as numbers; absent or not a number gives undefined.
 */
export function num(value: unknown): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

/** A Camunda key in a path or body: decimal digits that fit a 64-bit number. */
export function isKey(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= 9223372036854775807n;
}
