/**
 * The Operate-style view of an instance, built from the engine state: which elements are
 * active and which have finished (with times), the process variables, incidents, open tasks.
 */
import type { ElementLogEntry, EngineState, Incident, InstanceStatus, Variables } from './types';

export interface ActiveElement {
  elementInstanceId: string;
  elementId: string;
  parentId: string | null;
  kind: 'process' | 'node' | 'multiInstanceBody';
  startedAt: number;
  state: 'active' | 'incident';
  /** Local variables of this activation (input mappings, multi-instance item). */
  variables: Variables;
}

export interface OpenUserTask {
  taskId: string;
  elementId: string;
  elementInstanceId: string;
  name: string;
  createdAt: number;
}

export interface InstanceView {
  processId: string;
  status: InstanceStatus;
  startedAt: number;
  endedAt?: number;
  active: ActiveElement[];
  completed: ElementLogEntry[];
  /** Log entries dropped to bound the state (the oldest first). */
  completedDropped: number;
  variables: Variables;
  incidents: Incident[];
  openUserTasks: OpenUserTask[];
  failure?: { errorCode?: string; message: string };
}

export function instanceView(state: EngineState): InstanceView {
  const root = state.instances[state.rootId];
  return {
    processId: state.processId,
    status: state.status,
    startedAt: state.startedAt,
    ...(state.endedAt !== undefined ? { endedAt: state.endedAt } : {}),
    active: Object.values(state.instances).map((i) => ({
      elementInstanceId: i.id,
      elementId: i.elementId,
      parentId: i.parentId,
      kind: i.kind,
      startedAt: i.startedAt,
      state: i.state,
      variables: i.variables,
    })),
    completed: state.log,
    completedDropped: state.logDropped,
    variables: root ? root.variables : (state.result ?? {}),
    incidents: Object.values(state.incidents),
    openUserTasks: Object.values(state.waits).flatMap((w) =>
      w.type === 'userTask'
        ? [{ taskId: w.id, elementId: w.nodeId, elementInstanceId: w.ownerId, name: w.name, createdAt: w.createdAt }]
        : [],
    ),
    ...(state.failure ? { failure: state.failure } : {}),
  };
}

/** Element ids in the order they finished (the path taken), for tests and the timeline. */
export function completedPath(state: EngineState): string[] {
  return state.log.filter((e) => e.state === 'completed').map((e) => e.elementId);
}
