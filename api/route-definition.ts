import type { z } from 'zod';
import type { Access } from './access/policy';
import type { RequestContext } from './request-context';
import type { RouteInput, RouteSchemas } from './validation';

export interface Reply {
  status: number;
  body?: unknown;
  /** For browser flows (OpenID Connect): where to send the browser, with `status` 302/303. */
  redirect?: string;
  /** Sends `body` (a string) as is with this media type instead of as JSON, e.g. application/xml. */
  contentType?: string;
}

/**
 * One route, declared once: method and path, who may call it, the schemas of its input, and
 * the handler. The router, the access check, the validation and the OpenAPI document all
 * come from these declarations.
 */
export interface RouteDefinition<S extends RouteSchemas = RouteSchemas> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path under /api, e.g. /children/:nhsNumber. */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  schemas: S;
  /** Successful response statuses with a description, for the OpenAPI document. */
  responses: Record<number, string>;
  /**
   * JSON bodies of successful responses, by status, for the OpenAPI document. Under test
   * (NODE_ENV=test) every response is checked against its schema, so the document cannot drift.
   */
  responseSchemas?: Partial<Record<number, z.ZodType>>;
  handler(input: RouteInput<S>, ctx: RequestContext): Promise<Reply>;
}

export function defineRoute<S extends RouteSchemas>(route: RouteDefinition<S>): RouteDefinition<S> {
  return route;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent = (): Reply => ({ status: 204 });
