import { randomUUID } from 'node:crypto';
import { publishMessage } from '../../activities/engine/publish-message';
import { openChildById } from '../access/child-access';
import { audit } from '../audit/audit-builder';
import { defineRoute, ok } from '../route-definition';
import { childOfKey } from './process-instances-access';
import { engineOf } from './process-instances-engine';
import { publishBody } from './process-instances-schemas';

export const messageRoutes = [
  defineRoute({
    method: 'post',
    path: '/messages',
    tag: 'process-instances',
    summary: 'Publish a message to the process instances it correlates with',
    access: 'instances.message',
    schemas: { body: publishBody },
    responses: {
      200: 'Signalled to every running instance whose business key is the correlation key, and started every process with a message start event of that name',
    },
    handler: async ({ body }, ctx) => {
      const engine = engineOf(ctx);
      // A message keyed by a child's NHS number changes that child's processes: the child rule applies.
      const child = await childOfKey(ctx, body.correlationKey);
      const brokeGlass = child ? await openChildById(ctx, child, 'message.publish') : false;
      const messageId = body.messageId ?? randomUUID();
      const result = await publishMessage(
        { sequelize: ctx.deps.db.sequelize, client: engine.client, taskQueue: engine.taskQueue },
        { name: body.name, correlationKey: body.correlationKey, variables: body.variables, sourceInstanceId: '' },
        messageId,
      );
      await audit(ctx.deps.db, ctx, {
        action: 'message.publish',
        entityType: 'message',
        entityId: body.name,
        childId: child?.id ?? null,
        detail: {
          correlationKey: body.correlationKey,
          messageId,
          variables: Object.keys(body.variables),
          ...result,
          brokeGlass,
        },
      });
      return ok({ name: body.name, correlationKey: body.correlationKey, messageId, ...result });
    },
  }),
];
