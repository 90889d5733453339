/**
 * The heat map of a definition version: how many of its running instances are at each
 * element now, and how many of those an incident holds. Built from each instance's own
 * state (the workflow is the truth; the database does not mirror element positions), so it
 * reads at most MAX_INSTANCES instances, newest first, and says when it counted fewer than run.
 */
import { z } from 'zod';
import { activeInstancesOfVersion } from '../../records/process-instance-stats';
import { DefinitionStore } from '../../records/definition-store';
import { ApiError } from '../api-error';
import { defineRoute, ok } from '../route-definition';
import type { RequestContext } from '../request-context';
import { queryState } from './process-instances-engine';
import { definitionVersionParams } from './process-definitions-schemas';

export const MAX_INSTANCES = 500;
const CONCURRENCY = 8;

const statsSchema = z.object({
  key: z.string(),
  version: z.number().int(),
  running: z.number().int().meta({ description: 'Instances still going on this version' }),
  counted: z.number().int().meta({ description: 'Of those, how many were read (the newest first)' }),
  unavailable: z.number().int().meta({ description: 'Instances whose state the engine did not give' }),
  elements: z.array(
    z.object({
      elementId: z.string(),
      active: z.number().int().meta({ description: 'Instances at this element now' }),
      incidents: z.number().int().meta({ description: 'Open incidents at this element' }),
    }),
  ),
});

async function countElements(ctx: RequestContext, ids: string[]) {
  const active = new Map<string, number>();
  const incidents = new Map<string, number>();
  let unavailable = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const live = await queryState(ctx, id);
      if ('unavailable' in live) {
        unavailable++;
        continue;
      }
      // An instance counts once per element, however many tokens it has there.
      const here = new Set(live.state.active.filter((a) => a.kind !== 'process').map((a) => a.elementId));
      for (const elementId of here) active.set(elementId, (active.get(elementId) ?? 0) + 1);
      for (const i of live.state.incidents) incidents.set(i.elementId, (incidents.get(i.elementId) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
  const elementIds = [...new Set([...active.keys(), ...incidents.keys()])].sort();
  return {
    unavailable,
    elements: elementIds.map((elementId) => ({
      elementId,
      active: active.get(elementId) ?? 0,
      incidents: incidents.get(elementId) ?? 0,
    })),
  };
}

export const processElementStatsRoutes = [
  defineRoute({
    method: 'get',
    path: '/process-definitions/:key/versions/:version/element-stats',
    tag: 'process-definitions',
    summary: 'How many running instances of a version are at each element now (the heat map)',
    access: 'instances.read',
    schemas: { params: definitionVersionParams },
    responses: {
      200: `Counts per element over the running instances (at most the newest ${MAX_INSTANCES}); no child is named`,
    },
    responseSchemas: { 200: statsSchema },
    handler: async ({ params }, ctx) => {
      const d = await new DefinitionStore(ctx.deps.db.sequelize).withGraph(params.key, params.version);
      if (!d || d.version !== params.version)
        throw ApiError.notFound(`Process definition ${params.key} has no version ${params.version}`);
      const { ids, total } = await activeInstancesOfVersion(ctx.deps.db, params.key, params.version, MAX_INSTANCES);
      const counted = await countElements(ctx, ids);
      return ok({ key: params.key, version: params.version, running: total, counted: ids.length, ...counted });
    },
  }),
];
