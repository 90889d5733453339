import type { CompiledGraph } from '../../bpmn/graph';

/**
 * Why the instance cannot start at the requested (or default) start event, in the engine's own
 * terms (workflows/engine/engine.ts chooses the same way): checked before the workflow starts,
 * so a wrong request is a 422 rather than a failed instance.
 */
export function startEventProblem(graph: CompiledGraph, startEventId: string | undefined): string | null {
  const ids = graph.scopes[graph.rootScopeId]?.startEventIds ?? [];
  if (startEventId !== undefined) {
    return ids.includes(startEventId)
      ? null
      : `"${startEventId}" is not a start event of process ${graph.processId} (it has: ${ids.join(', ') || 'none'})`;
  }
  const starts = ids.map((id) => graph.nodes[id]);
  if (starts.some((n) => n?.kind === 'startEvent' && n.trigger.type === 'none') || starts.length === 1) return null;
  return `Process ${graph.processId} has no plain start event: give startEventId (one of ${ids.join(', ') || 'none'}), or publish the message that starts it`;
}
