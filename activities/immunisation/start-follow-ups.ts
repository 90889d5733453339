/**
 * Starts an `immunisation-follow-up` process instance for every follow-up row not started yet,
 * in batches: a batch of starts, then one UPDATE marking the batch started. The workflow id
 * comes from the row (child and dose), and a duplicate id is refused by Temporal even after
 * the first instance finished, so a repeated start starts nothing.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Sequelize } from 'sequelize';
import { markFollowUpsStarted, pendingFollowUps, type PendingFollowUp } from '../../records/immunisations/follow-ups';
import { DefinitionStore } from '../../records/definition-store';
import { PROCESS_INSTANCE_WORKFLOW_TYPE, type ProcessInstanceInput } from '../../workflows/contract';

export const FOLLOW_UP_PROCESS_KEY = 'immunisation-follow-up';

/** Starts in flight at once within a batch. */
const START_CONCURRENCY = 50;

export interface StartDeps {
  sequelize: Sequelize;
  client: Client;
  taskQueue: string;
}

/** Reminders go by email, SMS or letter; a family that prefers phone calls gets an SMS. */
function reminderChannel(method: string): string {
  return method === 'phone' ? 'sms' : method;
}

async function startOne(
  deps: StartDeps,
  definition: ProcessInstanceInput['definition'],
  f: PendingFollowUp,
): Promise<void> {
  const input: ProcessInstanceInput = {
    definition,
    businessKey: f.nhsNumber,
    variables: {
      childId: f.childId,
      nhsNumber: f.nhsNumber,
      doseCode: f.doseCode,
      vaccine: f.vaccine,
      dose: f.dose,
      dueOn: f.dueOn,
      overdueOn: f.overdueOn,
      offerUntil: f.offerUntil,
      locality: f.locality,
      localityId: f.localityId,
      safeguardingAlert: f.safeguardingAlert,
      // Absent rather than null: the diagram tests `gpPracticeCode != null`, and notify.* take them as optional.
      ...(f.gpPracticeCode ? { gpPracticeCode: f.gpPracticeCode } : {}),
      ...(f.preferredContact ? { preferredContact: reminderChannel(f.preferredContact) } : {}),
    },
  };
  try {
    await deps.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
      taskQueue: deps.taskQueue,
      workflowId: f.workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [input],
    });
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e; // started by an earlier attempt
  }
}

/** Starts every pending follow-up; returns how many were started (or found already started). */
export async function startPendingFollowUps(
  deps: StartDeps,
  o: { batchSize: number; onBatch?: (startedSoFar: number) => void },
): Promise<number> {
  const db = { sequelize: deps.sequelize };
  let started = 0;
  for (;;) {
    const batch = await pendingFollowUps(db, o.batchSize);
    if (batch.length === 0) return started;
    const deployed = await new DefinitionStore(deps.sequelize).withGraph(FOLLOW_UP_PROCESS_KEY);
    if (!deployed) {
      throw ApplicationFailure.nonRetryable(
        `${batch.length}+ overdue follow-ups are recorded but the "${FOLLOW_UP_PROCESS_KEY}" process is not deployed; deploy it and the next sweep starts them`,
        'NotDeployedError',
      );
    }
    const definition = { id: deployed.id, key: deployed.key, version: deployed.version, graph: deployed.graph };
    for (let i = 0; i < batch.length; i += START_CONCURRENCY) {
      await Promise.all(batch.slice(i, i + START_CONCURRENCY).map((f) => startOne(deps, definition, f)));
    }
    await markFollowUpsStarted(
      db,
      batch.map((f) => f.id),
    );
    started += batch.length;
    o.onBatch?.(started);
  }
}
