/**
 * Starts a process instance for a message or signal start event under a workflow id derived
 * from the publish's idempotency key, so that a retried publish or broadcast starts nothing twice.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { DefinitionWithGraph } from '../records/definitions';
import { PROCESS_INSTANCE_WORKFLOW_TYPE, type ProcessInstanceInput } from '../workflows/contract';

/**
 * Starts `d` with `start` as `<key>-<first 32 hex digits of sha256(idSeed)>`. Returns that
 * workflow id, or null when Temporal has it already (an earlier try started it).
 */
export async function startInstanceOnce(
  deps: { client: Client; taskQueue: string },
  d: DefinitionWithGraph,
  start: Omit<ProcessInstanceInput, 'definition'>,
  idSeed: string,
): Promise<string | null> {
  const input: ProcessInstanceInput = {
    definition: { id: d.id, key: d.key, version: d.version, graph: d.graph },
    ...start,
  };
  const workflowId = `${d.key}-${createHash('sha256').update(idSeed).digest('hex').slice(0, 32)}`;
  try {
    await deps.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
    });
    return workflowId;
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw e;
  }
}
