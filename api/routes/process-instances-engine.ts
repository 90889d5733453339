import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { instanceStateQuery, type InstanceStateView } from '../../workflows/contract';
import { ApiError } from '../api-error';
import type { RequestContext } from '../request-context';
import type { InstanceRow } from '../../records/process-instance-rows';

const QUERY_DEADLINE_MS = 10_000;

/** The Temporal client and task queue; a route that needs them answers 503 without them. */
export function engineOf(ctx: RequestContext): { client: Client; taskQueue: string } {
  if (!ctx.deps.engine)
    throw new ApiError(503, 'Service Unavailable', 'The process engine is not connected to this API; try again later');
  return ctx.deps.engine;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The workflow's own view with times as ISO 8601 text. */
function stateView(s: InstanceStateView) {
  return {
    status: s.status,
    startedAt: iso(s.startedAt),
    endedAt: iso(s.endedAt),
    active: s.active.map((a) => ({ ...a, startedAt: iso(a.startedAt) })),
    completed: s.completed.map((c) => ({ ...c, startedAt: iso(c.startedAt), endedAt: iso(c.endedAt) })),
    completedDropped: s.completedDropped,
    variables: s.variables,
    incidents: s.incidents.map((i) => ({ ...i, createdAt: iso(i.createdAt) })),
    openUserTasks: s.openUserTasks.map((t) => ({ ...t, createdAt: iso(t.createdAt) })),
    historyLength: s.historyLength,
    ...(s.failure ? { failure: s.failure } : {}),
  };
}

/** The raw state, or why it cannot be had. */
export async function queryState(
  ctx: RequestContext,
  id: string,
): Promise<{ state: InstanceStateView } | { unavailable: string }> {
  if (!ctx.deps.engine) return { unavailable: 'The process engine is not connected to this API' };
  const { client } = ctx.deps.engine;
  try {
    const state = await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      client.workflow.getHandle(id).query(instanceStateQuery),
    );
    return { state };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      return { unavailable: 'The engine no longer holds this instance (its history has been removed)' };
    return { unavailable: `The engine did not answer: ${(error as Error).message}` };
  }
}

export const instanceView = (i: InstanceRow) => ({
  id: i.id,
  key: i.key,
  version: i.version,
  definitionName: i.definitionName,
  businessKey: i.businessKey,
  status: i.status,
  startedBy: i.startedBy,
  startedAt: i.startedAt,
  endedAt: i.endedAt,
  updatedAt: i.updatedAt,
});

export { stateView };
