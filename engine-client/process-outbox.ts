/**
 * Delivery of the process outbox (records/process-outbox.ts) to the engine: a publish is signalled
 * to the running instances of its correlation key and starts the processes with a message start
 * event of its name; a start starts its instance; a signal reaches the instances and starts the
 * versions planned (and audited) when it was broadcast. The row is locked while it is delivered and
 * marked delivered in the same transaction, so two deliverers never deliver it at once; a failure
 * leaves it undelivered for the next try (the relay, workers/process-outbox-relay.ts). Starting is
 * idempotent (fixed workflow ids); a signal may reach a running instance again after a failure
 * between the signal and the commit, as with any at-least-once delivery.
 */
import { runWithRequestId } from '../core/request-context';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { deliverSignal } from './broadcast-signal';
import { publishMessage } from './publish-message';
import { definitionById } from '../records/definitions';
import {
  claimForDelivery,
  findOutboxEntry,
  markDelivered,
  markDeliveryFailed,
  type DeliveryResult,
  type OutboxEntry,
  type SignalCommand,
  type StartCommand,
} from '../records/process-outbox';
import { inTransaction, type Db } from '../records/sql';
import { PROCESS_INSTANCE_WORKFLOW_TYPE, type ProcessInstanceInput } from '../workflows/contract';

export type DeliveryOutcome =
  | { status: 'delivered'; result: DeliveryResult }
  /** Delivered earlier (by the relay, or an earlier try of the same request). */
  | { status: 'delivered-before'; result: DeliveryResult | null }
  /** Another deliverer holds the row right now. */
  | { status: 'in-flight' }
  | { status: 'failed'; error: string };

/** What the API and the activities hold: delivery of one outbox row, now. */
export interface ProcessOutbox {
  deliver(id: string): Promise<DeliveryOutcome>;
}

export interface EngineConnection {
  client: Client;
  /** Task queue of the engine worker, for the instances started. */
  taskQueue: string;
}

async function start(db: Db, engine: EngineConnection, s: StartCommand): Promise<DeliveryResult> {
  const d = await definitionById(db, s.definitionId);
  if (!d) throw new Error(`process definition ${s.definitionId} does not exist`);
  const input: ProcessInstanceInput = {
    definition: { id: d.id, key: d.key, version: d.version, graph: d.graph },
    businessKey: s.businessKey,
    variables: s.variables,
    ...(s.startedBy !== null ? { startedBy: s.startedBy } : {}),
    ...(s.startEventId ? { startEventId: s.startEventId } : {}),
  };
  try {
    await engine.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
      taskQueue: engine.taskQueue,
      workflowId: s.workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { delivered: 0, started: 1 };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { delivered: 0, started: 0 };
    throw e;
  }
}

/** The planned broadcast: the audited instances signalled, the audited versions started. */
async function signal(db: Db, engine: EngineConnection, s: SignalCommand): Promise<DeliveryResult> {
  const starters = [];
  for (const { definitionId, startEventId } of s.starts) {
    const d = await definitionById(db, definitionId);
    if (!d) throw new Error(`process definition ${definitionId} does not exist`);
    starters.push({ ...d, startEventId });
  }
  const done = await deliverSignal(
    { sequelize: db.sequelize, ...engine },
    { name: s.name, variables: s.variables },
    { instanceIds: s.instanceIds, starters },
    s.broadcastKey,
  );
  return { delivered: done.instanceIds.length, started: done.startedIds.length };
}

function perform(db: Db, engine: EngineConnection, entry: OutboxEntry): Promise<DeliveryResult> {
  if (entry.command.kind === 'start') return start(db, engine, entry.command.start);
  if (entry.command.kind === 'signal') return signal(db, engine, entry.command.signal);
  const { publishKey, ...message } = entry.command.publish;
  return publishMessage({ sequelize: db.sequelize, ...engine }, message, publishKey);
}

export function processOutbox(db: Db, engine: EngineConnection): ProcessOutbox {
  const pool: Db = { sequelize: db.sequelize };
  return {
    async deliver(id) {
      try {
        return await inTransaction(pool, async (tx) => {
          const entry = await claimForDelivery(tx, id);
          if (!entry) {
            const now = await findOutboxEntry(pool, id);
            if (now?.deliveredAt) return { status: 'delivered-before', result: now.result } as const;
            return { status: 'in-flight' } as const;
          }
          // Under the id of the request that wrote it: the start or signal carries it to the workflow, the logs show it.
          const requestId = entry.requestId;
          const result = requestId
            ? await runWithRequestId(requestId, () => perform(pool, engine, entry))
            : await perform(pool, engine, entry);
          await markDelivered(tx, id, result);
          return { status: 'delivered', result } as const;
        });
      } catch (e) {
        const error = (e as Error).message || String(e);
        await markDeliveryFailed(pool, id, error).catch(() => undefined);
        return { status: 'failed', error };
      }
    },
  };
}
