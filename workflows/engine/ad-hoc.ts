/**
 * Ad-hoc sub-processes (Camunda 8.8): inner elements without a start event, activated by name.
 * - Handled by the engine: `activeElements` (FEEL giving a list of element ids) decides which
 *   start when the sub-process does; it completes when none is active any more, or as soon as its
 *   `completionCondition` holds after an inner element completes (the rest cancelled when
 *   `cancelRemainingInstances`, Camunda's default; the sub-process then completes once the
 *   canceling listeners of the user tasks that cancels have run, for instances started since
 *   EngineState.cancelingListenersHoldCompletion).
 * - Handled by a job worker (`zeebe:taskDefinition` on the sub-process, e.g. an AI agent): a job
 *   when it starts and after each inner element completes, one at a time; the worker's result
 *   (`{ type: "adHocSubProcess", activateElements, isCompletionConditionFulfilled,
 *   isCancelRemainingInstances }`) activates elements, each with its own local variables, and says
 *   when it is done; it completes once done and no inner element is active.
 * Either way each completed inner element adds its `outputElement` to `outputCollection`, a local
 * variable of the sub-process its output mappings can read.
 */
import { evaluateExpression, type AdHocSubProcessNode } from '../../bpmn/runtime';
import { runBehaviour, startJob } from './behaviour';
import { createInstance, nodeOf, raiseIncident, waitsOwnedBy, type Run, dialect } from './run';
import { terminateRemaining } from './task-transitions';
import type { AdHocResult, ElementInstance, Variables } from './types';
import { visibleVariables } from './variables';

export function isAdHoc(run: Run, inst: ElementInstance | undefined): inst is ElementInstance {
  return !!inst && inst.kind === 'node' && nodeOf(run, inst.elementId).kind === 'adHocSubProcess';
}

function nodeOfAdHoc(run: Run, inst: ElementInstance): AdHocSubProcessNode {
  return nodeOf(run, inst.elementId) as AdHocSubProcessNode;
}

/** The sub-process starts: its output collection is empty, then its job or its active elements. */
export function startAdHoc(run: Run, inst: ElementInstance): void {
  const node = nodeOfAdHoc(run, inst);
  if (node.outputCollection) inst.variables[node.outputCollection] = [];
  if (node.job) return startAdHocJob(run, inst);
  let ids: string[] = [];
  if (node.activeElements) {
    const r = evaluateExpression(node.activeElements, visibleVariables(run, inst.id), dialect(run));
    if (!r.ok) return raiseIncident(run, inst, 'expression', `active elements: ${r.error}`, 'activate');
    const value = r.value ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      return raiseIncident(
        run,
        inst,
        'expression',
        `the active elements should be a list of element ids, got ${JSON.stringify(r.value)}`,
        'activate',
      );
    ids = value as string[];
  }
  const unknown = ids.filter((id) => !node.activatableIds.includes(id));
  if (unknown.length > 0)
    return raiseIncident(
      run,
      inst,
      'expression',
      `the active elements name ${unknown.map((u) => `"${u}"`).join(', ')}, which ad-hoc sub-process "${node.id}" cannot activate (it can: ${node.activatableIds.join(', ')})`,
      'activate',
    );
  for (const id of ids) activateInner(run, inst, id, {});
  run.scopesToCheck.push(inst.id);
}

export function startAdHocJob(run: Run, inst: ElementInstance): void {
  const node = nodeOfAdHoc(run, inst);
  // The worker learns what it may activate (Camunda's adHocSubProcessElements).
  inst.variables.adHocSubProcessElements = node.activatableIds.map((id) => {
    const n = nodeOf(run, id);
    return { elementId: id, elementName: n.name ?? id };
  });
  startJob(run, inst, node.job!, undefined, true);
}

function activateInner(run: Run, inst: ElementInstance, elementId: string, variables: Variables): void {
  const n = nodeOf(run, elementId);
  const kind = 'multiInstance' in n && n.multiInstance !== undefined ? 'multiInstanceBody' : 'node';
  const inner = createInstance(run, elementId, kind, inst.id, { ...variables });
  runBehaviour(run, inner);
}

/** The worker's job completed with its result: elements start, and it may say the sub-process is done. */
export function afterAdHocJob(run: Run, inst: ElementInstance, result: AdHocResult | undefined): void {
  const node = nodeOfAdHoc(run, inst);
  const activate = result?.activateElements ?? [];
  const unknown = activate.filter((a) => !node.activatableIds.includes(a.elementId));
  if (unknown.length > 0)
    return raiseIncident(
      run,
      inst,
      'jobFailed',
      `the job worker activated ${unknown.map((u) => `"${u.elementId}"`).join(', ')}, which ad-hoc sub-process "${node.id}" cannot activate`,
      'activate',
    );
  if (result?.completionConditionFulfilled) {
    inst.adHocDone = true;
    if (result.cancelRemainingInstances) terminateRemaining(run, inst);
  }
  for (const a of activate) activateInner(run, inst, a.elementId, a.variables ?? {});
  if (inst.adHocJobAgain && !inst.adHocDone && run.state.instances[inst.id]) {
    delete inst.adHocJobAgain;
    startAdHocJob(run, inst);
  }
  run.scopesToCheck.push(inst.id);
}

/**
 * An inner element of `inst` completed with `output` (its output element): it joins the output
 * collection; then a new job for the worker, or the completion condition is checked.
 */
export function innerOfAdHocCompleted(run: Run, inst: ElementInstance, output: unknown): void {
  const node = nodeOfAdHoc(run, inst);
  if (node.outputCollection) {
    const list = inst.variables[node.outputCollection];
    inst.variables[node.outputCollection] = [...(Array.isArray(list) ? list : []), output];
  }
  if (node.job) {
    if (inst.adHocDone) return;
    // One job at a time: a completion while it is out gets the worker a new job once it is back.
    if (waitsOwnedBy(run, inst.id).some((w) => w.type === 'job' && w.role === 'self')) inst.adHocJobAgain = true;
    else startAdHocJob(run, inst);
    return;
  }
  if (!node.completionCondition) return;
  const r = evaluateExpression(node.completionCondition, visibleVariables(run, inst.id), dialect(run));
  if (!r.ok) return raiseIncident(run, inst, 'expression', `completion condition: ${r.error}`, 'complete');
  if (r.value !== true) return;
  inst.adHocDone = true;
  if (node.cancelRemainingInstances) terminateRemaining(run, inst);
  run.scopesToCheck.push(inst.id);
}

/** An ad-hoc sub-process with no active element completes unless its worker's job is still out. */
export function adHocMayComplete(run: Run, inst: ElementInstance): boolean {
  return !waitsOwnedBy(run, inst.id).some((w) => w.type === 'job' && w.role === 'self');
}
