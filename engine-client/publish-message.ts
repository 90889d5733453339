/**
 * Publishes a BPMN message: every running instance whose business key equals the correlation
 * key gets the `correlateMessage` signal, and every process whose latest version has a message
 * start event of that name starts a new instance. Used by the message throw/end events of the
 * engine, by the API's "send a message" endpoint and by the process outbox.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { DeployedDefinition } from '../deployment/deployed-definition';
import { latestDefinitions } from '../records/definitions';
import { runningInstancesKeyedBy } from '../records/process-instances';
import {
  correlateMessageSignal,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceInput,
  type PublishMessageInput,
} from '../workflows/contract';

export interface PublishDeps {
  sequelize: Sequelize;
  client: Client;
  /** Task queue for instances started by a message start event. */
  taskQueue: string;
}

/** Whom a message reaches: the running instances keyed by its correlation key, and the definitions it starts. */
export interface MessagePlan {
  instanceIds: string[];
  starters: DeployedDefinition[];
}

/** Works out whom a message reaches, without sending anything (so a caller can audit it first). */
export async function planMessage(sequelize: Sequelize, m: PublishMessageInput): Promise<MessagePlan> {
  const db = { sequelize };
  const instanceIds =
    m.correlationKey === null ? [] : await runningInstancesKeyedBy(db, m.correlationKey, m.sourceInstanceId);
  const starters = (await latestDefinitions(db)).filter((d) => d.graph.messageStartNames?.includes(m.name));
  return { instanceIds, starters };
}

/**
 * Sends a planned message. `idempotencyKey` makes a retried publish start the same instances
 * again (Temporal refuses the duplicate start) rather than new ones.
 */
export async function deliverMessage(
  deps: PublishDeps,
  m: PublishMessageInput,
  plan: MessagePlan,
  idempotencyKey: string,
): Promise<{ delivered: number; started: number }> {
  let delivered = 0;
  for (const id of plan.instanceIds) {
    try {
      await deps.client.workflow.getHandle(id).signal(correlateMessageSignal, {
        name: m.name,
        correlationKey: m.correlationKey,
        variables: m.variables,
        ...(m.timeToLiveMs ? { timeToLiveMs: m.timeToLiveMs } : {}),
      });
      delivered++;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e; // it ended meanwhile
    }
  }
  let started = 0;
  for (const d of plan.starters) {
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
      started++;
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
  }
  return { delivered, started };
}

/** Plans and delivers a message (for callers that audit nothing of their own here). */
export async function publishMessage(
  deps: PublishDeps,
  m: PublishMessageInput,
  idempotencyKey: string,
): Promise<{ delivered: number; started: number }> {
  return deliverMessage(deps, m, await planMessage(deps.sequelize, m), idempotencyKey);
}
