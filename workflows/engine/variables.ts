/**
 * Variable scoping, as Zeebe does it: every element instance may hold local variables; an
 * element sees the merge from the process down to itself (inner shadows outer); a value set
 * from an element goes to the nearest enclosing instance that already has that variable,
 * otherwise to the process.
 */
import { type Mapping, evaluateExpression, type FeelDialect, type FeelOutcome } from '../../bpmn/runtime';
import type { Run } from './run';
import type { ElementInstance, Variables } from './types';

/** The variables an element instance sees. */
export function visibleVariables(run: Run, instanceId: string | null): Variables {
  const chain: ElementInstance[] = [];
  let id = instanceId;
  while (id !== null) {
    const inst: ElementInstance | undefined = run.state.instances[id];
    if (!inst) break;
    chain.push(inst);
    id = inst.parentId;
  }
  const view: Variables = {};
  for (let i = chain.length - 1; i >= 0; i--) Object.assign(view, chain[i].variables);
  return view;
}

/** Sets each variable on the nearest instance (from `fromId` upwards) that has it, else on the process. */
export function propagateVariables(run: Run, fromId: string | null, variables: Variables): void {
  const root = run.state.instances[run.state.rootId];
  for (const [name, value] of Object.entries(variables)) {
    let id = fromId;
    let target: ElementInstance | undefined;
    while (id !== null) {
      const inst: ElementInstance | undefined = run.state.instances[id];
      if (!inst) break;
      if (Object.prototype.hasOwnProperty.call(inst.variables, name)) {
        target = inst;
        break;
      }
      id = inst.parentId;
    }
    (target ?? root).variables[name] = value;
  }
}

/**
 * Evaluates mappings in order (a later mapping sees the earlier targets). `target` may be a
 * dotted path (`address.postcode`), which builds nested objects.
 */
export function evaluateMappings(
  mappings: readonly Mapping[],
  context: Variables,
  dialect: FeelDialect,
): FeelOutcome<Variables> {
  const out: Variables = {};
  const scope: Variables = { ...context };
  for (const m of mappings) {
    const r = evaluateExpression(m.source, scope, dialect);
    if (!r.ok) return { ok: false, error: `mapping to "${m.target}": ${r.error}` };
    const head = m.target.split('.')[0];
    // A nested target updates the existing object rather than replacing it.
    if (head !== m.target && !(head in out) && head in scope) out[head] = scope[head];
    setPath(out, m.target, r.value);
    setPath(scope, m.target, r.value);
  }
  return { ok: true, value: out };
}

function setPath(target: Variables, path: string, value: unknown): void {
  const parts = path.split('.');
  let obj: Variables = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = obj[parts[i]];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) obj[parts[i]] = {};
    else obj[parts[i]] = { ...(next as Variables) };
    obj = obj[parts[i]] as Variables;
  }
  obj[parts[parts.length - 1]] = value;
}
