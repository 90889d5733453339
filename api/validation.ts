import { z } from 'zod';
import { nhsNumberProblem, normaliseNhsNumber } from '../core/nhs-number';
import { ApiError, type FieldProblem } from './api-error';

/** The parts of a request a route may declare a schema for. */
export interface RouteSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Out<T> = T extends z.ZodType ? z.output<T> : Record<string, never>;
export interface RouteInput<S extends RouteSchemas> {
  params: Out<S['params']>;
  query: Out<S['query']>;
  body: Out<S['body']>;
}

/** An NHS number, spaces allowed; refused with core/nhs-number's own words; normalised to 10 digits. */
export const nhsNumber = () =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = nhsNumberProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform(normaliseNhsNumber)
    .meta({ description: 'NHS number: 10 digits with a valid Modulus 11 check digit', examples: ['9434765919'] });

/** A calendar date as YYYY-MM-DD that exists. */
export const isoDate = () => z.iso.date({ error: 'must be a date as YYYY-MM-DD' });

/** Page size for list endpoints. */
export const pageLimit = (fallback = 25) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(fallback);

function problemsOf(part: string, error: z.ZodError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ field: `${path}.${key}`, message: 'is not an allowed field' });
    } else {
      problems.push({ field: path, message: issue.message });
    }
  }
  return problems;
}

/** Parses params, query and body against the route's schemas; every problem is reported at once. */
export function parseInput<S extends RouteSchemas>(
  schemas: S,
  raw: { params: unknown; query: unknown; body: unknown },
): RouteInput<S> {
  const problems: FieldProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = schemas[part];
    const value = raw[part];
    if (!schema) {
      // Undeclared parts must be empty (no body, or `{}`): a body sent to a route that takes none is a client mistake.
      if (Array.isArray(value)) problems.push({ field: part, message: 'must be an object or absent, not a list' });
      const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
      for (const key of keys) problems.push({ field: `${part}.${key}`, message: 'is not an allowed field' });
      out[part] = {};
      continue;
    }
    const result = schema.safeParse(part === 'body' && value === undefined ? {} : value);
    if (result.success) out[part] = result.data;
    else problems.push(...problemsOf(part, result.error));
  }
  if (problems.length > 0) {
    const names = [...new Set(problems.map((p) => p.field))].join(', ');
    throw ApiError.badRequest(`The request is not valid: ${names}`, problems);
  }
  return out as unknown as RouteInput<S>;
}
