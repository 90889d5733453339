/** Moddle tree of a linted diagram → the immutable CompiledGraph (see graph.ts). */
import { buildNode, BuildError, executionListeners } from './build-node';
import { conditionSource } from './feel';
import { isEventSubProcess, upstreamNodeIds } from './flow-analysis';
import {
  GRAPH_FORMAT,
  GRAPH_SEMANTICS,
  type CompiledGraph,
  type GraphNode,
  type Scope,
  type SequenceFlow,
} from './graph';
import { body, child, children, extension, is, str, type ModdleElement } from './moddle';
import type { Problem } from './problems';

export type BuildOutcome = { ok: true; graph: CompiledGraph } | { ok: false; problems: Problem[] };

/**
 * The executable processes of the diagram, in document order: every process marked
 * isExecutable, as Camunda 8 deploys them (a lone process counts even without the flag).
 */
export function selectProcesses(
  definitions: ModdleElement,
): { ok: true; processes: ModdleElement[] } | { ok: false; problem: Problem } {
  const processes = children(definitions, 'rootElements').filter((e) => is(e, 'bpmn:Process'));
  const executable = processes.length === 1 ? processes : processes.filter((p) => p.isExecutable === true);
  if (executable.length > 0) return { ok: true, processes: executable };
  const message =
    processes.length === 0
      ? 'The diagram contains no process.'
      : `The diagram has no executable process: mark one of ${processes.map((p) => p.id).join(', ')} isExecutable.`;
  return { ok: false, problem: { rule: 'compile', severity: 'error', message } };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface BuildOptions {
  readonly forms?: ReadonlyMap<string, unknown>;
  /** Job types with a built-in worker (the catalogue); any other type becomes an external job. */
  readonly activityTypes?: ReadonlySet<string>;
  /** Activity types whose jobs the graph marks `local` (see ActivityRef.local). */
  readonly localActivityTypes?: ReadonlySet<string>;
}

export function buildGraph(process: ModdleElement, options: BuildOptions = {}): BuildOutcome {
  const { forms, activityTypes, localActivityTypes } = options;
  const nodes: Record<string, GraphNode> = {};
  const flows: Record<string, SequenceFlow> = {};
  const scopes: Record<string, Scope> = {};
  const problems: Problem[] = [];
  /** Associations of the diagram, both ways: how a compensation boundary event names its handler. */
  const associated = new Map<string, string[]>();

  function walk(container: ModdleElement, kind: Scope['kind'], parentScopeId?: string): void {
    const scopeId = container.id!;
    for (const a of children(container, 'artifacts').filter((x) => is(x, 'bpmn:Association'))) {
      const [from, to] = [
        (a.sourceRef as ModdleElement | undefined)?.id,
        (a.targetRef as ModdleElement | undefined)?.id,
      ];
      if (!from || !to) continue;
      associated.set(from, [...(associated.get(from) ?? []), to]);
      associated.set(to, [...(associated.get(to) ?? []), from]);
    }
    const elements = children(container, 'flowElements');
    const flowNodes = elements.filter((e) => is(e, 'bpmn:FlowNode'));
    for (const f of elements.filter((e) => is(e, 'bpmn:SequenceFlow'))) {
      const source = f.sourceRef as ModdleElement;
      const condition = body(child(f, 'conditionExpression'));
      flows[f.id!] = {
        id: f.id!,
        ...(f.name ? { name: f.name } : {}),
        sourceId: source.id!,
        targetId: (f.targetRef as ModdleElement).id!,
        ...(condition?.trim() ? { condition: conditionSource(condition) } : {}),
        isDefault: (source.default as ModdleElement | undefined)?.id === f.id,
      };
    }
    for (const el of flowNodes) {
      try {
        const node = buildNode(el, { scopeId, forms, activityTypes, localActivityTypes });
        if (node.kind === 'inclusiveGateway' && node.incoming.length > 1) {
          nodes[el.id!] = { ...node, upstreamNodeIds: upstreamNodeIds(container, el.id!) };
        } else {
          nodes[el.id!] = node;
        }
      } catch (e) {
        const elementId = e instanceof BuildError ? e.elementId : el.id;
        problems.push({
          rule: 'compile',
          severity: 'error',
          message: `The element ${(e as Error).message}.`,
          ...(elementId ? { elementId } : {}),
        });
      }
      if (is(el, 'bpmn:SubProcess'))
        walk(
          el,
          isEventSubProcess(el) ? 'eventSubProcess' : is(el, 'bpmn:AdHocSubProcess') ? 'adHocSubProcess' : 'subProcess',
          scopeId,
        );
    }
    scopes[scopeId] = {
      id: scopeId,
      kind,
      ...(parentScopeId ? { parentScopeId } : {}),
      startEventIds: flowNodes.filter((n) => is(n, 'bpmn:StartEvent')).map((n) => n.id!),
      eventSubProcessIds: flowNodes.filter(isEventSubProcess).map((n) => n.id!),
      nodeIds: flowNodes.map((n) => n.id!),
    };
  }

  walk(process, 'process');
  if (problems.length > 0) return { ok: false, problems };

  // A flow joins its source and target by sourceRef/targetRef, as Camunda 8 reads it, even when
  // the nodes do not list it (a flow drawn in another scope than its nodes is not resolved there).
  for (const f of Object.values(flows)) {
    const [source, target] = [nodes[f.sourceId], nodes[f.targetId]];
    if (source && !source.outgoing.includes(f.id)) (source.outgoing as string[]).push(f.id);
    if (target && !target.incoming.includes(f.id)) (target.incoming as string[]).push(f.id);
  }

  for (const node of Object.values(nodes)) {
    if (node.kind !== 'boundaryEvent') continue;
    const host = nodes[node.attachedToId];
    if (!host || !('boundaryEventIds' in host)) continue;
    // A compensation boundary event is no subscription: it names the host's handler.
    if (node.trigger.type === 'compensation') {
      const handlerId = (associated.get(node.id) ?? []).find((id) => {
        const n = nodes[id];
        return n && 'isCompensationHandler' in n && n.isCompensationHandler === true;
      });
      if (handlerId) (host as { compensationHandlerId?: string }).compensationHandlerId = handlerId;
      continue;
    }
    (host.boundaryEventIds as string[]).push(node.id);
  }

  // A sub-process with a compensation event sub-process is compensated by running it.
  for (const node of Object.values(nodes)) {
    if (node.kind !== 'eventSubProcess') continue;
    const start = nodes[node.startEventId];
    const host = nodes[scopes[node.id]?.parentScopeId ?? ''];
    if (start?.kind === 'startEvent' && start.trigger.type === 'compensation' && host?.kind === 'subProcess')
      (host as { compensationEventSubProcessId?: string }).compensationEventSubProcessId = node.id;
  }

  const versionTag = str(extension(process, 'zeebe:VersionTag'), 'value');
  let listeners: ReturnType<typeof executionListeners>;
  try {
    listeners = executionListeners(process, { scopeId: process.id!, forms, activityTypes, localActivityTypes });
  } catch (e) {
    return {
      ok: false,
      problems: [
        { rule: 'compile', severity: 'error', message: `The process ${(e as Error).message}.`, elementId: process.id! },
      ],
    };
  }
  const isStart = (n: GraphNode) => n.kind === 'startEvent' && n.scopeId === process.id;
  const signalStartNames = literalSignalNames(Object.values(nodes), isStart);
  const signalNames = literalSignalNames(Object.values(nodes), (n) => !isStart(n));
  const graph: CompiledGraph = {
    format: GRAPH_FORMAT,
    semantics: GRAPH_SEMANTICS,
    processId: process.id!,
    ...(process.name ? { name: process.name } : {}),
    ...(versionTag ? { versionTag } : {}),
    rootScopeId: process.id!,
    scopes,
    nodes,
    flows,
    messageNames: literalMessageNames(
      Object.values(nodes),
      (n) => !(n.kind === 'startEvent' && n.scopeId === process.id),
    ),
    messageStartNames: literalMessageNames(
      Object.values(nodes),
      (n) => n.kind === 'startEvent' && n.scopeId === process.id,
    ),
    ...(signalStartNames.length > 0 ? { signalStartNames } : {}),
    ...(signalNames.length > 0 ? { signalNames } : {}),
    ...(listeners ? { listeners } : {}),
  };
  return { ok: true, graph: deepFreeze(graph) };
}

function literalMessageNames(nodes: GraphNode[], include: (n: GraphNode) => boolean): string[] {
  const names = new Set<string>();
  for (const n of nodes) {
    if (!include(n)) continue;
    const message =
      n.kind === 'receiveTask'
        ? n.message
        : 'trigger' in n && n.trigger.type === 'message'
          ? n.trigger.message
          : undefined;
    if (message?.name.type === 'literal') names.add(message.name.value);
  }
  return [...names].sort();
}

/** Literal names of the signals caught by the nodes `include` picks (not thrown ones). */
function literalSignalNames(nodes: GraphNode[], include: (n: GraphNode) => boolean): string[] {
  const names = new Set<string>();
  for (const n of nodes)
    if (include(n) && 'trigger' in n && n.trigger.type === 'signal' && n.trigger.name.type === 'literal')
      names.add(n.trigger.name.value);
  return [...names].sort();
}
