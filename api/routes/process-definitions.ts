import { currentDeploymentContext } from '../../deployment/deployment-context';
import { DefinitionStore } from '../../records/definition-store';
import { deployDefinition } from '../../deployment/deploy-definition';
import { timerStartDeployHook } from '../../workers/timer-start-schedules';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me, type RequestContext } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { definitionKeyParams, definitionVersionParams, deployBody } from './process-definitions-schemas';
import { activeInstancesByVersion } from '../../records/process-instance-stats';
import { definitionView, deployers, graphSummary, problemEntry, warningView } from './process-definitions-views';
import { diagramOf } from './process-definitions-xml';

const store = (ctx: RequestContext) => new DefinitionStore(ctx.deps.db.sequelize);
const noKey = (key: string) => ApiError.notFound(`No process definition has key ${key}`);

async function xmlReply(ctx: RequestContext, key: string, version: number | undefined) {
  const d = version === undefined ? await store(ctx).latest(key) : { version };
  const xml = d ? await store(ctx).xml(key, d.version) : null;
  if (!xml)
    throw version === undefined ? noKey(key) : ApiError.notFound(`Process definition ${key} has no version ${version}`);
  return { status: 200, body: xml, contentType: 'application/xml; charset=utf-8' };
}

export const processDefinitionRoutes = [
  defineRoute({
    method: 'post',
    path: '/process-definitions',
    tag: 'process-definitions',
    summary: 'Deploy a BPMN process definition',
    access: 'definitions.deploy',
    schemas: { body: deployBody },
    responses: {
      201: 'Deployed as the next version of its key',
      200: 'Unchanged: the XML is identical to the latest version, nothing written',
      413: 'The diagram is larger than 2 MB (256 KB when sent inside JSON)',
      415: 'Neither application/xml nor JSON',
      422: 'Refused: `errors` lists every problem by element id (field `body.xml#<elementId>`)',
    },
    handler: async ({ body }, ctx) => {
      const xml = await diagramOf(ctx.req, ctx.res, body.xml);
      const { sequelize } = ctx.deps.db;
      const outcome = await deployDefinition(sequelize, xml, {
        ...(await currentDeploymentContext(sequelize)),
        deployedBy: me(ctx).id,
        // A timer start event schedules instances from the moment it is deployed.
        ...(ctx.deps.engine ? { onDeployed: timerStartDeployHook(ctx.deps.engine) } : {}),
      });
      if (outcome.status === 'refused') {
        const errors = outcome.problems.filter((p) => p.severity === 'error');
        // Nothing of the diagram could be read: the body is malformed rather than a diagram with faults.
        if (errors.length > 0 && errors.every((p) => p.rule === 'xml' && !p.elementId)) {
          throw ApiError.badRequest('The body is not well-formed BPMN 2.0 XML', errors.map(problemEntry));
        }
        const elements = [...new Set(errors.flatMap((p) => (p.elementId ? [p.elementId] : [])))];
        throw ApiError.unprocessable(
          `The diagram cannot be deployed: ${errors.length} problem${errors.length === 1 ? '' : 's'}${elements.length ? ` (${elements.join(', ')})` : ''}`,
          errors.map(problemEntry),
        );
      }
      const d = outcome.definition;
      await audit(ctx.deps.db, ctx, {
        action: 'definition.deploy',
        entityType: 'process_definition',
        entityId: `${d.key}:${d.version}`,
        detail: { outcome: outcome.status, key: d.key, version: d.version, checksum: d.checksum.trim() },
      });
      return {
        status: outcome.status === 'deployed' ? 201 : 200,
        body: {
          status: outcome.status,
          definition: definitionView(d, await deployers(ctx.deps.db, [d])),
          warnings: outcome.warnings.map(warningView),
        },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions',
    tag: 'process-definitions',
    summary: 'List process definitions (the latest version of each key)',
    access: 'definitions.read',
    schemas: {},
    responses: {
      200: 'The latest version of every key, by key, with the instances still running on each version',
    },
    handler: async (_input, ctx) => {
      const latest = await store(ctx).latestOfEachKey();
      const names = await deployers(ctx.deps.db, latest);
      const counts = await activeInstancesByVersion(
        ctx.deps.db,
        latest.map((d) => d.key),
      );
      return ok({
        definitions: latest.map((d) => {
          const byVersion = counts
            .filter((c) => c.key === d.key)
            .map(({ version, running, incident }) => ({ version, running, incident }));
          return {
            ...definitionView(d, names),
            instances: {
              running: byVersion.reduce((n, c) => n + c.running, 0),
              incident: byVersion.reduce((n, c) => n + c.incident, 0),
              byVersion,
            },
          };
        }),
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions/:key/versions',
    tag: 'process-definitions',
    summary: 'List the versions of a process definition',
    access: 'definitions.read',
    schemas: { params: definitionKeyParams },
    responses: { 200: 'Every version of the key, newest first, with the instances still running on it' },
    handler: async ({ params }, ctx) => {
      const versions = await store(ctx).versions(params.key);
      if (versions.length === 0) throw noKey(params.key);
      const names = await deployers(ctx.deps.db, versions);
      const counts = new Map((await activeInstancesByVersion(ctx.deps.db, [params.key])).map((c) => [c.version, c]));
      return ok({
        key: params.key,
        versions: versions.map((d) => ({
          ...definitionView(d, names),
          instances: { running: counts.get(d.version)?.running ?? 0, incident: counts.get(d.version)?.incident ?? 0 },
        })),
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions/:key/versions/:version',
    tag: 'process-definitions',
    summary: 'Read one version of a process definition',
    access: 'definitions.read',
    schemas: { params: definitionVersionParams },
    responses: { 200: 'The version with a summary of its compiled graph (start events, tasks, messages, elements)' },
    handler: async ({ params }, ctx) => {
      const d = await store(ctx).withGraph(params.key, params.version);
      if (!d) {
        if (!(await store(ctx).latest(params.key))) throw noKey(params.key);
        throw ApiError.notFound(`Process definition ${params.key} has no version ${params.version}`);
      }
      return ok({ ...definitionView(d, await deployers(ctx.deps.db, [d])), compiled: graphSummary(d.graph) });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions/:key/xml',
    tag: 'process-definitions',
    summary: 'Read the BPMN XML of the latest version of a process definition',
    access: 'definitions.read',
    schemas: { params: definitionKeyParams },
    responses: { 200: 'application/xml: the diagram as deployed' },
    handler: async ({ params }, ctx) => xmlReply(ctx, params.key, undefined),
  }),
  defineRoute({
    method: 'get',
    path: '/process-definitions/:key/versions/:version/xml',
    tag: 'process-definitions',
    summary: 'Read the BPMN XML of one version of a process definition',
    access: 'definitions.read',
    schemas: { params: definitionVersionParams },
    responses: { 200: 'application/xml: the diagram as deployed' },
    handler: async ({ params }, ctx) => xmlReply(ctx, params.key, params.version),
  }),
];
