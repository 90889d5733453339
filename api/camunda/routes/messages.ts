/**
 * Messages through the Camunda REST API, with Camunda 8's correlation rules
 * (engine-client/publish-message.ts, mode `camunda`): by each waiting subscription's own
 * correlation key, at most once per process, kept for its time to live, a message id alive twice
 * is a duplicate (409). Correlation reaches one instance or start, or answers 404.
 *
 * The same contract as POST /api/messages (api/access/message-contract.ts): a message that
 * starts a process only from the roles that start event allows (no forged message starts), any
 * other only as a correction by service managers and administrators; the legitimate-relationship
 * rule for every child the message reaches; the audit row names the targets and is committed
 * before the first signal or start.
 *
 * Unlike /v2 creates and signal broadcasts, messages do not go through the process outbox: the
 * answer (message key, 409 for a live duplicate, the instance reached, 404) is decided at delivery
 * under the correlation lock, where the checks above see exactly the instances reached; a queued
 * message would reach whatever waits later, unchecked. A failed delivery stores nothing (a 5xx and
 * a `.failed` audit row), and a publication retried under the same message id starts nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { publishMessage, type MessagePlan, type PublishResult } from '../../../engine-client/publish-message';
import { childrenOfInstances, instanceKeyById } from '../../../records/process-instances';
import type { PublishMessageInput } from '../../../workflows/contract';
import { openChildById } from '../../access/child-access';
import { isMessageWaitedFor, mustFitMessageContract } from '../../access/message-contract';
import { ApiError } from '../../api-error';
import { audit } from '../../audit/audit-builder';
import { me, type RequestContext } from '../../request-context';
import { ok } from '../../route-definition';
import { childOfKey } from '../../routes/process-instances-access';
import { camundaError, DEFAULT_TENANT, mustBeDefaultTenant, num, type CamundaRoute } from '../camunda-route';

function engineOf(ctx: RequestContext) {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  return ctx.deps.engine;
}

const correlationKeyOf = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/**
 * The children a planned message reaches: those of the instances it is signalled to, and the
 * child its correlation key names (the business key of the instances it starts). Staff need a
 * relationship with each (or break glass); integration accounts send events about any child, as
 * the event routes do. Returns whether glass was broken.
 */
async function openReachedChildren(ctx: RequestContext, plan: MessagePlan, correlationKey: string): Promise<boolean> {
  if (me(ctx).role === 'integration') return false;
  const children = new Map<string, { id: string; localityId: number; nhsNumber: string }>();
  if (plan.instanceIds.length > 0) {
    const rows = await childrenOfInstances(ctx.deps.db, plan.instanceIds);
    for (const c of rows) children.set(c.id, c);
  }
  if (plan.starters.length > 0) {
    const child = await childOfKey(ctx, correlationKey);
    if (child) children.set(child.id, child);
  }
  let brokeGlass = false;
  for (const child of children.values()) if (await openChildById(ctx, child, 'message.publish')) brokeGlass = true;
  return brokeGlass;
}

/** Contract, relationship rule and audit row of a planned message, before delivery (publishMessage's hook). */
function checkAndAudit(
  ctx: RequestContext,
  m: PublishMessageInput,
  action: string,
  audited: { auditEventId?: string },
): (plan: MessagePlan) => Promise<void> {
  return async (plan) => {
    const waitedFor = plan.instanceIds.length > 0 || (await isMessageWaitedFor(ctx.deps.db, m.name));
    try {
      mustFitMessageContract(plan, m, me(ctx), waitedFor, 'camunda');
    } catch (e) {
      // A correlation that reaches nothing is Camunda's 404, not a contract problem.
      if (e instanceof ApiError && e.status === 422 && m.correlation === 'single' && !waitedFor)
        throw camundaError.notFound(
          `No process instance waits for message ${m.name} with correlation key "${m.correlationKey}", and no process starts with it`,
        );
      throw e;
    }
    const brokeGlass = await openReachedChildren(ctx, plan, m.correlationKey ?? '');
    const child = await childOfKey(ctx, m.correlationKey);
    // Committed on its own before the first signal or start (the correlation lock's transaction
    // commits only after delivery).
    audited.auditEventId = await audit(ctx.deps.db, ctx, {
      action,
      entityType: 'message',
      entityId: m.name,
      childId: child?.id ?? null,
      detail: {
        correlationKey: m.correlationKey,
        messageId: m.messageId ?? null,
        variables: Object.keys(m.variables),
        instances: plan.instanceIds,
        starts: plan.starters.map((d) => `${d.key}:${d.version}`),
        brokeGlass,
        api: 'v2',
      },
    });
  };
}

/** Publishes with the hook above; when delivery fails after the audit row, a `.failed` row says so. */
async function publishAudited(ctx: RequestContext, m: PublishMessageInput, action: string, idempotencyKey: string) {
  const engine = engineOf(ctx);
  const audited: { auditEventId?: string } = {};
  try {
    return await publishMessage(
      { sequelize: ctx.deps.db.sequelize, client: engine.client, taskQueue: engine.taskQueue },
      m,
      idempotencyKey,
      checkAndAudit(ctx, m, action, audited),
    );
  } catch (error) {
    if (audited.auditEventId !== undefined)
      await audit(ctx.deps.db, ctx, {
        action: `${action}.failed`,
        entityType: 'message',
        entityId: m.name,
        detail: { auditEventId: audited.auditEventId, error: (error as Error).message || String(error), api: 'v2' },
      });
    throw error;
  }
}

export const messageRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/messages/publication',
    summary: 'Publish a message',
    access: 'messages.publish',
    operation: 'publishMessage',
    handler: async ({ body }, ctx) => {
      mustBeDefaultTenant(body.tenantId);
      const m: PublishMessageInput = {
        name: body.name,
        correlationKey: correlationKeyOf(body.correlationKey),
        variables: (body.variables ?? {}) as Record<string, unknown>,
        sourceInstanceId: '',
        correlation: 'camunda',
        timeToLiveMs: Math.max(0, num(body.timeToLive) ?? 0),
        ...(body.messageId ? { messageId: body.messageId } : {}),
        publishedBy: me(ctx).id,
      };
      const result: PublishResult = await publishAudited(
        ctx,
        m,
        'message.publish',
        `v2-message-${body.messageId ?? randomUUID()}`,
      );
      if (result.duplicate)
        throw camundaError.alreadyExists(
          `A message with id ${body.messageId} and name ${body.name} is already published and alive`,
        );
      return ok({ tenantId: DEFAULT_TENANT, messageKey: result.messageKey });
    },
  },
  {
    method: 'post',
    path: '/messages/correlation',
    summary: 'Correlate a message',
    access: 'messages.publish',
    operation: 'correlateMessage',
    handler: async ({ body }, ctx) => {
      mustBeDefaultTenant(body.tenantId);
      const m: PublishMessageInput = {
        name: body.name,
        correlationKey: correlationKeyOf(body.correlationKey),
        variables: (body.variables ?? {}) as Record<string, unknown>,
        sourceInstanceId: '',
        correlation: 'single',
        publishedBy: me(ctx).id,
      };
      const result = await publishAudited(ctx, m, 'message.correlate', `v2-correlation-${randomUUID()}`);
      const instanceId = result.instanceIds?.[0];
      if (!instanceId)
        throw camundaError.notFound(
          `No process instance waits for message ${body.name} with correlation key "${m.correlationKey}", and no process starts with it`,
        );
      const row = await waitForKey(ctx, instanceId);
      return ok({ tenantId: DEFAULT_TENANT, messageKey: result.messageKey, processInstanceKey: row });
    },
  },
];

/** A just-started instance records its row as it starts: wait briefly for its key. */
async function waitForKey(ctx: RequestContext, instanceId: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const key = await instanceKeyById(ctx.deps.db, instanceId);
    if (key !== null) return key;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw camundaError.unavailable('The process instance started but has not recorded itself yet; try reading it again');
}
