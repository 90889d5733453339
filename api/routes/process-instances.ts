/**
 * Process instances: start, list, read the live state, cancel, send a message, retry an incident.
 *
 * Who may do what (api/access/policy.ts):
 * - read and list: every staff role. An instance whose business key is a child's NHS number is
 *   part of that child's record, so the legitimate-relationship rule applies to every role,
 *   administrators included: within the caller's localities as is, otherwise only with
 *   X-Access-Reason (break glass: audited, the locality's safeguarding leads alerted). The list
 *   leaves out other localities' children unless a reason is given.
 * - start: service managers and administrators any process; caseworkers and safeguarding leads
 *   only for a child they may open (businessKey = the child's NHS number).
 * - cancel and send messages: service managers and administrators (operational corrections);
 *   retry an incident: administrators. The child rule applies to these too.
 * Every call that reaches an instance writes an audit event; the list, one per instance about a child.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { breakGlass, hasRelationship, openChildById } from '../access/child-access';
import { mustBeAwaitedBy, mustNotBeSystemMessage } from '../access/message-policy';
import {
  keyDerivedProblems,
  keyDerivedVariables,
  mustMatchStartForm,
  mustMayStart,
  startContract,
} from '../access/start-policy';
import { inTransaction } from '../../records/sql';
import { DefinitionStore } from '../../records/definition-store';
import { cancelInstanceSignal, correlateMessageSignal, retryIncidentUpdate } from '../../workflows/contract';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { auditBeforeEngine } from '../audit/audit-before-engine';
import { me } from '../request-context';
import { created, defineRoute, ok } from '../route-definition';
import { childOfKey, mustBeActive, openInstance } from './process-instances-access';
import { engineOf, instanceView, queryState, stateView } from './process-instances-engine';
import { insertStartedInstance, listInstances } from '../../records/process-instance-rows';
import { enqueueProcessCommand } from '../../records/process-outbox';
import { deliverNow } from '../process-outbox';
import { taskRowsOf } from '../../records/tasks/rows';
import {
  cancelBody,
  encodeInstanceCursor,
  incidentParams,
  instanceMessageBody,
  instanceParams,
  listQuery,
  retryBody,
  startBody,
} from './process-instances-schemas';

const TAG = 'process-instances';
const auditInstance = (childId: string | null, id: string) => ({
  entityType: 'process_instance',
  entityId: id,
  childId,
});

export const processInstanceRoutes = [
  defineRoute({
    method: 'post',
    path: '/process-instances',
    tag: TAG,
    summary: 'Start a process instance',
    access: 'instances.start',
    schemas: { body: startBody },
    responses: {
      201: 'Started on the latest (or the pinned) version; listed at once. `engineStarted` is false while the engine cannot be reached: the start is kept in the process outbox and made once it answers',
    },
    handler: async ({ body }, ctx) => {
      engineOf(ctx);
      const principal = me(ctx);
      const d = await new DefinitionStore(ctx.deps.db.sequelize).withGraph(body.key, body.version);
      if (!d) {
        const field = body.version === undefined ? 'body.key' : 'body.version';
        throw new ApiError(
          404,
          'Not Found',
          `No process definition ${body.key}${body.version === undefined ? '' : ` version ${body.version}`}`,
          [
            {
              field,
              message:
                body.version === undefined
                  ? 'is not a deployed process definition'
                  : 'is not a deployed version of this key',
            },
          ],
        );
      }
      const contract = startContract(d.graph, body.startEventId);
      mustMayStart(contract, d.key, principal.role);
      mustMatchStartForm(contract, body.variables, 'body.variables');
      const businessKey = body.businessKey ?? null;
      const child = await childOfKey(ctx, businessKey);
      if (!child && (principal.role === 'caseworker' || principal.role === 'safeguarding_lead')) {
        throw ApiError.forbidden(
          "Caseworkers and safeguarding leads start processes for a child: give the child's NHS number as businessKey",
        );
      }
      // Integration accounts send events about any child of the region, as the inbound-event routes do.
      const brokeGlass =
        child && principal.role !== 'integration' ? await openChildById(ctx, child, 'process_instance.start') : false;
      const id = `${d.key}-${randomUUID()}`;
      const startedAt = ctx.now();
      // Row, audit and the start command together (the process outbox); the start goes to the
      // engine now, or, while it cannot be reached, from the outbox relay once it answers.
      const outboxId = await inTransaction(ctx.deps.db, async (tx) => {
        await insertStartedInstance(tx, { id, definitionId: d.id, businessKey, startedBy: principal.id, startedAt });
        await audit(tx, ctx, {
          action: 'process_instance.start',
          ...auditInstance(child?.id ?? null, id),
          detail: {
            key: d.key,
            version: d.version,
            businessKey,
            startEventId: contract.startEvent.id,
            startKind: contract.kind,
            variables: Object.keys(body.variables),
            brokeGlass,
          },
        });
        return enqueueProcessCommand(tx, `api-start:${id}`, {
          kind: 'start',
          start: {
            workflowId: id,
            definitionId: d.id,
            businessKey,
            variables: { ...body.variables, ...keyDerivedVariables(businessKey) },
            startedBy: principal.id,
            ...(body.startEventId ? { startEventId: body.startEventId } : {}),
          },
        });
      });
      const outcome = await deliverNow(ctx, outboxId);
      return created({
        id,
        key: d.key,
        version: d.version,
        businessKey,
        status: 'running',
        startedBy: principal.username,
        startedAt,
        engineStarted: outcome?.status === 'delivered' || outcome?.status === 'delivered-before',
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-instances',
    tag: TAG,
    summary: 'List process instances',
    access: 'instances.read',
    schemas: { query: listQuery },
    responses: {
      200: "Newest first, filtered by key and version, status, business key, start day and open incident; instances about a child outside the caller's localities only with X-Access-Reason",
    },
    handler: async ({ query }, ctx) => {
      const principal = me(ctx);
      const { rows, more } = await listInstances(
        ctx.deps.db,
        {
          key: query.key,
          version: query.version,
          status: query.status,
          businessKey: query.businessKey,
          startedFrom: query.startedFrom,
          startedTo: query.startedTo,
          hasIncident: query.hasIncident,
          localityIds: ctx.accessReason ? null : principal.localityIds,
        },
        query.limit,
        query.cursor ?? null,
      );
      const opened = new Set<string>();
      for (const r of rows) {
        if (r.childId === null || r.childLocalityId === null) continue;
        const child = { id: r.childId, localityId: r.childLocalityId, nhsNumber: r.businessKey! };
        if (!opened.has(r.childId) && !hasRelationship(ctx, child))
          await breakGlass(ctx, child, 'process_instance.list');
        opened.add(r.childId);
        await audit(ctx.deps.db, ctx, {
          action: 'process_instance.list',
          ...auditInstance(r.childId, r.id),
          detail: { key: r.key },
        });
      }
      const last = rows[rows.length - 1];
      return ok({
        instances: rows.map(instanceView),
        next: more && last ? encodeInstanceCursor({ startedUs: last.startedUs, id: last.id }) : null,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/process-instances/:id',
    tag: TAG,
    summary: 'Read a process instance and its live state',
    access: 'instances.read',
    schemas: { params: instanceParams },
    responses: {
      200: 'The mirror row and the workflow state: active and completed elements with times, variables, incidents, open user tasks',
    },
    handler: async ({ params }, ctx) => {
      const { instance, brokeGlass } = await openInstance(ctx, params.id, 'process_instance.read');
      const live = await queryState(ctx, instance.id);
      const rows = new Map((await taskRowsOf(ctx.deps.db, instance.id)).map((t) => [t.id, t]));
      await audit(ctx.deps.db, ctx, {
        action: 'process_instance.read',
        ...auditInstance(instance.childId, instance.id),
        detail: { brokeGlass },
      });
      if ('unavailable' in live)
        return ok({
          ...instanceView(instance),
          state: null,
          stateUnavailable: live.unavailable,
          accessedWithReason: brokeGlass,
        });
      const state = stateView(live.state);
      return ok({
        ...instanceView(instance),
        state: {
          ...state,
          openUserTasks: state.openUserTasks.map((t) => {
            const row = rows.get(t.taskId);
            return {
              ...t,
              taskStatus: row?.status ?? null,
              assignee: row?.assignee ?? null,
              dueAt: row?.dueAt ?? null,
            };
          }),
        },
        accessedWithReason: brokeGlass,
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/process-instances/:id/cancel',
    tag: TAG,
    summary: 'Cancel a process instance',
    access: 'instances.cancel',
    schemas: { params: instanceParams, body: cancelBody },
    responses: {
      202: 'The cancel signal was delivered; the status becomes cancelled once the workflow has closed its elements and tasks and the canceling listeners of its open user tasks have run',
    },
    handler: async ({ params, body }, ctx) => {
      const engine = engineOf(ctx);
      const { instance, brokeGlass } = await openInstance(ctx, params.id, 'process_instance.cancel');
      mustBeActive(instance);
      await auditBeforeEngine(
        ctx,
        {
          action: 'process_instance.cancel',
          ...auditInstance(instance.childId, instance.id),
          reason: body.reason,
          detail: { key: instance.key, version: instance.version, brokeGlass },
        },
        async () => {
          try {
            await engine.client.workflow
              .getHandle(instance.id)
              .signal(cancelInstanceSignal, { reason: body.reason, actor: me(ctx).username });
          } catch (error) {
            if (error instanceof WorkflowNotFoundError)
              throw ApiError.conflict('The process instance is no longer running');
            throw error;
          }
        },
      );
      return { status: 202, body: { id: instance.id, status: 'cancelling', reason: body.reason } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/process-instances/:id/messages',
    tag: TAG,
    summary: 'Send a message to a process instance',
    access: 'instances.message',
    schemas: { params: instanceParams, body: instanceMessageBody },
    responses: {
      202: 'Delivered to the instance, which correlates it to a waiting event with the same name and key (or keeps it for timeToLiveMs)',
    },
    handler: async ({ params, body }, ctx) => {
      const engine = engineOf(ctx);
      mustNotBeSystemMessage(body.name, me(ctx).role);
      const problems = keyDerivedProblems(body.variables, 'body.variables');
      if (problems.length > 0)
        throw ApiError.unprocessable('A message may not change who the instance is about', problems);
      const { instance, brokeGlass } = await openInstance(ctx, params.id, 'process_instance.message');
      mustBeActive(instance);
      const definition = await new DefinitionStore(ctx.deps.db.sequelize).withGraph(instance.key, instance.version);
      if (definition) mustBeAwaitedBy(definition.graph, body.name);
      const correlationKey = body.correlationKey === undefined ? instance.businessKey : body.correlationKey;
      await auditBeforeEngine(
        ctx,
        {
          action: 'process_instance.message',
          ...auditInstance(instance.childId, instance.id),
          detail: { name: body.name, correlationKey, variables: Object.keys(body.variables), brokeGlass },
        },
        async () => {
          try {
            await engine.client.workflow.getHandle(instance.id).signal(correlateMessageSignal, {
              name: body.name,
              correlationKey,
              variables: body.variables,
              ...(body.timeToLiveMs ? { timeToLiveMs: body.timeToLiveMs } : {}),
            });
          } catch (error) {
            if (error instanceof WorkflowNotFoundError)
              throw ApiError.conflict('The process instance is no longer running');
            throw error;
          }
        },
      );
      return { status: 202, body: { id: instance.id, name: body.name, correlationKey } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/process-instances/:id/incidents/:incidentId/retry',
    tag: TAG,
    summary: 'Retry an incident of a process instance',
    access: 'instances.retry',
    schemas: { params: incidentParams, body: retryBody },
    responses: { 200: 'The workflow accepted the retry (the failed job runs again, or the element is re-evaluated)' },
    handler: async ({ params, body }, ctx) => {
      const engine = engineOf(ctx);
      const problems = keyDerivedProblems(body.variables ?? {}, 'body.variables');
      if (problems.length > 0)
        throw ApiError.unprocessable('A retry may not change who the instance is about', problems);
      const { instance, brokeGlass } = await openInstance(ctx, params.id, 'process_instance.retry_incident');
      mustBeActive(instance);
      const live = await queryState(ctx, instance.id);
      if ('unavailable' in live) throw new ApiError(503, 'Service Unavailable', live.unavailable);
      const incident = live.state.incidents.find((i) => i.id === params.incidentId);
      if (!incident) throw ApiError.notFound(`The process instance has no open incident ${params.incidentId}`);
      const result = await auditBeforeEngine(
        ctx,
        {
          action: 'process_instance.retry_incident',
          ...auditInstance(instance.childId, instance.id),
          detail: {
            incidentId: incident.id,
            elementId: incident.elementId,
            kind: incident.kind,
            variables: Object.keys(body.variables ?? {}),
            brokeGlass,
          },
        },
        async () => {
          try {
            return await engine.client.workflow.getHandle(instance.id).executeUpdate(retryIncidentUpdate, {
              args: [
                {
                  incidentId: incident.id,
                  actor: me(ctx).username,
                  ...(body.variables ? { variables: body.variables } : {}),
                },
              ],
            });
          } catch (error) {
            if (error instanceof WorkflowUpdateFailedError)
              throw ApiError.unprocessable(`The process refused the retry: ${error.cause?.message ?? error.message}`);
            if (error instanceof WorkflowNotFoundError)
              throw ApiError.conflict('The process instance is no longer running');
            throw error;
          }
        },
      );
      return ok({
        id: instance.id,
        incidentId: result.incidentId,
        elementId: incident.elementId,
        status: result.status,
      });
    },
  }),
];
