import { createHash, randomUUID } from 'node:crypto';
import { planMessage } from '../../engine-client/publish-message';
import { enqueueProcessCommand } from '../../records/process-outbox';
import { inTransaction } from '../../records/sql';
import type { PublishMessageInput } from '../../workflows/contract';
import { openChildById } from '../access/child-access';
import { isMessageWaitedFor, mustFitMessageContract } from '../access/message-contract';
import { keyDerivedVariables } from '../access/start-policy';
import { audit } from '../audit/audit-builder';
import { deliverNow } from '../process-outbox';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { childOfKey } from './process-instances-access';
import { engineOf } from './process-instances-engine';
import { publishBody } from './process-instances-schemas';

/**
 * POST /api/messages: planned, checked against the message contract (api/access/message-contract.ts),
 * then audited and written to the process outbox together, and delivered: now, or by the outbox
 * relay once the engine answers. The message id is the outbox row's key: publishing it again
 * writes nothing new to the outbox, and nothing is signalled or started again.
 */
export const messageRoutes = [
  defineRoute({
    method: 'post',
    path: '/messages',
    tag: 'process-instances',
    summary: 'Publish a message to the process instances it correlates with',
    access: 'messages.publish',
    schemas: { body: publishBody },
    responses: {
      200: 'Signalled to every running instance whose business key is the correlation key, and started every process with a message start event of that name. `queued` is true while the engine cannot be reached: the message is kept in the process outbox and delivered once it answers',
    },
    handler: async ({ body }, ctx) => {
      engineOf(ctx);
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
      // The audit row names every target; it is committed with the outbox row, before the first signal or start.
      const outboxId = await inTransaction(ctx.deps.db, async (tx) => {
        await audit(tx, ctx, {
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
        });
        // Keyed by the id together with the name and key, so one id reused for another message is not taken for a repeat.
        const key = createHash('sha256')
          .update(`${messageId}|${body.name}|${body.correlationKey ?? ''}`)
          .digest('hex');
        return enqueueProcessCommand(tx, `api-message:${key}`, {
          kind: 'publish',
          publish: {
            name: sent.name,
            correlationKey: sent.correlationKey,
            variables: sent.variables,
            sourceInstanceId: '',
            publishKey: messageId,
          },
        });
      });
      const outcome = await deliverNow(ctx, outboxId);
      // The counts are what this call did: a repeat of a delivered message delivers and starts nothing.
      const result = outcome?.status === 'delivered' ? outcome.result : { delivered: 0, started: 0 };
      const done = outcome?.status === 'delivered' || outcome?.status === 'delivered-before';
      return ok({
        name: body.name,
        correlationKey: body.correlationKey,
        messageId,
        delivered: result.delivered,
        started: result.started,
        queued: !done,
      });
    },
  }),
];
