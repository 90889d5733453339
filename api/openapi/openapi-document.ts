import { z } from 'zod';
import { rolesFor } from '../access/policy';
import type { RouteDefinition } from '../route-definition';
import { ACCESS_REASON_MAX, ACCESS_REASON_MIN } from '../request-context';

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  [k: string]: unknown;
};

const toSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
};

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

const PROBLEM = {
  type: 'object',
  required: ['title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** Break glass: every signed-in route accepts a stated reason for opening a child outside the caller's localities. */
const ACCESS_REASON_PARAMETER = {
  name: 'X-Access-Reason',
  in: 'header',
  required: false,
  description:
    "Why the caller opens a child outside their localities (break glass): audited, and the child's locality's safeguarding leads alerted. " +
    'Without it such a request answers 403 with type urn:chis-flow:problem:access-reason-required.',
  schema: { type: 'string', minLength: ACCESS_REASON_MIN, maxLength: ACCESS_REASON_MAX },
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The OpenAPI 3.1 document, generated from the same route declarations and zod schemas the API runs on. */
export function openApiDocument(routes: readonly RouteDefinition[]) {
  const paths: Record<string, Record<string, unknown>> = {
    // Served by api/routes/health.ts, outside the declared case-work routes.
    '/health': {
      get: {
        tags: ['meta'],
        summary: 'Health of the API and its dependencies',
        operationId: 'getHealth',
        security: [],
        'x-roles': 'anyone',
        responses: { 200: { description: 'Every dependency is up' }, 503: { description: 'A dependency is down' } },
      },
    },
    '/health/live': {
      get: {
        tags: ['meta'],
        summary: 'Liveness: the process serves HTTP (asks no dependency)',
        operationId: 'getHealthLive',
        security: [],
        'x-roles': 'anyone',
        responses: {
          200: {
            description: 'The process is up',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['status'], properties: { status: { const: 'live' } } },
              },
            },
          },
        },
      },
    },
    '/health/ready': {
      get: {
        tags: ['meta'],
        summary: 'Readiness: PostgreSQL and Temporal both answer',
        operationId: 'getHealthReady',
        security: [],
        'x-roles': 'anyone',
        responses: {
          200: {
            description: 'Ready to serve requests',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['status'], properties: { status: { const: 'ready' } } },
              },
            },
          },
          503: {
            description:
              'Not ready; `unavailable` names the dependencies that did not answer (database, temporal) within 3 s',
            content: {
              'application/problem+json': {
                schema: {
                  allOf: [
                    { $ref: '#/components/schemas/Problem' },
                    {
                      type: 'object',
                      required: ['unavailable'],
                      properties: { unavailable: { type: 'array', items: { enum: ['database', 'temporal'] } } },
                    },
                  ],
                },
              },
            },
          },
        },
      },
    },
  };
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const roles = rolesFor(route.access);
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(route.responses)) {
      const body = route.responseSchemas?.[Number(status)];
      responses[status] = body
        ? { description, content: { 'application/json': { schema: toSchema(body, 'output') } } }
        : { description };
    }
    responses['400'] = problem('Invalid input; `errors` names each field');
    if (route.access !== 'public') {
      responses['401'] = problem('Not signed in');
      responses['403'] = problem('Role not allowed, missing CSRF token, or (for children) a reason is needed');
    }
    responses.default = problem('Any other error');
    (paths[path] ??= {})[route.method] = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/(^|[/-])([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`,
      'x-roles': roles,
      ...(route.access === 'public' ? { security: [] } : {}),
      parameters: [
        ...parameters(route.schemas.params, 'path'),
        ...parameters(route.schemas.query, 'query'),
        ...(route.access === 'public' ? [] : [ACCESS_REASON_PARAMETER]),
      ],
      ...(route.schemas.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.schemas.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'CHIS Flow case-work API',
      version: '0.1.0',
      description:
        'Sign in with POST /auth/login; the session is an HttpOnly cookie. Every change needs the X-CSRF-Token header. ' +
        "Opening a child outside your localities needs an X-Access-Reason header: it is audited and alerts the locality's safeguarding leads.",
    },
    servers: [{ url: '/api' }],
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'chis_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      },
    },
    security: [{ session: [], csrf: [] }],
    paths,
  };
}
