/**
 * Multi-instance activities: a body instance runs one inner instance per item of the input
 * collection, all at once (parallel) or one after another (sequential), collects each
 * instance's output element in input order, and stops early when the completion condition holds
 * (once the canceling listeners of the user tasks that ends have run, for instances started since
 * EngineState.cancelingListenersHoldCompletion).
 */
import { type MultiInstanceSpec, evaluateExpression } from '../../bpmn/runtime';
import { runBehaviour } from './behaviour';
import { leaveBy } from './completion';
import { createInstance, endInstance, nodeOf, raiseIncident, type Run, dialect } from './run';
import { holdInterrupt, terminateRemaining } from './task-transitions';
import { subscribeBoundaries } from './triggers';
import type { ElementInstance } from './types';
import { propagateVariables, visibleVariables } from './variables';

function specOf(run: Run, body: ElementInstance): MultiInstanceSpec {
  const node = nodeOf(run, body.elementId);
  if (!('multiInstance' in node) || !node.multiInstance)
    throw new Error(`"${body.elementId}" is not a multi-instance activity`);
  return node.multiInstance;
}

export function runMultiInstanceBody(run: Run, body: ElementInstance): void {
  const spec = specOf(run, body);
  if (!subscribeBoundaries(run, body)) return;
  const collection = evaluateExpression(spec.inputCollection, visibleVariables(run, body.id), dialect(run));
  if (!collection.ok)
    return raiseIncident(run, body, 'expression', `input collection: ${collection.error}`, 'activate');
  if (!Array.isArray(collection.value)) {
    return raiseIncident(
      run,
      body,
      'expression',
      `the input collection should be a list, got ${JSON.stringify(collection.value)}`,
      'activate',
    );
  }
  const items = collection.value as unknown[];
  body.multiInstance = { items, nextIndex: 0, completed: 0, outputs: items.map(() => null) };
  if (items.length === 0) return completeBody(run, body);
  if (spec.sequential) return startInner(run, body, 0);
  for (let i = 0; i < items.length; i++) {
    // An instance that completes at once may satisfy the completion condition and end the body.
    if (!run.state.instances[body.id]) return;
    startInner(run, body, i);
  }
}

function startInner(run: Run, body: ElementInstance, index: number): void {
  const spec = specOf(run, body);
  const progress = body.multiInstance!;
  const locals: Record<string, unknown> = { loopCounter: index + 1 };
  if (spec.inputElement) locals[spec.inputElement] = progress.items[index];
  const inner = createInstance(run, body.elementId, 'node', body.id, locals);
  inner.loopIndex = index;
  progress.nextIndex = index + 1;
  runBehaviour(run, inner);
}

export function innerCompleted(run: Run, body: ElementInstance, index: number, output: unknown): void {
  const progress = body.multiInstance!;
  progress.outputs[index] = output;
  progress.completed++;
  checkBody(run, body);
}

/** After an inner instance ended (or an incident on the condition was retried): next, done, or wait. */
export function checkBody(run: Run, body: ElementInstance): void {
  const spec = specOf(run, body);
  const progress = body.multiInstance!;
  const total = progress.items.length;
  if (spec.completionCondition) {
    const context = {
      ...visibleVariables(run, body.id),
      numberOfInstances: total,
      numberOfCompletedInstances: progress.completed,
      numberOfActiveInstances: body.childIds.length,
    };
    const r = evaluateExpression(spec.completionCondition, context, dialect(run));
    if (!r.ok) return raiseIncident(run, body, 'expression', `completion condition: ${r.error}`, 'complete');
    if (r.value === true) {
      // The remaining instances end; the body completes once their tasks' canceling listeners have run.
      const waitingFor = terminateRemaining(run, body);
      if (waitingFor.length > 0) return holdInterrupt(run, body, { waitingFor, then: { kind: 'multiInstanceBody' } });
      return completeBody(run, body);
    }
  }
  if (spec.sequential && progress.nextIndex < total) return startInner(run, body, progress.nextIndex);
  if (body.childIds.length === 0 && progress.nextIndex >= total) completeBody(run, body);
}

export function completeBody(run: Run, body: ElementInstance): void {
  const spec = specOf(run, body);
  const node = nodeOf(run, body.elementId);
  if (spec.outputCollection)
    propagateVariables(run, body.parentId, { [spec.outputCollection]: [...body.multiInstance!.outputs] });
  const scopeId = body.parentId!;
  endInstance(run, body, 'completed');
  leaveBy(run, node.outgoing, scopeId);
}
