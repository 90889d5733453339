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
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Sequelize, Transaction } from 'sequelize';
import { latestDefinitions, type DefinitionWithGraph } from '../records/definitions';
import {
  lockCorrelation,
  messageAlive,
  oldestSubscriptionPerProcess,
  recordMessage,
} from '../records/message-subscriptions';
import { runningInstancesKeyedBy } from '../records/process-instances';
import { inTransaction, type Db } from '../records/sql';
import { correlateMessageSignal, type PublishMessageInput } from '../workflows/contract';
import { startInstanceOnce } from './start-instance-once';

export interface PublishDeps {
  sequelize: Sequelize;
  client: Client;
  /** Task queue for instances started by a message start event. */
  taskQueue: string;
}

/** The latest version of a deployed definition, with its graph: what a message start reaches. */
export type LatestDefinition = DefinitionWithGraph;

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
  const db: Db = { sequelize, transaction };
  const withStart = (reached: ReadonlySet<string>) =>
    latestDefinitions(db).then((all) =>
      all.filter((d) => !reached.has(d.key) && d.graph.messageStartNames?.includes(m.name)),
    );
  if (modeOf(m) === 'every') {
    const running =
      m.correlationKey === null ? [] : await runningInstancesKeyedBy(db, m.correlationKey, m.sourceInstanceId);
    return { instanceIds: running, starters: await withStart(new Set()) };
  }
  const key = m.correlationKey ?? '';
  const single = m.correlation === 'single';
  if (m.messageId && !single && (await messageAlive(db, m.name, key, m.messageId)))
    return { instanceIds: [], starters: [], processKeys: [], duplicate: true };
  // The oldest open subscription of each process (Camunda: a message reaches a process once).
  const subscriptions = await oldestSubscriptionPerProcess(db, m.name, key, m.sourceInstanceId);
  // A start only for a process the message does not reach (single: only when it reaches none).
  const starters = await withStart(new Set(subscriptions.map((s) => s.processKey)));
  return {
    instanceIds: subscriptions.map((s) => s.processInstanceId),
    processKeys: subscriptions.map((s) => s.processKey),
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
  const messageKey = await recordMessage(
    { sequelize: deps.sequelize, transaction },
    {
      name: m.name,
      correlationKey: m.correlationKey ?? '',
      messageId: m.messageId ?? null,
      variables: m.variables,
      publishedBy: m.publishedBy ?? null,
      timeToLiveMs: single ? 0 : (m.timeToLiveMs ?? 0),
      correlatedProcesses: [...reached],
    },
  );
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
    const instanceId = await startInstanceOnce(
      deps,
      d,
      { businessKey: m.correlationKey, variables: m.variables, messageName: m.name },
      `${idempotencyKey}|${d.key}|${m.name}|${m.correlationKey ?? ''}`,
    );
    if (instanceId) started.push({ processKey: d.key, instanceId });
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
  return inTransaction({ sequelize: deps.sequelize }, async ({ transaction }) => {
    await lockCorrelation({ sequelize: deps.sequelize, transaction }, m.name, m.correlationKey);
    const plan = await planMessage(deps.sequelize, m, transaction);
    if (plan.duplicate) return { delivered: 0, started: 0, duplicate: true };
    await beforeDeliver?.(plan);
    return deliverMessage(deps, m, plan, idempotencyKey, transaction);
  });
}
