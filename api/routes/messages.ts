import { randomUUID } from 'node:crypto';
import { deliverMessage, planMessage, type MessagePlan } from '../../engine-client/publish-message';
import { anyDefinitionWaitsFor } from '../../records/definitions';
import type { StaffPrincipal } from '../../records/staff';
import type { PublishMessageInput } from '../../workflows/contract';
import { openChildById } from '../access/child-access';
import { CORRECTION_ROLES, mustNotBeSystemMessage } from '../access/message-policy';
import {
  keyDerivedProblems,
  keyDerivedVariables,
  mustMatchStartForm,
  mustMayStart,
  startContract,
} from '../access/start-policy';
import { ApiError } from '../api-error';
import { auditBeforeEngine } from '../audit/audit-before-engine';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { childOfKey } from './process-instances-access';
import { engineOf } from './process-instances-engine';
import { publishBody } from './process-instances-schemas';

/**
 * The message contract (api/access/message-policy.ts): a message that starts processes is held
 * to each start event's contract, as a start through POST /api/process-instances is; any other
 * message is a correction that some deployed process must wait for.
 */
function checkContract(
  plan: MessagePlan,
  m: { name: string; variables: Record<string, unknown> },
  principal: StaffPrincipal,
  waitedFor: boolean,
): void {
  mustNotBeSystemMessage(m.name, principal.role);
  if (plan.starters.length > 0) {
    for (const d of plan.starters) {
      const startEvent = Object.values(d.graph.nodes).find(
        (n) =>
          n.kind === 'startEvent' &&
          n.scopeId === d.graph.rootScopeId &&
          n.trigger.type === 'message' &&
          n.trigger.message.name.type === 'literal' &&
          n.trigger.message.name.value === m.name,
      );
      const contract = startContract(d.graph, startEvent?.id);
      mustMayStart(contract, d.key, principal.role);
      mustMatchStartForm(contract, m.variables, 'body.variables');
    }
    return;
  }
  if (!CORRECTION_ROLES.includes(principal.role))
    throw ApiError.forbidden(
      `Your role (${principal.role}) may not publish ${m.name}: it starts no process, and only ${CORRECTION_ROLES.join(', ')} send corrections to running processes`,
    );
  const problems = keyDerivedProblems(m.variables, 'body.variables');
  if (problems.length > 0) throw ApiError.unprocessable('A message may not change who a process is about', problems);
  if (!waitedFor) {
    const message = 'no deployed process starts on or waits for a message of this name';
    throw ApiError.unprocessable(`The message reaches nothing: ${message}`, [{ field: 'body.name', message }]);
  }
}

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
      const waitedFor = (await anyDefinitionWaitsFor(ctx.deps.db, body.name)) || plan.instanceIds.length > 0;
      checkContract(plan, body, principal, waitedFor);
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
