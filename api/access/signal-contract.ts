/**
 * The contract of a broadcast signal (POST /v2/signals/broadcast), checked on the planned
 * broadcast before anything is delivered (engine-client/broadcast-signal.ts plans first).
 * Only service managers and administrators broadcast (permission `signals.broadcast`): a signal
 * reaches every waiting instance of every process at once, an operational act like a
 * correction. On top of that:
 * - a process with a timer start event works over the whole region: only administrators start
 *   it, by a signal too (as by hand, ./start-policy.ts);
 * - the variables never set who a process is about (`nhsNumber`, `childId`): a signal has no
 *   correlation key, so the instances it starts are about no child, and the instances it
 *   reaches keep theirs;
 * - a signal start event with a form takes its fields typed as the form says (other variables
 *   pass, as Camunda takes them).
 * The legitimate-relationship rule for each child whose instance the signal reaches is the
 * route's (it may need break glass), as is the audit row written before delivery.
 */
import type { SignalPlan } from '../../engine-client/broadcast-signal';
import type { StaffPrincipal } from '../../records/staff';
import { ApiError } from '../api-error';
import { validateFormData, formFieldsOf } from '../tasks/form-validation';
import { keyDerivedProblems, REGION_WIDE_STARTERS } from './start-policy';

export function mustFitSignalContract(
  plan: SignalPlan,
  variables: Record<string, unknown>,
  principal: StaffPrincipal,
): void {
  for (const d of plan.starters) {
    const regionWide = Object.values(d.graph.nodes).some(
      (n) => n.kind === 'startEvent' && n.scopeId === d.graph.rootScopeId && n.trigger.type === 'timer',
    );
    if (regionWide && !REGION_WIDE_STARTERS.includes(principal.role))
      throw ApiError.forbidden(
        `Your role (${principal.role}) may not start ${d.key} by a signal: a process with a timer start event works over the whole region, only ${REGION_WIDE_STARTERS.join(', ')} may`,
      );
  }
  const problems = keyDerivedProblems(variables, 'body.variables');
  for (const d of plan.starters) {
    const start = d.graph.nodes[d.startEventId];
    const form = start?.kind === 'startEvent' ? start.form : undefined;
    if (!form) continue;
    const keys = new Set(formFieldsOf(form).map((f) => f.key));
    problems.push(
      ...validateFormData(
        form,
        Object.fromEntries(Object.entries(variables).filter(([k]) => keys.has(k))),
        'body.variables',
      ),
    );
  }
  if (problems.length > 0)
    throw ApiError.unprocessable(
      `The signal's variables are refused: ${[...new Set(problems.map((p) => p.field))].join(', ')}`,
      problems,
    );
}
