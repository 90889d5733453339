/**
 * Publishes a BPMN message: every running instance whose business key equals the correlation
 * key gets the `correlateMessage` signal, and every process whose latest version has a message
 * start event of that name starts a new instance. Used by the message throw/end events of the
 * engine, and usable by the API's "send a message" endpoint.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CompiledGraph } from '../../bpmn/graph';
import {
  correlateMessageSignal,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceInput,
  type PublishMessageInput,
} from '../../workflows/messages';

export interface PublishDeps {
  sequelize: Sequelize;
  client: Client;
  /** Task queue for instances started by a message start event. */
  taskQueue: string;
}

/**
 * `idempotencyKey` makes a retried publish start the same instances again (Temporal refuses
 * the duplicate start) rather than new ones.
 */
export async function publishMessage(
  deps: PublishDeps,
  m: PublishMessageInput,
  idempotencyKey: string,
): Promise<{ delivered: number; started: number }> {
  let delivered = 0;
  if (m.correlationKey !== null) {
    const running = await deps.sequelize.query<{ id: string }>(
      `SELECT id FROM process_instances WHERE business_key = $1 AND status IN ('running', 'incident') AND id <> $2 ORDER BY started_at`,
      { type: QueryTypes.SELECT, bind: [m.correlationKey, m.sourceInstanceId] },
    );
    for (const { id } of running) {
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
  }

  const starters = await deps.sequelize.query<{ id: number; key: string; version: number; graph: CompiledGraph }>(
    `SELECT DISTINCT ON (key) id, key, version, compiled AS graph FROM process_definitions ORDER BY key, version DESC`,
    { type: QueryTypes.SELECT },
  );
  let started = 0;
  for (const d of starters) {
    if (!d.graph.messageStartNames?.includes(m.name)) continue;
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
