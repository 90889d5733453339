/**
 * POST /v2/signals/broadcast: a BPMN signal reaches every open signal subscription (catch,
 * boundary and event sub-process start events of running instances) and starts one instance of
 * every process whose latest version has a signal start event of that name, as in Camunda 8.
 *
 * Security, as for messages (./messages.ts): the broadcast is planned first (whom it reaches),
 * held to the signal contract (api/access/signal-contract.ts: who may broadcast, which variables),
 * the legitimate-relationship rule applies to every child whose instance it reaches (break glass
 * with X-Access-Reason, or a 403 and nothing delivered), and the audit row naming the instances
 * and starts is committed with the broadcast in the process outbox, before the first signal or
 * start. The broadcast is delivered now, or by the outbox relay once the engine answers (the
 * answer, a signal key, does not wait for the engine). Exactly the audited instances are signalled.
 */
import { randomUUID } from 'node:crypto';
import { planSignal } from '../../../engine-client/broadcast-signal';
import { enqueueProcessCommand } from '../../../records/process-outbox';
import { inTransaction } from '../../../records/sql';
import { childrenOfInstances } from '../../../records/process-instances';
import { nextKey } from '../../../records/resources';
import { openChildById } from '../../access/child-access';
import { mustFitSignalContract } from '../../access/signal-contract';
import { audit } from '../../audit/audit-builder';
import { deliverNow } from '../../process-outbox';
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
      engineOf(ctx);
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
      // The audit row and the broadcast are committed together; the broadcast is delivered now
      // when the engine answers, else by the process outbox relay once it does.
      const outboxId = await inTransaction(ctx.deps.db, async (tx) => {
        await audit(tx, ctx, {
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
        });
        return enqueueProcessCommand(tx, `v2-signal:${signalKey}`, {
          kind: 'signal',
          signal: {
            name,
            variables,
            instanceIds: plan.instanceIds,
            starts: plan.starters.map((d) => ({ definitionId: d.id, startEventId: d.startEventId })),
            broadcastKey: `v2-signal-${signalKey}-${randomUUID()}`,
          },
        });
      });
      await deliverNow(ctx, outboxId);
      return ok({ tenantId: DEFAULT_TENANT, signalKey });
    },
  },
];
