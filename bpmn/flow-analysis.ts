/**
 * Control-flow analysis of one scope (process, sub-process or event sub-process) on the
 * moddle tree: which nodes a start event can reach, and which parallel joins can ever fire.
 * Used by the reachability and join lint rules.
 */
import { children, is, isAny, str, type ModdleElement } from './moddle';

/** Scopes whose flow elements form one flow graph. */
export function isScope(el: ModdleElement): boolean {
  return is(el, 'bpmn:Process') || is(el, 'bpmn:SubProcess');
}

export function isEventSubProcess(el: ModdleElement): boolean {
  return is(el, 'bpmn:SubProcess') && el.triggeredByEvent === true;
}

/** Flow nodes directly in the scope (no sequence flows, no data objects). */
export function scopeNodes(scope: ModdleElement): ModdleElement[] {
  return children(scope, 'flowElements').filter((e) => is(e, 'bpmn:FlowNode'));
}

export function scopeFlows(scope: ModdleElement): ModdleElement[] {
  return children(scope, 'flowElements').filter((e) => is(e, 'bpmn:SequenceFlow'));
}

/** Start events that begin the scope's normal flow (event sub-process starts are inside their own scope). */
export function scopeStartEvents(scope: ModdleElement): ModdleElement[] {
  return scopeNodes(scope).filter((n) => is(n, 'bpmn:StartEvent'));
}

function boundaryEventsOf(scope: ModdleElement): Map<string, ModdleElement[]> {
  const byHost = new Map<string, ModdleElement[]>();
  for (const n of scopeNodes(scope)) {
    if (!is(n, 'bpmn:BoundaryEvent')) continue;
    const hostId = str(n.attachedToRef as ModdleElement | undefined, 'id');
    if (!hostId) continue;
    byHost.set(hostId, [...(byHost.get(hostId) ?? []), n]);
  }
  return byHost;
}

/** For a link throw event: the link catch events of its name in its scope (where its token goes on). */
export function linkCatchesOf(node: ModdleElement): ModdleElement[] {
  if (!is(node, 'bpmn:IntermediateThrowEvent')) return [];
  const def = children(node, 'eventDefinitions').find((d) => is(d, 'bpmn:LinkEventDefinition'));
  const name = str(def, 'name')?.trim();
  if (!name) return [];
  return children(node.$parent, 'flowElements').filter(
    (e) =>
      is(e, 'bpmn:IntermediateCatchEvent') &&
      children(e, 'eventDefinitions').some((d) => is(d, 'bpmn:LinkEventDefinition') && str(d, 'name')?.trim() === name),
  );
}

function targetsOf(node: ModdleElement): ModdleElement[] {
  return [
    ...children(node, 'outgoing')
      .map((f) => f.targetRef as ModdleElement)
      .filter(Boolean),
    ...linkCatchesOf(node),
  ];
}

/**
 * Ids of nodes in the scope reachable from its start events, following sequence flows and
 * the boundary events of reached activities. Event sub-processes count as reachable (an event
 * starts them). Returns null when the scope has no start event (another rule reports that).
 */
export function reachableNodeIds(scope: ModdleElement): Set<string> | null {
  const starts = scopeStartEvents(scope);
  if (starts.length === 0) return null;
  const boundaries = boundaryEventsOf(scope);
  const seen = new Set<string>();
  const queue = [...starts];
  // Event sub-processes start on their event, compensation handlers on a compensation throw.
  for (const n of scopeNodes(scope)) if (isEventSubProcess(n) || n.isForCompensation === true) queue.push(n);
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (!node.id || seen.has(node.id)) continue;
    seen.add(node.id);
    queue.push(...targetsOf(node), ...(boundaries.get(node.id) ?? []));
  }
  return seen;
}

/**
 * Ids of nodes in the scope from which `targetId` can be reached (boundary events count as
 * part of their host). For inclusive joins: "can another token still arrive?".
 */
export function upstreamNodeIds(scope: ModdleElement, targetId: string): string[] {
  const nodes = scopeNodes(scope);
  const byId = new Map(nodes.map((n) => [n.id!, n]));
  const seen = new Set<string>();
  const queue = [targetId];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const node = byId.get(id);
    if (!node) continue;
    for (const f of children(node, 'incoming')) {
      const src = str(f.sourceRef as ModdleElement | undefined, 'id');
      if (src && !seen.has(src)) {
        seen.add(src);
        queue.push(src);
      }
    }
    // A link catch event is reached from the link throw events of its name.
    for (const thrower of nodes.filter((n) => linkCatchesOf(n).includes(node)))
      if (thrower.id && !seen.has(thrower.id)) {
        seen.add(thrower.id);
        queue.push(thrower.id);
      }
    if (is(node, 'bpmn:BoundaryEvent')) {
      const host = str(node.attachedToRef as ModdleElement | undefined, 'id');
      if (host && !seen.has(host)) {
        seen.add(host);
        queue.push(host);
      }
    }
  }
  return [...seen].sort();
}

const MAX_STATES = 20_000;
const MAX_TOKENS_PER_FLOW = 3;

/**
 * Parallel joins (parallel gateways with more than one incoming flow) that no run of the
 * scope can ever fire. Explores the token game of the scope with every choice open
 * (exclusive/event-based: any one branch; inclusive: any non-empty subset; boundary events
 * may or may not trigger). Returns null when the exploration could not finish (the state
 * space is too big or unbounded): then nothing is claimed.
 */
export function deadParallelJoins(scope: ModdleElement): string[] | null {
  const nodes = scopeNodes(scope);
  const flows = scopeFlows(scope);
  const flowIndex = new Map(flows.map((f, i) => [f.id!, i]));
  const joins = nodes.filter((n) => is(n, 'bpmn:ParallelGateway') && children(n, 'incoming').length > 1);
  if (joins.length === 0) return [];
  const boundaries = boundaryEventsOf(scope);
  const idx = (els: ModdleElement[]) =>
    els.map((f) => flowIndex.get(f.id!)).filter((i): i is number => i !== undefined);
  const fired = new Set<string>();

  for (const start of scopeStartEvents(scope)) {
    const initial = new Array<number>(flows.length).fill(0);
    for (const i of idx(children(start, 'outgoing'))) initial[i] += 1;
    const seen = new Set<string>([initial.join(',')]);
    const stack = [initial];
    while (stack.length > 0) {
      const marking = stack.pop()!;
      for (const node of nodes) {
        for (const next of fire(node, marking)) {
          if (next.some((c) => c > MAX_TOKENS_PER_FLOW)) return null;
          const key = next.join(',');
          if (seen.has(key)) continue;
          if (seen.size >= MAX_STATES) return null;
          seen.add(key);
          stack.push(next);
        }
      }
    }
  }
  return joins.map((j) => j.id!).filter((id) => !fired.has(id));

  /** Every marking reachable by firing `node` once from `marking`. */
  function fire(node: ModdleElement, marking: number[]): number[][] {
    const inc = idx(children(node, 'incoming'));
    // A link throw's token continues after its link catch event.
    const out = idx([...children(node, 'outgoing'), ...linkCatchesOf(node).flatMap((c) => children(c, 'outgoing'))]);
    const produce = (base: number[], targets: number[]) => {
      const m = [...base];
      for (const i of targets) m[i] += 1;
      return m;
    };
    if (is(node, 'bpmn:ParallelGateway')) {
      if (inc.length === 0 || inc.some((i) => marking[i] === 0)) return [];
      if (inc.length > 1) fired.add(node.id!);
      const m = [...marking];
      for (const i of inc) m[i] -= 1;
      return [produce(m, out)];
    }
    if (is(node, 'bpmn:InclusiveGateway') && inc.length > 1) {
      // Over-approximation: fires with whatever tokens have arrived.
      if (!inc.some((i) => marking[i] > 0)) return [];
      const m = [...marking];
      for (const i of inc) if (m[i] > 0) m[i] -= 1;
      return subsets(out).map((s) => produce(m, s));
    }
    const results: number[][] = [];
    for (const i of inc) {
      if (marking[i] === 0) continue;
      const m = [...marking];
      m[i] -= 1;
      if (is(node, 'bpmn:EndEvent')) {
        results.push(isTerminate(node) ? new Array<number>(m.length).fill(0) : m);
      } else if (isAny(node, ['bpmn:ExclusiveGateway', 'bpmn:EventBasedGateway'])) {
        for (const o of out) results.push(produce(m, [o]));
      } else if (is(node, 'bpmn:InclusiveGateway')) {
        for (const s of subsets(out)) results.push(produce(m, s));
      } else {
        results.push(produce(m, out));
        for (const b of boundaries.get(node.id!) ?? []) {
          const bOut = idx(children(b, 'outgoing'));
          results.push(b.cancelActivity === false ? produce(produce(m, out), bOut) : produce(m, bOut));
        }
      }
    }
    return results;
  }
}

function isTerminate(node: ModdleElement): boolean {
  return children(node, 'eventDefinitions').some((d) => is(d, 'bpmn:TerminateEventDefinition'));
}

/** Non-empty subsets; for wide splits only singletons and "all" (enough for join analysis, bounded cost). */
function subsets(items: number[]): number[][] {
  if (items.length === 0) return [[]];
  if (items.length > 6) return [...items.map((i) => [i]), items];
  const result: number[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) result.push(items.filter((_, bit) => (mask >> bit) & 1));
  return result;
}
