/**
 * Gateways: tokens arriving at joins (parallel: one per incoming flow; inclusive: once no
 * other token in the scope can still reach it), and forks choosing outgoing flows.
 */
import { type SequenceFlow, evaluateCondition } from '../../bpmn/runtime';
import { activateNode } from './behaviour';
import { leaveBy } from './completion';
import { endInstance, nodeOf, raiseIncident, type Run, dialect } from './run';
import type { ElementInstance } from './types';
import { visibleVariables } from './variables';

function isJoin(run: Run, nodeId: string): boolean {
  const node = nodeOf(run, nodeId);
  return (node.kind === 'parallelGateway' || node.kind === 'inclusiveGateway') && node.incoming.length > 1;
}

/** A token travels along `flowId` inside scope instance `scopeId`. */
export function arrive(run: Run, flowId: string, scopeId: string): void {
  const flow = run.graph.flows[flowId];
  if (!flow) throw new Error(`the graph has no sequence flow "${flowId}"`);
  const scope = run.state.instances[scopeId];
  if (!scope) return; // the scope ended meanwhile (terminated)
  if (!isJoin(run, flow.targetId)) return activateNode(run, flow.targetId, scopeId);
  const joins = (scope.joins ??= {});
  const arrived = (joins[flow.targetId] ??= {});
  arrived[flowId] = (arrived[flowId] ?? 0) + 1;
  const gateway = nodeOf(run, flow.targetId);
  if (gateway.kind === 'parallelGateway' && gateway.incoming.every((f) => (arrived[f] ?? 0) > 0))
    fireJoin(run, scope, gateway.id);
}

/** Consumes one waiting token per incoming flow that has one, then the gateway forks. */
function fireJoin(run: Run, scope: ElementInstance, gatewayId: string): void {
  const arrived = scope.joins![gatewayId];
  for (const flowId of Object.keys(arrived)) {
    if (--arrived[flowId] <= 0) delete arrived[flowId];
  }
  if (Object.keys(arrived).length === 0) delete scope.joins![gatewayId];
  if (Object.keys(scope.joins!).length === 0) delete scope.joins;
  activateNode(run, gatewayId, scope.id);
}

/**
 * Fires the first inclusive join that no other token in its scope can still reach (called
 * when nothing else is queued, so no token is in transit). Returns true when one fired.
 */
export function fireReadyInclusiveJoins(run: Run): boolean {
  for (const scope of Object.values(run.state.instances)) {
    if (!scope.joins) continue;
    for (const gatewayId of Object.keys(scope.joins)) {
      const gateway = nodeOf(run, gatewayId);
      if (gateway.kind !== 'inclusiveGateway') continue;
      const upstream = new Set(gateway.upstreamNodeIds);
      upstream.delete(gatewayId);
      const blocked =
        scope.childIds.some((id) => upstream.has(run.state.instances[id]?.elementId ?? '')) ||
        Object.keys(scope.joins).some((other) => other !== gatewayId && upstream.has(other));
      if (!blocked) {
        fireJoin(run, scope, gatewayId);
        return true;
      }
    }
  }
  return false;
}

/** Chooses the outgoing flows of a gateway and moves the token on (or raises an incident). */
export function forkGateway(run: Run, inst: ElementInstance): void {
  const node = nodeOf(run, inst.elementId);
  const flows = node.outgoing.map((id) => run.graph.flows[id]);
  let taken: SequenceFlow[];
  if (node.kind === 'exclusiveGateway' || node.kind === 'inclusiveGateway') {
    const choice = chooseFlows(run, inst, flows, node.defaultFlowId, node.kind === 'exclusiveGateway');
    if (!choice.ok) return raiseIncident(run, inst, choice.kind, choice.error, 'activate');
    taken = choice.flows;
  } else {
    taken = flows;
  }
  const scopeId = inst.parentId!;
  endInstance(run, inst, 'completed');
  leaveBy(
    run,
    taken.map((f) => f.id),
    scopeId,
  );
}

type Choice = { ok: true; flows: SequenceFlow[] } | { ok: false; kind: 'expression' | 'noOutgoingFlow'; error: string };

/** Exclusive: the first flow (diagram order) whose condition holds; inclusive: all of them; else the default. */
function chooseFlows(
  run: Run,
  inst: ElementInstance,
  flows: SequenceFlow[],
  defaultFlowId: string | undefined,
  firstOnly: boolean,
): Choice {
  const vars = visibleVariables(run, inst.id);
  const chosen: SequenceFlow[] = [];
  let defaultFlow: SequenceFlow | undefined;
  for (const flow of flows) {
    if (flow.isDefault || flow.id === defaultFlowId) {
      defaultFlow = flow;
      continue;
    }
    if (flow.condition === undefined) {
      chosen.push(flow); // an unconditional flow is always taken
    } else {
      const r = evaluateCondition(flow.condition, vars, dialect(run));
      if (!r.ok) return { ok: false, kind: 'expression', error: `flow "${flow.id}": ${r.error}` };
      if (r.value) chosen.push(flow);
    }
    if (firstOnly && chosen.length > 0) break;
  }
  if (chosen.length > 0) return { ok: true, flows: chosen };
  if (defaultFlow) return { ok: true, flows: [defaultFlow] };
  return {
    ok: false,
    kind: 'noOutgoingFlow',
    error: `no condition of gateway "${inst.elementId}" is true and it has no default flow`,
  };
}
