/**
 * Process instances through the Camunda REST API: create (optionally awaiting the result),
 * cancel, search, read. The same permissions and child rules as /api/process-instances; a
 * Camunda instance has no business key, so caseworkers and safeguarding leads (who start
 * processes only for a child) cannot start one here.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { CompiledGraph } from '../../../bpmn/graph';
import { definitionById } from '../../../records/definitions';
import { instanceKeyById } from '../../../records/process-instances';
import { enqueueProcessCommand } from '../../../records/process-outbox';
import { inTransaction } from '../../../records/sql';
import type { DeliveryOutcome } from '../../../engine-client/process-outbox';
import { deliverNow } from '../../process-outbox';
import { DefinitionStore, type DefinitionVersionWithGraph } from '../../../records/definition-store';
import { cancelInstanceSignal, type ProcessInstanceResult } from '../../../workflows/contract';
import { ApiError } from '../../api-error';
import { audit } from '../../audit/audit-builder';
import { auditBeforeEngine } from '../../audit/audit-before-engine';
import { me, type RequestContext } from '../../request-context';
import { noContent, ok } from '../../route-definition';
import { keyDerivedProblems, mustMayStart, startContract, type StartContract } from '../../access/start-policy';
import { formFieldsOf, validateFormData } from '../../tasks/form-validation';
import { insertStartedInstance } from '../../../records/process-instance-rows';
import { camundaError, DEFAULT_TENANT, isKey, mustBeDefaultTenant, num, type CamundaRoute } from '../camunda-route';
import { instanceResult, openInstanceByKey } from '../instances';
import { awaitCancellation, hasCancelingListeners, TaskListenerRefusal } from '../../tasks/task-listeners';
import { pageOf, pageResult } from '../search';
import { searchV2Instances } from '../../../records/v2-search';

/** How long a create with awaitCompletion waits when the request names no timeout. */
const DEFAULT_AWAIT_MS = 10_000;
const MAX_AWAIT_MS = 5 * 60_000;
/** Between tries of a start an awaiting create needs while the engine does not answer. */
const START_RETRY_MS = 500;

function engineOf(ctx: RequestContext) {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  return ctx.deps.engine;
}

async function definitionFor(ctx: RequestContext, body: Record<string, unknown>): Promise<DefinitionVersionWithGraph> {
  const store = new DefinitionStore(ctx.deps.db.sequelize);
  if (body.processDefinitionKey !== undefined) {
    const key = String(body.processDefinitionKey);
    const row = isKey(key) ? await definitionById(ctx.deps.db, Number(key)) : null;
    const d = row ? await store.withGraph(row.key, row.version) : null;
    if (!d) throw camundaError.notFound(`No process definition has key ${key}`);
    return d;
  }
  const id = String(body.processDefinitionId);
  const asked = num(body.processDefinitionVersion);
  const version = asked !== undefined && asked > 0 ? asked : undefined;
  const d = await store.withGraph(id, version);
  if (!d)
    throw camundaError.notFound(
      `No process definition ${id}${version === undefined ? '' : ` version ${version}`} is deployed`,
    );
  return d;
}

function pick(variables: Record<string, unknown>, names: unknown): Record<string, unknown> {
  if (!Array.isArray(names) || names.length === 0) return variables;
  return Object.fromEntries(Object.entries(variables).filter(([k]) => names.includes(k)));
}

async function awaitResult(ctx: RequestContext, id: string, timeoutMs: number): Promise<ProcessInstanceResult> {
  const handle = engineOf(ctx).client.workflow.getHandle(id);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new ApiError(504, 'DEADLINE_EXCEEDED', `The process instance did not complete within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([handle.result() as Promise<ProcessInstanceResult>, timeout]);
  } catch (e) {
    if (e instanceof WorkflowFailedError)
      throw camundaError.invalidState(`The process instance ended with an error: ${e.cause?.message ?? e.message}`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

const isDelivered = (o: DeliveryOutcome | null) => o?.status === 'delivered' || o?.status === 'delivered-before';

/**
 * A create awaiting its result needs the instance started: while the engine does not answer the
 * start is tried again until the deadline (the relay may deliver it meanwhile), then the request
 * times out and the start stays in the outbox for the relay.
 */
async function startedBefore(
  ctx: RequestContext,
  outboxId: string,
  first: DeliveryOutcome | null,
  deadline: number,
): Promise<void> {
  let outcome = first;
  while (!isDelivered(outcome)) {
    if (Date.now() + START_RETRY_MS > deadline)
      throw new ApiError(
        504,
        'DEADLINE_EXCEEDED',
        'The process engine did not answer in time: the process instance starts once it does',
      );
    await new Promise((r) => setTimeout(r, START_RETRY_MS));
    outcome = await deliverNow(ctx, outboxId);
  }
}

/** The start event a create reaches (Camunda: the none start event) and its contract; none is a 409. */
function contractOf(graph: CompiledGraph): StartContract {
  try {
    return startContract(graph, undefined);
  } catch (e) {
    if (e instanceof ApiError) throw camundaError.invalidState(e.message);
    throw e;
  }
}

/**
 * Variables of a create: any, as Camunda takes them (the instance has no business key, so it is
 * about no child), except the key-derived ones (`nhsNumber`, `childId`), which no request sets;
 * where the start event has a form, its fields must be present and of their type.
 */
function mustFitStart(contract: StartContract, variables: Record<string, unknown>): void {
  const formKeys = new Set(formFieldsOf(contract.form).map((f) => f.key));
  const problems = [
    ...keyDerivedProblems(variables, 'body.variables'),
    ...(contract.form
      ? validateFormData(
          contract.form,
          Object.fromEntries(Object.entries(variables).filter(([k]) => formKeys.has(k))),
          'body.variables',
        )
      : []),
  ];
  if (problems.length > 0)
    throw camundaError.invalid(
      `The variables do not match what ${contract.startEvent.id} takes: ${problems.map((p) => p.field).join(', ')}`,
      problems,
    );
}

export const processInstanceRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/process-instances',
    summary: 'Create a process instance',
    access: 'instances.start',
    operation: 'createProcessInstance',
    handler: async ({ body }, ctx) => {
      mustBeDefaultTenant(body.tenantId);
      if ((body.startInstructions?.length ?? 0) > 0 || (body.runtimeInstructions?.length ?? 0) > 0)
        throw camundaError.invalid('Start and runtime instructions are not supported yet', [
          { field: 'body.startInstructions', message: 'is not supported yet' },
        ]);
      const principal = me(ctx);
      if (principal.role === 'caseworker' || principal.role === 'safeguarding_lead')
        throw camundaError.forbidden(
          'Caseworkers and safeguarding leads start processes for a child, through /api/process-instances with the NHS number as business key',
        );
      engineOf(ctx);
      const d = await definitionFor(ctx, body);
      const contract = contractOf(d.graph as CompiledGraph);
      // The start contract of /api (api/access/start-policy.ts): roles by kind of start event, so
      // a message or timer start cannot be forged here either.
      mustMayStart(contract, d.key, principal.role);
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      mustFitStart(contract, variables);
      const id = `${d.key}-${randomUUID()}`;
      // The row, its audit and the start are written together; the start is delivered now when
      // the engine answers, else by the process outbox relay once it does (the key is ours, so
      // the answer does not wait for the engine unless the request awaits the result).
      const { key, outboxId } = await inTransaction(ctx.deps.db, async (tx) => {
        await insertStartedInstance(tx, {
          id,
          definitionId: d.id,
          businessKey: null,
          startedBy: principal.id,
          startedAt: ctx.now(),
        });
        const instanceKey = await instanceKeyById(tx, id);
        await audit(tx, ctx, {
          action: 'process_instance.start',
          entityType: 'process_instance',
          entityId: id,
          detail: {
            key: d.key,
            version: d.version,
            processInstanceKey: instanceKey,
            startEventId: contract.startEvent.id,
            startKind: contract.kind,
            variables: Object.keys(variables),
            api: 'v2',
          },
        });
        const outboxId = await enqueueProcessCommand(tx, `v2-start:${id}`, {
          kind: 'start',
          start: { workflowId: id, definitionId: d.id, businessKey: null, variables, startedBy: principal.id },
        });
        return { key: instanceKey!, outboxId };
      });
      const outcome = await deliverNow(ctx, outboxId);
      const created = {
        processDefinitionId: d.key,
        processDefinitionVersion: d.version,
        tenantId: DEFAULT_TENANT,
        variables: {} as Record<string, unknown>,
        processDefinitionKey: String(d.id),
        processInstanceKey: key,
      };
      if (body.awaitCompletion === true) {
        const asked = num(body.requestTimeout) ?? 0;
        const deadline = Date.now() + Math.min(asked > 0 ? asked : DEFAULT_AWAIT_MS, MAX_AWAIT_MS);
        await startedBefore(ctx, outboxId, outcome, deadline);
        const result = await awaitResult(ctx, id, Math.max(deadline - Date.now(), 1));
        created.variables = pick(result.variables, body.fetchVariables);
      }
      return ok(created);
    },
  },
  {
    method: 'post',
    path: '/process-instances/search',
    summary: 'Search process instances',
    access: 'instances.read',
    operation: 'searchProcessInstances',
    handler: async ({ body }, ctx) => {
      const filter = (body.filter ?? {}) as Record<string, unknown>;
      const page = pageOf(body.page);
      const { rows, total } = await searchV2Instances(
        ctx.deps.db,
        { filter, sort: body.sort, ...page },
        me(ctx).localityIds,
        filter.tenantId === undefined || filter.tenantId === DEFAULT_TENANT,
      );
      for (const r of rows.filter((r) => r.childId !== null))
        await audit(ctx.deps.db, ctx, {
          action: 'process_instance.list',
          entityType: 'process_instance',
          entityId: r.id,
          childId: r.childId,
          detail: { key: r.processKey, api: 'v2' },
        });
      return ok({ items: rows.map(instanceResult), page: pageResult(page, rows.length, total) });
    },
  },
  {
    method: 'get',
    path: '/process-instances/:processInstanceKey',
    summary: 'Read a process instance',
    access: 'instances.read',
    handler: async ({ path }, ctx) => {
      const { instance, brokeGlass } = await openInstanceByKey(ctx, path.processInstanceKey, 'process_instance.read');
      await audit(ctx.deps.db, ctx, {
        action: 'process_instance.read',
        entityType: 'process_instance',
        entityId: instance.id,
        childId: instance.childId,
        detail: { brokeGlass, api: 'v2' },
      });
      return ok(instanceResult(instance));
    },
  },
  {
    method: 'post',
    path: '/process-instances/:processInstanceKey/cancellation',
    summary: 'Cancel a process instance',
    access: 'instances.cancel',
    operation: 'cancelProcessInstance',
    handler: async ({ path }, ctx) => {
      const engine = engineOf(ctx);
      const { instance, brokeGlass } = await openInstanceByKey(ctx, path.processInstanceKey, 'process_instance.cancel');
      if (instance.status !== 'running' && instance.status !== 'incident')
        throw camundaError.notFound(`The process instance ${path.processInstanceKey} is not active`);
      // The audit row is committed before the engine is told (a `.failed` row if it refuses).
      await auditBeforeEngine(
        ctx,
        {
          action: 'process_instance.cancel',
          entityType: 'process_instance',
          entityId: instance.id,
          childId: instance.childId,
          detail: { key: instance.processKey, version: instance.version, brokeGlass, api: 'v2' },
        },
        async () => {
          try {
            await engine.client.workflow.getHandle(instance.id).signal(cancelInstanceSignal, {
              reason: 'cancelled through the Camunda REST API',
              actor: me(ctx).username,
            });
          } catch (e) {
            if (e instanceof WorkflowNotFoundError)
              throw camundaError.notFound('The process instance is no longer running');
            throw e;
          }
        },
      );
      // As Camunda: answered once cancelled, which waits for the tasks' canceling listeners.
      if (await hasCancelingListeners(ctx, instance.processKey, instance.version))
        await awaitCancellation(ctx, instance.id).catch((e: unknown) => {
          if (e instanceof TaskListenerRefusal && e.kind === 'pending')
            throw new ApiError(504, 'DEADLINE_EXCEEDED', e.message);
          throw e;
        });
      return noContent();
    },
  },
];
