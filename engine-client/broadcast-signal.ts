/**
 * Broadcasts a BPMN signal, Camunda 8's way: every open signal subscription of that name
 * (records/message-subscriptions.ts, kind 'signal': catch events, boundary events, event sub-process starts of
 * running instances) triggers, and every process whose latest version has a signal start event of
 * that name starts one instance. Nothing is kept: a subscription opened later does not see it.
 *
 * In two steps, as messages are (publish-message.ts), so the Camunda REST API can check and audit
 * whom a broadcast reaches before anything is told: `planSignal` works out the instances and
 * starts, `deliverSignal` signals and starts exactly those.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { latestDefinitions } from '../records/definitions';
import { signalSubscribers } from '../records/message-subscriptions';
import { broadcastSignalSignal } from '../workflows/contract';
import type { LatestDefinition, PublishDeps } from './publish-message';
import { startInstanceOnce } from './start-instance-once';

export interface SignalPlan {
  /** Running instances with an open subscription to the signal, oldest subscription first. */
  instanceIds: string[];
  /** The latest versions with a signal start event of that name, and that start event. */
  starters: Array<LatestDefinition & { startEventId: string }>;
}

export interface SignalBroadcast {
  name: string;
  variables: Record<string, unknown>;
}

export async function planSignal(sequelize: Sequelize, name: string): Promise<SignalPlan> {
  const db = { sequelize };
  const instanceIds = await signalSubscribers(db, name);
  const starters = (await latestDefinitions(db)).flatMap((d) => {
    if (!d.graph.signalStartNames?.includes(name)) return [];
    const start = Object.values(d.graph.nodes).find(
      (n) =>
        n.kind === 'startEvent' &&
        n.scopeId === d.graph.rootScopeId &&
        n.trigger.type === 'signal' &&
        n.trigger.name.type === 'literal' &&
        n.trigger.name.value === name,
    );
    return start ? [{ ...d, startEventId: start.id }] : [];
  });
  return { instanceIds, starters };
}

/**
 * Signals the planned instances and starts the planned processes. `idempotencyKey` names the
 * broadcast: started instances' ids derive from it, so a retried broadcast starts nothing twice.
 */
export async function deliverSignal(
  deps: PublishDeps,
  s: SignalBroadcast,
  plan: SignalPlan,
  idempotencyKey: string,
): Promise<{ instanceIds: string[]; startedIds: string[] }> {
  const instanceIds: string[] = [];
  for (const id of plan.instanceIds) {
    try {
      await deps.client.workflow.getHandle(id).signal(broadcastSignalSignal, { name: s.name, variables: s.variables });
      instanceIds.push(id);
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e; // it ended meanwhile
    }
  }
  const startedIds: string[] = [];
  for (const d of plan.starters) {
    const workflowId = await startInstanceOnce(
      deps,
      d,
      { businessKey: null, variables: s.variables, startEventId: d.startEventId },
      `signal|${idempotencyKey}|${d.key}|${s.name}`,
    );
    if (workflowId) startedIds.push(workflowId);
  }
  return { instanceIds, startedIds };
}
