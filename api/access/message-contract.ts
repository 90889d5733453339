/**
 * The message contract (./message-policy.ts), checked on a planned message before anything is
 * delivered (engine-client/publish-message.ts plans first): by POST /api/messages and by the
 * Camunda REST API's message publication and correlation. A message that starts processes is held
 * to each start event's contract, as a start is; any other message is a correction that some
 * deployed process must wait for.
 */
import type { MessagePlan } from '../../engine-client/publish-message';
import { anyDefinitionWaitsFor } from '../../records/definitions';
import type { Db } from '../../records/sql';
import type { StaffPrincipal } from '../../records/staff';
import { ApiError } from '../api-error';
import { validateFormData, formFieldsOf } from '../tasks/form-validation';
import { CORRECTION_ROLES, mustNotBeSystemMessage } from './message-policy';
import {
  keyDerivedProblems,
  mustMatchStartForm,
  mustMayStart,
  startContract,
  type StartContract,
} from './start-policy';

/**
 * How a start's variables are checked: `form` (/api) exactly the start form's fields; `camunda`
 * (/v2) any variables, as Camunda takes them, the form's own fields still present and typed.
 */
export type StartVariables = 'form' | 'camunda';

function mustFitCamundaStart(contract: StartContract, variables: Record<string, unknown>, prefix: string): void {
  const formKeys = new Set(formFieldsOf(contract.form).map((f) => f.key));
  const problems = [
    ...keyDerivedProblems(variables, prefix),
    ...(contract.form
      ? validateFormData(
          contract.form,
          Object.fromEntries(Object.entries(variables).filter(([k]) => formKeys.has(k))),
          prefix,
        )
      : []),
  ];
  if (problems.length > 0)
    throw ApiError.unprocessable(
      `The variables do not match what ${contract.startEvent.id} takes: ${problems.map((p) => p.field).join(', ')}`,
      problems,
    );
}

/** 403/422 unless `principal` may send this planned message (see the module comment). */
export function mustFitMessageContract(
  plan: MessagePlan,
  m: { name: string; variables: Record<string, unknown> },
  principal: StaffPrincipal,
  waitedFor: boolean,
  startVariables: StartVariables = 'form',
): void {
  mustNotBeSystemMessage(m.name, principal.role);
  if (plan.starters.length > 0) {
    for (const d of plan.starters) {
      const startEvent = Object.values(d.graph.nodes).find(
        (n) =>
          n.kind === 'startEvent' &&
          n.scopeId === d.graph.rootScopeId &&
          n.trigger.type === 'message' &&
          n.trigger.message.name.type === 'literal' &&
          n.trigger.message.name.value === m.name,
      );
      const contract = startContract(d.graph, startEvent?.id);
      mustMayStart(contract, d.key, principal.role);
      if (startVariables === 'form') mustMatchStartForm(contract, m.variables, 'body.variables');
      else mustFitCamundaStart(contract, m.variables, 'body.variables');
    }
    // Signals reach running instances too (camunda mode: other processes' subscriptions); the
    // key-derived variables are never the sender's to set there either.
    if (plan.instanceIds.length === 0) return;
  } else if (!CORRECTION_ROLES.includes(principal.role))
    throw ApiError.forbidden(
      `Your role (${principal.role}) may not publish ${m.name}: it starts no process, and only ${CORRECTION_ROLES.join(', ')} send corrections to running processes`,
    );
  const problems = keyDerivedProblems(m.variables, 'body.variables');
  if (problems.length > 0) throw ApiError.unprocessable('A message may not change who a process is about', problems);
  if (plan.starters.length === 0 && !waitedFor) {
    const message = 'no deployed process starts on or waits for a message of this name';
    throw ApiError.unprocessable(`The message reaches nothing: ${message}`, [{ field: 'body.name', message }]);
  }
}

/** Whether any deployed definition (any version: running instances may be on an older one) waits for the message. */
export function isMessageWaitedFor(db: Db, name: string): Promise<boolean> {
  return anyDefinitionWaitsFor(db, name);
}
