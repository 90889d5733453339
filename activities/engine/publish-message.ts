/**
 * Publishes a BPMN message, in two steps so a caller can check and audit the targets before
 * anything reaches the engine: `planMessage` works out whom it reaches, `deliverMessage` sends
 * it. Two ways of reaching instances:
 *
 * - `every` (CHIS's own publishers: inbound events, concerns, superseded transfers, /api/messages):
 *   every running instance whose business key equals the correlation key gets the
 *   `correlateMessage` signal and correlates it to its own waits (keeping it for `timeToLiveMs`
 *   when nothing waits yet); facts about a child reach all of the child's processes.
 * - `camunda` (the Camunda REST API and message throw events of graphs of semantics 2): Camunda 8's
 *   rules. The message reaches the instances whose open subscription (event_subscriptions) has
 *   that name and correlation key, at most one instance per process (the oldest subscription),
 *   and starts the processes with a message start event of that name that it did not reach; with
 *   a time to live it is kept in `messages`, where a subscription opened later takes it (still
 *   once per process); a message id already alive is a duplicate and reaches nothing.
 * - `single` (POST /v2/messages/correlation): one instance or one start, nothing kept.
 *
 * In every mode each process whose latest version has a message start event of that name starts
 * a new instance (workflow id derived from the idempotency key: a retried publish starts nothing new).
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CompiledGraph } from '../../bpmn/graph';
import {
  correlateMessageSignal,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceInput,
  type PublishMessageInput,
} from '../../workflows/messages';
import { CORRELATION_LOCK_NAMESPACE } from './subscriptions';

export interface PublishDeps {
  sequelize: Sequelize;
  client: Client;
  /** Task queue for instances started by a message start event. */
  taskQueue: string;
}

export interface LatestDefinition {
  id: number;
  key: string;
  version: number;
  graph: CompiledGraph;
}

/** The latest version of every deployed definition, with its graph: what a message start reaches. */
export function latestDefinitions(sequelize: Sequelize, transaction?: Transaction): Promise<LatestDefinition[]> {
  return sequelize.query<LatestDefinition>(
    `SELECT DISTINCT ON (key) id, key, version, compiled AS graph FROM process_definitions ORDER BY key, version DESC`,
    { type: QueryTypes.SELECT, ...(transaction ? { transaction } : {}) },
  );
}

/**
 * Whom a message reaches: the running instances it is signalled to and the definitions it starts
 * (`single`: candidates in order, the first that takes it wins, a start only when none does).
 */
export interface MessagePlan {
  instanceIds: string[];
  starters: LatestDefinition[];
  /** Process key of each of `instanceIds` (camunda and single modes). */
  processKeys?: string[];
  /** A message with the same id is still alive: nothing is to be done (camunda mode). */
  duplicate?: boolean;
}

export interface PublishResult {
  delivered: number;
  started: number;
  /** The message's key (camunda and single modes). */
  messageKey?: string;
  /** A message with the same id is still alive: nothing was done (camunda mode). */
  duplicate?: boolean;
  /** The instances reached or started, in order (camunda and single modes). */
  instanceIds?: string[];
}

const modeOf = (m: PublishMessageInput) => m.correlation ?? 'every';

/**
 * Works out whom a message reaches, without sending anything (so a caller can audit it first).
 * In camunda and single modes call it inside `publishMessage`'s locked transaction (or pass one
 * holding the correlation lock) so no subscription opens between plan and delivery.
 */
export async function planMessage(
  sequelize: Sequelize,
  m: PublishMessageInput,
  transaction?: Transaction,
): Promise<MessagePlan> {
  const t = transaction ? { transaction } : {};
  const withStart = (reached: ReadonlySet<string>) =>
    latestDefinitions(sequelize, transaction).then((all) =>
      all.filter((d) => !reached.has(d.key) && d.graph.messageStartNames?.includes(m.name)),
    );
  if (modeOf(m) === 'every') {
    const running =
      m.correlationKey === null
        ? []
        : await sequelize.query<{ id: string }>(
            `SELECT id FROM process_instances WHERE business_key = $1 AND status IN ('running', 'incident') AND id <> $2 ORDER BY started_at`,
            { type: QueryTypes.SELECT, bind: [m.correlationKey, m.sourceInstanceId], ...t },
          );
    return { instanceIds: running.map((r) => r.id), starters: await withStart(new Set()) };
  }
  const key = m.correlationKey ?? '';
  const single = m.correlation === 'single';
  if (m.messageId && !single) {
    const alive = await sequelize.query(
      `SELECT 1 FROM messages WHERE name = $1 AND correlation_key = $2 AND message_id = $3 AND expires_at > now()`,
      { type: QueryTypes.SELECT, bind: [m.name, key, m.messageId], ...t },
    );
    if (alive.length > 0) return { instanceIds: [], starters: [], processKeys: [], duplicate: true };
  }
  // The oldest open subscription of each process (Camunda: a message reaches a process once).
  const subscriptions = await sequelize.query<{ process_instance_id: string; process_key: string }>(
    `SELECT DISTINCT ON (s.process_key) s.process_instance_id, s.process_key
       FROM event_subscriptions s JOIN process_instances i ON i.id = s.process_instance_id
      WHERE s.kind = 'message' AND s.name = $1 AND s.correlation_key = $2 AND s.process_instance_id <> $3
        AND i.status IN ('running', 'incident')
      ORDER BY s.process_key, s.created_at, s.wait_id`,
    { type: QueryTypes.SELECT, bind: [m.name, key, m.sourceInstanceId], ...t },
  );
  subscriptions.sort((a, b) => a.process_key.localeCompare(b.process_key));
  // A start only for a process the message does not reach (single: only when it reaches none).
  const starters = await withStart(new Set(subscriptions.map((s) => s.process_key)));
  return {
    instanceIds: subscriptions.map((s) => s.process_instance_id),
    processKeys: subscriptions.map((s) => s.process_key),
    starters: single ? starters.slice(0, 1) : starters,
  };
}

async function signal(deps: PublishDeps, id: string, m: PublishMessageInput, withTtl: boolean): Promise<boolean> {
  try {
    await deps.client.workflow.getHandle(id).signal(correlateMessageSignal, {
      name: m.name,
      correlationKey: m.correlationKey,
      variables: m.variables,
      ...(withTtl && m.timeToLiveMs ? { timeToLiveMs: m.timeToLiveMs } : {}),
    });
    return true;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return false; // it ended meanwhile
    throw e;
  }
}

/**
 * Sends a planned message. `idempotencyKey` makes a retried publish start the same instances
 * again (Temporal refuses the duplicate start) rather than new ones. In camunda and single modes
 * the message is recorded in `messages` within `transaction` (the one holding the correlation lock).
 */
export async function deliverMessage(
  deps: PublishDeps,
  m: PublishMessageInput,
  plan: MessagePlan,
  idempotencyKey: string,
  transaction?: Transaction,
): Promise<PublishResult> {
  const mode = modeOf(m);
  if (plan.duplicate) return { delivered: 0, started: 0, duplicate: true };
  const single = mode === 'single';
  const reached = new Set<string>();
  const instanceIds: string[] = [];
  let delivered = 0;
  for (const [i, id] of plan.instanceIds.entries()) {
    if (single && delivered > 0) break;
    if (await signal(deps, id, m, mode === 'every')) {
      delivered++;
      instanceIds.push(id);
      if (plan.processKeys?.[i]) reached.add(plan.processKeys[i]);
    }
  }
  const starters = single && delivered > 0 ? [] : plan.starters;
  const started = await startByMessage(deps, m, idempotencyKey, starters);
  if (mode === 'every') return { delivered, started: started.length };
  for (const s of started) reached.add(s.processKey);
  const messageKey = (
    await deps.sequelize.query<{ key: string }>(
      `INSERT INTO messages (name, correlation_key, message_id, variables, published_by, expires_at, correlated_processes)
       VALUES ($1, $2, $3, $4::jsonb, $5, now() + $6::bigint * interval '1 millisecond', $7)
       RETURNING key::text AS key`,
      {
        type: QueryTypes.SELECT,
        bind: [
          m.name,
          m.correlationKey ?? '',
          m.messageId ?? null,
          JSON.stringify(m.variables),
          m.publishedBy ?? null,
          single ? 0 : (m.timeToLiveMs ?? 0),
          [...reached],
        ],
        ...(transaction ? { transaction } : {}),
      },
    )
  )[0].key;
  return {
    delivered,
    started: started.length,
    messageKey,
    instanceIds: [...instanceIds, ...started.map((s) => s.instanceId)],
  };
}

/** Starts each planned definition at its message start event; returns the starts Temporal accepted. */
async function startByMessage(
  deps: PublishDeps,
  m: PublishMessageInput,
  idempotencyKey: string,
  starters: readonly LatestDefinition[],
): Promise<Array<{ processKey: string; instanceId: string }>> {
  const started: Array<{ processKey: string; instanceId: string }> = [];
  for (const d of starters) {
    const input: ProcessInstanceInput = {
      definition: { id: d.id, key: d.key, version: d.version, graph: d.graph },
      businessKey: m.correlationKey,
      variables: m.variables,
      messageName: m.name,
    };
    const workflowId = `${d.key}-${createHash('sha256')
      .update(`${idempotencyKey}|${d.key}|${m.name}|${m.correlationKey ?? ''}`)
      .digest('hex')
      .slice(0, 32)}`;
    try {
      await deps.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [input],
      });
      started.push({ processKey: d.key, instanceId: workflowId });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  }
  return started;
}

/**
 * Plans and delivers a message. `beforeDeliver` sees the plan first and may refuse it (by
 * throwing: nothing is sent) or audit it; in camunda and single modes it runs while the
 * correlation lock is held, so the plan it sees is the one delivered.
 */
export async function publishMessage(
  deps: PublishDeps,
  m: PublishMessageInput,
  idempotencyKey: string,
  beforeDeliver?: (plan: MessagePlan) => Promise<void>,
): Promise<PublishResult> {
  if (modeOf(m) === 'every') {
    const plan = await planMessage(deps.sequelize, m);
    await beforeDeliver?.(plan);
    return deliverMessage(deps, m, plan, idempotencyKey);
  }
  return deps.sequelize.transaction(async (transaction) => {
    await deps.sequelize.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', {
      bind: [CORRELATION_LOCK_NAMESPACE, `${m.name}\u0000${m.correlationKey ?? ''}`],
      transaction,
    });
    const plan = await planMessage(deps.sequelize, m, transaction);
    if (plan.duplicate) return { delivered: 0, started: 0, duplicate: true };
    await beforeDeliver?.(plan);
    return deliverMessage(deps, m, plan, idempotencyKey, transaction);
  });
}
