/**
 * Builds compiled graphs in code for the pure engine tests (the compiler's own tests cover
 * XML → graph). Fills in what the compiler derives: incoming/outgoing flows, scopes, and
 * the upstream node sets of inclusive joins.
 */
import {
  GRAPH_FORMAT,
  type ActivityRef,
  type BoundaryEventNode,
  type CompiledGraph,
  type EndResult,
  type EventTrigger,
  type Expression,
  type GraphNode,
  type Mapping,
  type MultiInstanceSpec,
  type Scope,
  type SequenceFlow,
  type ThrowResult,
  type UserTaskSpec,
  type CallSpec,
} from '../../bpmn/runtime';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type AnyNode = Mutable<GraphNode> & Record<string, unknown>;

export const feel = (expression: string): Expression => ({ type: 'feel', expression });
export const lit = (value: string): Expression => ({ type: 'literal', value });
export const map = (target: string, source: string): Mapping => ({ target, source: feel(source) });

interface ActivityOptions {
  name?: string;
  inputs?: Mapping[];
  outputs?: Mapping[];
  multiInstance?: MultiInstanceSpec;
}

export class ScopeBuilder {
  constructor(
    protected readonly root: GraphBuilder,
    readonly scopeId: string,
  ) {}

  private add(node: Record<string, unknown> & { id: string; kind: string }): this {
    this.root.addNode({
      name: undefined,
      incoming: [],
      outgoing: [],
      ...node,
      scopeId: this.scopeId,
    } as unknown as AnyNode);
    return this;
  }

  private activity(id: string, kind: string, opts: ActivityOptions, extra: Record<string, unknown>): this {
    const { name, inputs = [], outputs = [], multiInstance } = opts;
    return this.add({
      id,
      kind,
      ...(name ? { name } : {}),
      inputs,
      outputs,
      boundaryEventIds: [],
      ...(multiInstance ? { multiInstance } : {}),
      ...extra,
    });
  }

  start(
    id: string,
    trigger: EventTrigger = { type: 'none' },
    opts: { interrupting?: boolean; outputs?: Mapping[] } = {},
  ): this {
    return this.add({
      id,
      kind: 'startEvent',
      trigger,
      interrupting: opts.interrupting ?? true,
      outputs: opts.outputs ?? [],
    });
  }

  end(id: string, result: EndResult = { type: 'none' }, inputs: Mapping[] = []): this {
    return this.add({ id, kind: 'endEvent', result, inputs });
  }

  service(
    id: string,
    activityType: string,
    opts: ActivityOptions & { retries?: number; headers?: Record<string, string> } = {},
  ): this {
    const activity: ActivityRef = {
      activityType,
      headers: opts.headers ?? {},
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    };
    return this.activity(id, 'serviceTask', opts, { activity });
  }

  user(id: string, userTask: UserTaskSpec = {}, opts: ActivityOptions = {}): this {
    return this.activity(id, 'userTask', opts, { userTask });
  }

  script(id: string, script: string, resultVariable: string, opts: ActivityOptions = {}): this {
    return this.activity(id, 'scriptTask', opts, { script, resultVariable });
  }

  manual(id: string, opts: ActivityOptions = {}): this {
    return this.activity(id, 'manualTask', opts, {});
  }

  receive(id: string, name: string, correlationKey: string, opts: ActivityOptions = {}): this {
    return this.activity(id, 'receiveTask', opts, {
      message: { name: lit(name), correlationKey: feel(correlationKey) },
    });
  }

  call(id: string, processId: string, opts: ActivityOptions & Partial<Omit<CallSpec, 'processId'>> = {}): this {
    const call: CallSpec = {
      processId: lit(processId),
      version: opts.version ?? { binding: 'latest' },
      propagateAllChildVariables: opts.propagateAllChildVariables ?? true,
      propagateAllParentVariables: opts.propagateAllParentVariables ?? true,
    };
    return this.activity(id, 'callActivity', opts, { call });
  }

  timerCatch(id: string, kind: 'duration' | 'date' | 'cycle', value: string, outputs: Mapping[] = []): this {
    return this.add({
      id,
      kind: 'intermediateCatchEvent',
      trigger: { type: 'timer', timer: { kind, value: value.startsWith('=') ? feel(value.slice(1)) : lit(value) } },
      outputs,
    });
  }

  messageCatch(id: string, name: string, correlationKey: string, outputs: Mapping[] = []): this {
    return this.add({
      id,
      kind: 'intermediateCatchEvent',
      trigger: { type: 'message', message: { name: lit(name), correlationKey: feel(correlationKey) } },
      outputs,
    });
  }

  throwEvent(id: string, result: ThrowResult = { type: 'none' }, inputs: Mapping[] = []): this {
    return this.add({ id, kind: 'intermediateThrowEvent', result, inputs });
  }

  xor(id: string, defaultFlowId?: string): this {
    return this.add({ id, kind: 'exclusiveGateway', ...(defaultFlowId ? { defaultFlowId } : {}) });
  }

  or(id: string, defaultFlowId?: string): this {
    return this.add({ id, kind: 'inclusiveGateway', ...(defaultFlowId ? { defaultFlowId } : {}), upstreamNodeIds: [] });
  }

  and(id: string): this {
    return this.add({ id, kind: 'parallelGateway' });
  }

  eventGateway(id: string): this {
    return this.add({ id, kind: 'eventBasedGateway', eventIds: [] });
  }

  boundary(
    id: string,
    hostId: string,
    trigger: Exclude<EventTrigger, { type: 'none' }>,
    opts: { interrupting?: boolean; outputs?: Mapping[] } = {},
  ): this {
    return this.add({
      id,
      kind: 'boundaryEvent',
      attachedToId: hostId,
      interrupting: opts.interrupting ?? true,
      trigger,
      outputs: opts.outputs ?? [],
    });
  }

  timerBoundary(
    id: string,
    hostId: string,
    kind: 'duration' | 'date' | 'cycle',
    value: string,
    interrupting = true,
  ): this {
    return this.boundary(id, hostId, { type: 'timer', timer: { kind, value: lit(value) } }, { interrupting });
  }

  sub(id: string, build: (s: ScopeBuilder) => void, opts: ActivityOptions = {}): this {
    this.activity(id, 'subProcess', opts, { scopeRef: id });
    this.root.addScope(id, 'subProcess', this.scopeId);
    build(new ScopeBuilder(this.root, id));
    return this;
  }

  /** An event sub-process whose start event is `startId` with `trigger`. */
  eventSub(
    id: string,
    startId: string,
    trigger: EventTrigger,
    interrupting: boolean,
    build: (s: ScopeBuilder) => void,
  ): this {
    this.add({ id, kind: 'eventSubProcess', scopeRef: id, startEventId: startId });
    this.root.addScope(id, 'eventSubProcess', this.scopeId);
    const inner = new ScopeBuilder(this.root, id);
    inner.start(startId, trigger, { interrupting });
    build(inner);
    return this;
  }

  /** Sequence flow `from` → `to`; id defaults to `from->to`. */
  flow(from: string, to: string, opts: { id?: string; condition?: string; isDefault?: boolean } = {}): this {
    this.root.addFlow({
      id: opts.id ?? `${from}->${to}`,
      sourceId: from,
      targetId: to,
      isDefault: opts.isDefault ?? false,
      ...(opts.condition ? { condition: opts.condition } : {}),
    });
    return this;
  }

  /** Flows along a chain of node ids. */
  chain(...ids: string[]): this {
    for (let i = 0; i + 1 < ids.length; i++) this.flow(ids[i], ids[i + 1]);
    return this;
  }
}

export class GraphBuilder extends ScopeBuilder {
  private readonly nodes: Record<string, AnyNode> = {};
  private readonly flows: Record<string, Mutable<SequenceFlow>> = {};
  private readonly scopes: Record<string, { id: string; kind: Scope['kind']; parentScopeId?: string }> = {};

  constructor(readonly processId = 'process') {
    super(undefined as unknown as GraphBuilder, processId);
    (this as unknown as { root: GraphBuilder }).root = this;
    this.scopes[processId] = { id: processId, kind: 'process' };
  }

  addNode(node: AnyNode): void {
    if (this.nodes[node.id]) throw new Error(`duplicate node ${node.id}`);
    this.nodes[node.id] = node;
  }

  addFlow(flow: Mutable<SequenceFlow>): void {
    if (this.flows[flow.id]) throw new Error(`duplicate flow ${flow.id}`);
    this.flows[flow.id] = flow;
  }

  addScope(id: string, kind: Scope['kind'], parentScopeId: string): void {
    this.scopes[id] = { id, kind, parentScopeId };
  }

  build(): CompiledGraph {
    const nodes: Record<string, AnyNode> = JSON.parse(JSON.stringify(this.nodes));
    for (const n of Object.values(nodes)) {
      n.incoming = [];
      n.outgoing = [];
    }
    for (const f of Object.values(this.flows)) {
      if (!nodes[f.sourceId] || !nodes[f.targetId]) throw new Error(`flow ${f.id} joins unknown nodes`);
      (nodes[f.sourceId].outgoing as string[]).push(f.id);
      (nodes[f.targetId].incoming as string[]).push(f.id);
      const src = nodes[f.sourceId] as AnyNode & { defaultFlowId?: string };
      if (f.isDefault) src.defaultFlowId = f.id;
    }
    for (const n of Object.values(nodes)) {
      if (n.kind === 'boundaryEvent') {
        const b = n as unknown as BoundaryEventNode;
        (nodes[b.attachedToId].boundaryEventIds as string[]).push(b.id);
      }
      if (n.kind === 'eventBasedGateway') {
        (n as unknown as { eventIds: string[] }).eventIds = (n.outgoing as string[]).map((f) => this.flows[f].targetId);
      }
    }
    for (const n of Object.values(nodes)) {
      if (n.kind === 'inclusiveGateway')
        (n as unknown as { upstreamNodeIds: string[] }).upstreamNodeIds = upstream(nodes, this.flows, n.id);
    }
    const scopes: Record<string, Scope> = {};
    for (const s of Object.values(this.scopes)) {
      const inScope = Object.values(nodes).filter((n) => n.scopeId === s.id);
      scopes[s.id] = {
        id: s.id,
        kind: s.kind,
        ...(s.parentScopeId ? { parentScopeId: s.parentScopeId } : {}),
        startEventIds: inScope.filter((n) => n.kind === 'startEvent').map((n) => n.id),
        eventSubProcessIds: inScope.filter((n) => n.kind === 'eventSubProcess').map((n) => n.id),
        nodeIds: inScope.map((n) => n.id),
      };
    }
    return {
      format: GRAPH_FORMAT,
      processId: this.processId,
      rootScopeId: this.processId,
      scopes,
      nodes: nodes as unknown as Record<string, GraphNode>,
      flows: JSON.parse(JSON.stringify(this.flows)),
      messageNames: [],
      messageStartNames: [],
    };
  }
}

function upstream(nodes: Record<string, AnyNode>, flows: Record<string, SequenceFlow>, targetId: string): string[] {
  const seen = new Set<string>();
  const queue = [targetId];
  while (queue.length > 0) {
    const node = nodes[queue.pop()!];
    for (const f of node.incoming as string[]) {
      const src = flows[f].sourceId;
      if (!seen.has(src)) {
        seen.add(src);
        queue.push(src);
      }
    }
    if (node.kind === 'boundaryEvent') {
      const host = (node as unknown as BoundaryEventNode).attachedToId;
      if (!seen.has(host)) {
        seen.add(host);
        queue.push(host);
      }
    }
  }
  return [...seen].sort();
}
