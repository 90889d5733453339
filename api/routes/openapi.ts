import type { RouteDefinition } from '../route-definition';
import { defineRoute, ok } from '../route-definition';
import { openApiDocument } from '../openapi/openapi-document';

/** GET /api/openapi.json: the document of `routes` (which include this route). */
export function openApiRoute(routes: () => readonly RouteDefinition[]) {
  let document: unknown;
  return defineRoute({
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'Read the OpenAPI document',
    access: 'public',
    schemas: {},
    responses: { 200: 'OpenAPI 3.1 document of every route' },
    handler: async () => ok((document ??= openApiDocument(routes()))),
  });
}
