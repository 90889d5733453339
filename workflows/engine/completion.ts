/**
 * Leaving elements: output mappings, variable propagation, outgoing flows, and scopes that
 * complete once their last token is gone (sub-process, event sub-process, the process).
 */
import { evaluateExpression } from '../../bpmn/runtime';
import type { AdHocSubProcessNode } from '../../bpmn/runtime';
import { adHocMayComplete, innerOfAdHocCompleted, isAdHoc } from './ad-hoc';
import { hasExecutionListeners, startListenerJob } from './listeners';
import { innerCompleted } from './multi-instance';
import { endInstance, nodeOf, parentOf, raiseIncident, terminateInstance, type Run, dialect } from './run';
import type { ElementInstance, Variables } from './types';
import { evaluateMappings, propagateVariables, visibleVariables } from './variables';

/**
 * The element's work is done with `result` (job, user task, message or child variables):
 * output mappings (or the result as is) go up the scopes, the instance ends, the token moves on.
 */
export function completeElement(run: Run, inst: ElementInstance, result: Variables): void {
  // Already waiting for its end listeners (a scope checked again meanwhile): nothing more to do.
  if (inst.endListeners) return;
  if (inst.compensationScope) return endCompensationScope(run, inst);
  const node = nodeOf(run, inst.elementId);
  const context = { ...visibleVariables(run, inst.id), ...result };
  let out = result;
  const outputs = 'outputs' in node ? node.outputs : [];
  if (outputs.length > 0) {
    const mapped = evaluateMappings(outputs, context, dialect(run));
    if (!mapped.ok) {
      inst.pendingResult = result;
      return raiseIncident(run, inst, 'expression', mapped.error, 'complete');
    }
    out = mapped.value;
  }
  const parent = parentOf(run, inst);
  let loopOutput: unknown = null;
  const adHocOutput = isAdHoc(run, parent)
    ? (nodeOf(run, parent.elementId) as AdHocSubProcessNode).outputElement
    : undefined;
  if (adHocOutput) {
    const r = evaluateExpression(adHocOutput, { ...context, ...out }, dialect(run));
    if (!r.ok) {
      inst.pendingResult = result;
      return raiseIncident(run, inst, 'expression', `ad-hoc output element: ${r.error}`, 'complete');
    }
    loopOutput = r.value;
  } else if (parent?.kind === 'multiInstanceBody' && 'multiInstance' in node && node.multiInstance?.outputElement) {
    const r = evaluateExpression(node.multiInstance.outputElement, { ...context, ...out }, dialect(run));
    if (!r.ok) {
      inst.pendingResult = result;
      return raiseIncident(run, inst, 'expression', `output element: ${r.error}`, 'complete');
    }
    loopOutput = r.value;
  }
  delete inst.pendingResult;
  propagateVariables(run, inst.parentId, out);
  if (hasExecutionListeners(run, inst, 'end')) {
    inst.endListeners = { loopOutput };
    return startListenerJob(run, inst, { kind: 'execution', eventType: 'end', index: 0 });
  }
  leaveElement(run, inst, loopOutput);
}

/** The element has completed (its end listeners too): it ends and its token moves on. */
export function leaveElement(run: Run, inst: ElementInstance, loopOutput: unknown): void {
  const node = nodeOf(run, inst.elementId);
  const parent = parentOf(run, inst);
  if (parent) recordCompensable(run, inst, parent);
  endInstance(run, inst, 'completed');
  if (inst.compensationOf) handlerCompleted(run, inst.compensationOf);
  if (!parent) return;
  if (parent.kind === 'multiInstanceBody') return innerCompleted(run, parent, inst.loopIndex ?? 0, loopOutput);
  if (isAdHoc(run, parent)) innerOfAdHocCompleted(run, parent, loopOutput);
  // A link throw event's token goes on at its link catch event.
  if (node.kind === 'intermediateThrowEvent' && node.result.type === 'link')
    run.agenda.push({ kind: 'activate', nodeId: node.result.targetId, scopeId: parent.id });
  leaveBy(run, node.outgoing, parent.id);
}

/**
 * What a compensation throw finds later: an activity with a compensation handler that completes
 * (a multi-instance one once, as its body) is recorded in its scope, and a completed sub-process
 * hands its records to the scope around it.
 */
function recordCompensable(run: Run, inst: ElementInstance, parent: ElementInstance): void {
  if (parent.kind === 'multiInstanceBody') return;
  const node = nodeOf(run, inst.elementId);
  if (node.kind === 'subProcess' && node.compensationEventSubProcessId) {
    // Its compensation event sub-process decides what inside is compensated: its records stay with it.
    parent.compensable = [...(parent.compensable ?? []), node.id];
    parent.compensationScopes = [
      ...(parent.compensationScopes ?? []),
      { elementId: node.id, compensable: [...(inst.compensable ?? [])], variables: { ...inst.variables } },
    ];
    return;
  }
  const records = [
    ...(inst.compensable ?? []),
    ...('compensationHandlerId' in node && node.compensationHandlerId ? [node.id] : []),
  ];
  if (records.length > 0) parent.compensable = [...(parent.compensable ?? []), ...records];
}

/** A sub-process brought back for its compensation event sub-process: that has ended, so it ends too. */
function endCompensationScope(run: Run, inst: ElementInstance): void {
  endInstance(run, inst, 'completed');
  if (inst.compensationOf) handlerCompleted(run, inst.compensationOf);
}

/** A compensation handler finished: its throw or end event completes once the last one has. */
function handlerCompleted(run: Run, throwId: string): void {
  const thrower = run.state.instances[throwId];
  if (!thrower || thrower.compensating === undefined) return;
  thrower.compensating -= 1;
  if (thrower.compensating > 0) return;
  delete thrower.compensating;
  completeElement(run, thrower, {});
}

/** Sends a token down each flow (several flows from a non-gateway: an implicit parallel split). */
export function leaveBy(run: Run, flowIds: readonly string[], scopeId: string): void {
  for (const flowId of flowIds) run.agenda.push({ kind: 'flow', flowId, scopeId });
}

function isScopeInstance(run: Run, inst: ElementInstance): boolean {
  if (inst.kind === 'process') return true;
  if (inst.kind !== 'node') return false;
  const kind = nodeOf(run, inst.elementId).kind;
  return (
    kind === 'subProcess' || kind === 'eventSubProcess' || (kind === 'adHocSubProcess' && adHocMayComplete(run, inst))
  );
}

/**
 * Completes the first scope that has no token left and returns true; the caller runs the
 * agenda before checking again, because completing a scope sends a token on (queued), and its
 * parent must not look empty meanwhile.
 */
export function completeEmptyScopes(run: Run): boolean {
  while (run.scopesToCheck.length > 0 && run.state.status === 'running') {
    const inst = run.state.instances[run.scopesToCheck.shift()!];
    if (!inst || inst.childIds.length > 0 || inst.joins || !isScopeInstance(run, inst)) continue;
    if (inst.kind === 'process') finishProcess(run, inst);
    else completeElement(run, inst, {});
    return true;
  }
  return false;
}

/** The process completes; its end listeners run first (`listenersDone` once they have). */
export function finishProcess(run: Run, root: ElementInstance, listenersDone = false): void {
  // A cancellation waited for canceling listeners (task-transitions.ts): they have all run.
  if (root.cancelRequested) return endWholeInstance(run, { type: 'cancel' });
  if (root.endListeners && !listenersDone) return;
  if (!listenersDone && hasExecutionListeners(run, root, 'end')) {
    root.endListeners = { loopOutput: null };
    return startListenerJob(run, root, { kind: 'execution', eventType: 'end', index: 0 });
  }
  const variables = { ...root.variables };
  // Camunda 8 (semantics 2): a terminate end event completes the instance; before, it was `terminated`.
  const terminated = root.endedByTerminate === true && (run.graph.semantics ?? 1) < 2;
  endInstance(run, root, 'completed');
  const s = run.state;
  s.status = terminated ? 'terminated' : 'completed';
  s.endedAt = run.now;
  s.result = variables;
  s.bufferedMessages = [];
  run.commands.push(
    terminated ? { type: 'terminate', reason: 'terminateEndEvent', variables } : { type: 'complete', variables },
  );
}

/** Ends the whole instance: everything terminated, then `fail` (uncaught error) or `terminate` (cancelled). */
export function endWholeInstance(
  run: Run,
  outcome: { type: 'fail'; errorCode?: string; message: string } | { type: 'cancel' },
): void {
  const root = run.state.instances[run.state.rootId];
  const variables = root ? { ...root.variables } : {};
  run.ending = true;
  if (root) {
    for (const childId of [...root.childIds]) {
      const child = run.state.instances[childId];
      if (child) terminateInstance(run, child);
    }
    delete root.joins;
    endInstance(run, root, 'terminated');
  }
  const s = run.state;
  s.endedAt = run.now;
  s.result = variables;
  s.bufferedMessages = [];
  run.agenda.length = 0;
  if (outcome.type === 'fail') {
    s.status = 'failed';
    s.failure = {
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
      message: outcome.message,
    };
    run.commands.push({
      type: 'fail',
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
      message: outcome.message,
    });
  } else {
    s.status = 'cancelled';
    run.commands.push({ type: 'terminate', reason: 'cancelled', variables });
  }
}
