/**
 * Variables through the Camunda REST API: the live state of an instance's workflow (its process
 * scope and every active element instance's local variables), for the instances the filter
 * names. Values are JSON text, as Camunda gives them; keys are derived from instance, scope and
 * name, so the same variable keeps its key.
 */
import { createHash } from 'node:crypto';
import { elementInstanceKey } from '../../../records/element-keys';
import { instanceStateQuery, type InstanceStateView } from '../../../workflows/contract';
import { audit } from '../../audit/audit-builder';
import type { RequestContext } from '../../request-context';
import { ok } from '../../route-definition';
import { camundaError, DEFAULT_TENANT, type CamundaRoute } from '../camunda-route';
import { findInstanceByKey, openChild } from '../instances';
import { pageOf, pageResult } from '../search';

/** Variable values longer than this are truncated in a search (isTruncated), as Camunda does. */
const TRUNCATE_AT = 8191;

const variableKey = (instanceId: string, scope: string, name: string) =>
  BigInt(
    `0x${createHash('sha256').update(`${instanceId}\u0000${scope}\u0000${name}`).digest('hex').slice(0, 15)}`,
  ).toString();

function keysOf(filter: unknown): string[] {
  if (typeof filter === 'string') return [filter];
  const f = filter as { $eq?: unknown; $in?: unknown } | undefined;
  if (typeof f?.$eq === 'string') return [f.$eq];
  if (Array.isArray(f?.$in)) return f.$in.map(String);
  return [];
}

function matches(value: string, filter: unknown): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'string') return value === filter;
  const f = filter as { $eq?: unknown; $in?: unknown; $like?: unknown; $neq?: unknown };
  if (f.$eq !== undefined) return value === f.$eq;
  if (f.$neq !== undefined) return value !== f.$neq;
  if (Array.isArray(f.$in)) return f.$in.includes(value);
  if (typeof f.$like === 'string')
    return new RegExp(
      `^${f.$like
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(value);
  return true;
}

async function liveState(ctx: RequestContext, id: string): Promise<InstanceStateView> {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  return ctx.deps.engine.client.workflow.getHandle(id).query(instanceStateQuery);
}

export const variableRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/variables/search',
    summary: 'Search variables',
    access: 'instances.read',
    operation: 'searchVariables',
    handler: async ({ body }, ctx) => {
      const filter = (body.filter ?? {}) as Record<string, unknown>;
      const instanceKeys = keysOf(filter.processInstanceKey);
      if (instanceKeys.length === 0)
        throw camundaError.invalid('Name the process instance(s): filter.processInstanceKey', [
          { field: 'body.filter.processInstanceKey', message: 'is required here' },
        ]);
      const items: Array<Record<string, unknown>> = [];
      for (const key of instanceKeys) {
        const instance = await findInstanceByKey(ctx.deps.db, key);
        if (!instance) continue;
        const brokeGlass = await openChild(ctx, instance, 'process_instance.variables');
        const state = await liveState(ctx, instance.id);
        const scopes: Array<{ scopeKey: string; scopeId: string; variables: Record<string, unknown> }> = [
          { scopeKey: instance.key, scopeId: 'process', variables: state.variables },
        ];
        for (const a of state.active) {
          if (a.kind === 'process' || Object.keys(a.variables).length === 0) continue;
          scopes.push({
            scopeKey: await elementInstanceKey(ctx.deps.db, instance.id, a.elementInstanceId),
            scopeId: a.elementInstanceId,
            variables: a.variables,
          });
        }
        for (const s of scopes) {
          if (!matches(s.scopeKey, filter.scopeKey)) continue;
          for (const [name, value] of Object.entries(s.variables)) {
            if (!matches(name, filter.name)) continue;
            const text = JSON.stringify(value ?? null);
            if (filter.value !== undefined && !matches(text, filter.value)) continue;
            const variable = variableKey(instance.id, s.scopeId, name);
            if (!matches(variable, filter.variableKey)) continue;
            items.push({
              name,
              value: text.length > TRUNCATE_AT ? text.slice(0, TRUNCATE_AT) : text,
              isTruncated: text.length > TRUNCATE_AT,
              tenantId: DEFAULT_TENANT,
              variableKey: variable,
              scopeKey: s.scopeKey,
              processInstanceKey: instance.key,
            });
          }
        }
        await audit(ctx.deps.db, ctx, {
          action: 'process_instance.variables',
          entityType: 'process_instance',
          entityId: instance.id,
          childId: instance.childId,
          detail: { brokeGlass, api: 'v2' },
        });
      }
      const page = pageOf(body.page);
      const slice = items.slice(page.offset, page.offset + page.limit);
      return ok({ items: slice, page: pageResult(page, slice.length, items.length) });
    },
  },
];
