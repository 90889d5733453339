import { randomUUID } from 'node:crypto';
import { deliverMessage, planMessage } from '../../engine-client/publish-message';
import type { PublishMessageInput } from '../../workflows/contract';
import { openChildById } from '../access/child-access';
import { isMessageWaitedFor, mustFitMessageContract } from '../access/message-contract';
import { keyDerivedVariables } from '../access/start-policy';
import { auditBeforeEngine } from '../audit/audit-before-engine';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { childOfKey } from './process-instances-access';
import { engineOf } from './process-instances-engine';
import { publishBody } from './process-instances-schemas';

/** POST /api/messages: planned, checked against the message contract (api/access/message-contract.ts), audited, then delivered. */
export const messageRoutes = [
  defineRoute({
    method: 'post',
    path: '/messages',
    tag: 'process-instances',
    summary: 'Publish a message to the process instances it correlates with',
    access: 'messages.publish',
    schemas: { body: publishBody },
    responses: {
      200: 'Signalled to every running instance whose business key is the correlation key, and started every process with a message start event of that name',
    },
    handler: async ({ body }, ctx) => {
      const engine = engineOf(ctx);
      const principal = me(ctx);
      const m: PublishMessageInput = {
        name: body.name,
        correlationKey: body.correlationKey,
        variables: body.variables,
        sourceInstanceId: '',
      };
      const plan = await planMessage(ctx.deps.db.sequelize, m);
      const waitedFor = (await isMessageWaitedFor(ctx.deps.db, body.name)) || plan.instanceIds.length > 0;
      mustFitMessageContract(plan, body, principal, waitedFor);
      // A message keyed by a child's NHS number changes that child's processes: the child rule
      // applies to staff; integration accounts send events about any child, as the event routes do.
      const child = await childOfKey(ctx, body.correlationKey);
      const brokeGlass =
        child && principal.role !== 'integration' ? await openChildById(ctx, child, 'message.publish') : false;
      const messageId = body.messageId ?? randomUUID();
      const sent: PublishMessageInput = {
        ...m,
        variables:
          plan.starters.length > 0
            ? { ...body.variables, ...keyDerivedVariables(body.correlationKey) }
            : body.variables,
      };
      // The audit row names every target and is committed before the first signal or start.
      const result = await auditBeforeEngine(
        ctx,
        {
          action: 'message.publish',
          entityType: 'message',
          entityId: body.name,
          childId: child?.id ?? null,
          detail: {
            correlationKey: body.correlationKey,
            messageId,
            variables: Object.keys(body.variables),
            instances: plan.instanceIds,
            starts: plan.starters.map((d) => `${d.key}:${d.version}`),
            brokeGlass,
          },
        },
        () =>
          deliverMessage(
            { sequelize: ctx.deps.db.sequelize, client: engine.client, taskQueue: engine.taskQueue },
            sent,
            plan,
            messageId,
          ),
      );
      return ok({ name: body.name, correlationKey: body.correlationKey, messageId, ...result });
    },
  }),
];
