/**
 * Starting a process is a privileged act with a declared contract, derived from the compiled
 * graph (never from a definition's name):
 * - which roles may start at which start event, by the kind of start event (START_POLICY), and
 *   only administrators for a process with a timer start event (it works over the whole region);
 * - a message start event whose message a route of this API publishes itself (an inbound event,
 *   a concern: ./message-policy.ts) is reached only through that route;
 * - the variables a start may carry are the fields of the start event's form
 *   (`zeebe:formDefinition` on the start event, as Camunda 8 allows): a start event without a
 *   form takes none. A form is what Camunda Modeler and Tasklist already use to declare a
 *   start's inputs, its fields are typed and the same validator checks task forms;
 * - identifiers are never taken from the variables: `nhsNumber` comes from the business key.
 */
import type { CompiledGraph, FormSpec, StartEventNode } from '../../bpmn/graph';
import { nhsNumberProblem } from '../../core/nhs-number';
import type { Role } from '../../records/staff';
import { ApiError, type FieldProblem } from '../api-error';
import { validateFormData } from '../tasks/form-validation';
import { systemPublisherOf } from './message-policy';

export type StartKind = 'none' | 'message' | 'timer';

/** Who may start a process through the API, by the kind of start event it starts at. */
export const START_POLICY: Readonly<Record<StartKind, readonly Role[]>> = {
  // A plain start is staff work; caseworkers and leads only for a child they may open (the route checks).
  none: ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator'],
  // A message start stands for an event from another system: its sending account.
  message: ['integration'],
  // A timer start runs on a schedule: starting one by hand is an operational act.
  timer: ['administrator'],
};

/** A process with a timer start event works over the whole region (a sweep): only these start it, at any start event. */
export const REGION_WIDE_STARTERS: readonly Role[] = ['administrator'];

/** Variables the API derives from the business key or the record: a request never sets them. */
export const KEY_DERIVED_VARIABLES: readonly string[] = ['nhsNumber', 'childId'];

export interface StartContract {
  startEvent: StartEventNode;
  kind: StartKind;
  /** The message of a message start event. */
  messageName: string | null;
  regionWide: boolean;
  roles: readonly Role[];
  form: FormSpec | null;
}

const KIND_WORDS: Record<StartKind, string> = {
  none: 'a plain start event',
  message: 'a message start event',
  timer: 'a timer start event',
};

function startEventsOf(graph: CompiledGraph): StartEventNode[] {
  const ids = graph.scopes[graph.rootScopeId]?.startEventIds ?? [];
  return ids.map((id) => graph.nodes[id]).filter((n): n is StartEventNode => n?.kind === 'startEvent');
}

function kindOf(node: StartEventNode): StartKind | null {
  const t = node.trigger.type;
  return t === 'none' || t === 'message' || t === 'timer' ? t : null;
}

/**
 * The start event a request reaches (as the engine chooses it: workflows/engine/engine.ts) and
 * its contract; a wrong or missing start event is a 422 naming body.startEventId.
 */
export function startContract(graph: CompiledGraph, startEventId: string | undefined): StartContract {
  const starts = startEventsOf(graph);
  const ids = starts.map((s) => s.id).join(', ') || 'none';
  const refuse = (message: string) => ApiError.unprocessable(message, [{ field: 'body.startEventId', message }]);
  let node: StartEventNode | undefined;
  if (startEventId !== undefined) {
    node = starts.find((s) => s.id === startEventId);
    if (!node) throw refuse(`"${startEventId}" is not a start event of process ${graph.processId} (it has: ${ids})`);
  } else {
    node = starts.find((s) => s.trigger.type === 'none') ?? (starts.length === 1 ? starts[0] : undefined);
    if (!node)
      throw refuse(
        `Process ${graph.processId} has no plain start event: give startEventId (one of ${ids}), or publish the message that starts it`,
      );
  }
  const kind = kindOf(node);
  if (!kind) throw refuse(`"${node.id}" cannot be started through the API`);
  const regionWide = starts.some((s) => s.trigger.type === 'timer');
  const messageName =
    node.trigger.type === 'message' && node.trigger.message.name.type === 'literal'
      ? node.trigger.message.name.value
      : null;
  return {
    startEvent: node,
    kind,
    messageName,
    regionWide,
    roles: regionWide ? REGION_WIDE_STARTERS : START_POLICY[kind],
    form: node.form ?? null,
  };
}

/** 403 unless `role` may start at this start event; the message names what the contract allows. */
export function mustMayStart(contract: StartContract, processId: string, role: Role): void {
  const at = `${processId} at ${contract.startEvent.id} (${KIND_WORDS[contract.kind]})`;
  if (contract.kind === 'message') {
    const publisher = contract.messageName ? systemPublisherOf(contract.messageName) : null;
    if (publisher)
      throw ApiError.forbidden(
        `Your role (${role}) may not start ${at}: its message ${contract.messageName} comes only from ${publisher}`,
      );
  }
  if (!contract.roles.includes(role)) {
    const why = contract.regionWide ? 'a process with a timer start event works over the whole region: ' : '';
    throw ApiError.forbidden(`Your role (${role}) may not start ${at}: ${why}only ${contract.roles.join(', ')} may`);
  }
}

/** Problems with variables a request sets that are derived from the business key, under `prefix`. */
export function keyDerivedProblems(variables: Record<string, unknown>, prefix: string): FieldProblem[] {
  return KEY_DERIVED_VARIABLES.filter((name) => name in variables).map((name) => ({
    field: `${prefix}.${name}`,
    message: 'is set from the business key, never from the request',
  }));
}

/** 422 unless the variables are exactly what the start event's form declares (types, required fields). */
export function mustMatchStartForm(contract: StartContract, variables: Record<string, unknown>, prefix: string): void {
  const problems = [
    ...keyDerivedProblems(variables, prefix),
    ...validateFormData(
      contract.form,
      Object.fromEntries(Object.entries(variables).filter(([k]) => !KEY_DERIVED_VARIABLES.includes(k))),
      prefix,
      contract.form
        ? 'is not a field of the start form'
        : 'is not an input of this start event (it declares no start form)',
    ),
  ];
  if (problems.length > 0)
    throw ApiError.unprocessable(
      `The variables do not match what ${contract.startEvent.id} takes: ${problems.map((p) => p.field).join(', ')}`,
      problems,
    );
}

/** The variables derived from the business key: `nhsNumber` when the key is a valid NHS number. */
export function keyDerivedVariables(businessKey: string | null): Record<string, unknown> {
  return businessKey !== null && /^\d{10}$/.test(businessKey) && nhsNumberProblem(businessKey) === null
    ? { nhsNumber: businessKey }
    : {};
}
