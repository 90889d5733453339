/**
 * POST /v2/signals/broadcast: a BPMN signal reaches every open signal subscription (catch,
 * boundary and event sub-process start events of running instances) and starts one instance of
 * every process whose latest version has a signal start event of that name, as in Camunda 8.
 *
 * Security, as for messages (./messages.ts): the broadcast is planned first (whom it reaches),
 * held to the signal contract (api/access/signal-contract.ts: who may broadcast, which variables),
 * the legitimate-relationship rule applies to every child whose instance it reaches (break glass
 * with X-Access-Reason, or a 403 and nothing delivered), and the audit row naming the instances
 * and starts is committed before the first signal or start; a delivery that fails after it gets
 * a `.failed` row. Exactly the audited instances are signalled.
 */
import { randomUUID } from 'node:crypto';
import { deliverSignal, planSignal } from '../../../engine-client/broadcast-signal';
import { childrenOfInstances } from '../../../records/process-instances';
import { nextKey } from '../../../records/resources';
import { openChildById } from '../../access/child-access';
import { mustFitSignalContract } from '../../access/signal-contract';
import { auditBeforeEngine } from '../../audit/audit-before-engine';
import { me, type RequestContext } from '../../request-context';
import { ok } from '../../route-definition';
import { camundaError, DEFAULT_TENANT, mustBeDefaultTenant, type CamundaRoute } from '../camunda-route';

function engineOf(ctx: RequestContext) {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  return ctx.deps.engine;
}

export const signalRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/signals/broadcast',
    summary: 'Broadcast a signal',
    access: 'signals.broadcast',
    operation: 'broadcastSignal',
    handler: async ({ body }, ctx) => {
      mustBeDefaultTenant(body.tenantId);
      const engine = engineOf(ctx);
      const name = String(body.signalName);
      if (name.trim() === '')
        throw camundaError.invalid('The signal needs a name', [{ field: 'body.signalName', message: 'is empty' }]);
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      const plan = await planSignal(ctx.deps.db.sequelize, name);
      mustFitSignalContract(plan, variables, me(ctx));
      let brokeGlass = false;
      for (const child of await childrenOfInstances(ctx.deps.db, plan.instanceIds))
        if (await openChildById(ctx, child, 'signal.broadcast')) brokeGlass = true;
      const signalKey = await nextKey(ctx.deps.db);
      await auditBeforeEngine(
        ctx,
        {
          action: 'signal.broadcast',
          entityType: 'signal',
          entityId: name,
          detail: {
            signalKey,
            variables: Object.keys(variables),
            instances: plan.instanceIds,
            starts: plan.starters.map((d) => `${d.key}:${d.version}`),
            brokeGlass,
            api: 'v2',
          },
        },
        () =>
          deliverSignal(
            { sequelize: ctx.deps.db.sequelize, client: engine.client, taskQueue: engine.taskQueue },
            { name, variables },
            plan,
            `v2-signal-${signalKey}-${randomUUID()}`,
          ),
      );
      return ok({ tenantId: DEFAULT_TENANT, signalKey });
    },
  },
];
