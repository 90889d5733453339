/**
 * Elements that cannot run without an engine setting must have it: messages with names and
 * correlation keys, scripts with a result variable, call activities with a process id,
 * multi-instance with a collection, thrown errors/escalations with codes, sane numbers.
 */
import { child, children, describeType, extension, is, isAny, str, type ModdleElement } from '../moddle';
import type { LintReporter, LocalRule } from '../lint-types';

function isProcessLevelStart(event: ModdleElement): boolean {
  return is(event, 'bpmn:StartEvent') && !is(event.$parent, 'bpmn:SubProcess');
}

function checkMessage(
  node: ModdleElement,
  message: ModdleElement | undefined,
  reporter: LintReporter,
  needsKey: boolean,
): void {
  const what = describeType(node.$type);
  if (!message) {
    reporter.report(node.id, `The ${what} refers to no message; choose or create a message with a name.`);
    return;
  }
  if (!str(message, 'name')?.trim()) reporter.report(node.id, `The ${what}'s message "${message.id}" has no name.`);
  const key = str(extension(message, 'zeebe:Subscription'), 'correlationKey')?.trim();
  if (needsKey && !key) {
    reporter.report(
      node.id,
      `The ${what}'s message "${str(message, 'name') ?? message.id}" has no correlation key (for example =nhsNumber), so it cannot be matched to this instance.`,
    );
  }
}

function checkCode(
  node: ModdleElement,
  def: ModdleElement,
  kind: 'error' | 'escalation',
  reporter: LintReporter,
): void {
  const ref = def[`${kind}Ref`] as ModdleElement | undefined;
  const code = str(ref, `${kind}Code`)?.trim();
  const throwing = isAny(node, ['bpmn:EndEvent', 'bpmn:IntermediateThrowEvent']);
  if (throwing && !code)
    reporter.report(
      node.id,
      `The ${describeType(node.$type)} throws an ${kind} without an ${kind} code; set one so a boundary or event sub-process can catch it.`,
    );
  if (!throwing && ref && !code)
    reporter.report(
      node.id,
      `The ${describeType(node.$type)} catches ${kind} "${ref.id}", which has no ${kind} code; set the code, or remove the reference to catch every ${kind}.`,
    );
}

/** Link catch events of a name in the scope of `node`. */
function linkCatches(node: ModdleElement, name: string): ModdleElement[] {
  return children(node.$parent, 'flowElements').filter(
    (e) =>
      is(e, 'bpmn:IntermediateCatchEvent') &&
      children(e, 'eventDefinitions').some((d) => is(d, 'bpmn:LinkEventDefinition') && str(d, 'name')?.trim() === name),
  );
}

function checkLink(node: ModdleElement, def: ModdleElement, reporter: LintReporter): void {
  const name = str(def, 'name')?.trim();
  if (!name) {
    reporter.report(
      node.id,
      'The link event has no name; a link throw event jumps to the link catch event of the same name.',
    );
    return;
  }
  const catches = linkCatches(node, name);
  if (is(node, 'bpmn:IntermediateThrowEvent') && catches.length === 0)
    reporter.report(node.id, `The link throw event "${name}" has no link catch event of that name in its scope.`);
  if (is(node, 'bpmn:IntermediateCatchEvent') && catches.length > 1 && catches[0] === node)
    reporter.report(
      node.id,
      `The link name "${name}" is caught by ${catches.length} link catch events in one scope (${catches.map((c) => c.id).join(', ')}); it must be one.`,
    );
}

function checkSignal(node: ModdleElement, def: ModdleElement, reporter: LintReporter): void {
  const signal = def.signalRef as ModdleElement | undefined;
  const name = str(signal, 'name')?.trim();
  if (!signal || !name) {
    reporter.report(
      node.id,
      `The ${describeType(node.$type)} refers to no named signal; choose or create a signal with a name.`,
    );
    return;
  }
  if (isProcessLevelStart(node) && name.startsWith('='))
    reporter.report(node.id, 'The signal start event needs a fixed signal name, not an expression.');
}

/** Elements associated with `node` (bpmn:Association either way) in its and its ancestors' artifacts. */
function associatedWith(node: ModdleElement): ModdleElement[] {
  const found: ModdleElement[] = [];
  for (let scope = node.$parent; scope; scope = scope.$parent)
    for (const a of children(scope, 'artifacts').filter((x) => is(x, 'bpmn:Association'))) {
      const [from, to] = [a.sourceRef as ModdleElement | undefined, a.targetRef as ModdleElement | undefined];
      if (from === node && to) found.push(to);
      if (to === node && from) found.push(from);
    }
  return found;
}

function checkCompensation(node: ModdleElement, def: ModdleElement, reporter: LintReporter): void {
  if (is(node, 'bpmn:BoundaryEvent')) {
    const handlers = associatedWith(node).filter((e) => is(e, 'bpmn:Activity') && e.isForCompensation === true);
    if (handlers.length !== 1)
      reporter.report(
        node.id,
        'The compensation boundary event must be associated with one compensation handler (an activity marked for compensation).',
      );
    if (children(node, 'outgoing').length > 0)
      reporter.report(
        node.id,
        'A compensation boundary event has no outgoing flow: its handler is associated with it.',
      );
    return;
  }
  const activity = def.activityRef as ModdleElement | undefined;
  if (
    activity &&
    activity.$parent !== node.$parent &&
    !(
      is(node.$parent, 'bpmn:SubProcess') &&
      node.$parent?.triggeredByEvent === true &&
      activity.$parent === node.$parent?.$parent
    )
  )
    reporter.report(
      node.id,
      `The compensation throw event names activity "${activity.id}", which is not in its scope.`,
    );
}

function checkEvent(node: ModdleElement, reporter: LintReporter): void {
  const def = children(node, 'eventDefinitions')[0];
  if (!def) return;
  if (is(def, 'bpmn:CompensateEventDefinition')) checkCompensation(node, def, reporter);
  if (is(def, 'bpmn:LinkEventDefinition')) checkLink(node, def, reporter);
  if (is(def, 'bpmn:SignalEventDefinition')) checkSignal(node, def, reporter);
  if (is(def, 'bpmn:MessageEventDefinition')) {
    const throwing = isAny(node, ['bpmn:EndEvent', 'bpmn:IntermediateThrowEvent']);
    if (throwing && extension(node, 'zeebe:TaskDefinition')) return; // runs an activity, like a send task
    checkMessage(node, def.messageRef as ModdleElement | undefined, reporter, !isProcessLevelStart(node));
  }
  if (is(def, 'bpmn:ErrorEventDefinition')) checkCode(node, def, 'error', reporter);
  if (is(def, 'bpmn:EscalationEventDefinition')) checkCode(node, def, 'escalation', reporter);
  if (is(node, 'bpmn:BoundaryEvent') && is(def, 'bpmn:ErrorEventDefinition') && node.cancelActivity === false) {
    reporter.report(node.id, 'An error boundary event is always interrupting; make it interrupting.');
  }
}

function checkActivity(node: ModdleElement, reporter: LintReporter): void {
  const what = describeType(node.$type);
  if (node.isForCompensation === true && children(node, 'incoming').length + children(node, 'outgoing').length > 0)
    reporter.report(
      node.id,
      `The compensation handler ${what} has sequence flows; a compensation handler is started only by compensation.`,
    );
  if (is(node, 'bpmn:ReceiveTask')) checkMessage(node, node.messageRef as ModdleElement | undefined, reporter, true);
  if (is(node, 'bpmn:BusinessRuleTask') && !extension(node, 'zeebe:TaskDefinition')) {
    const called = extension(node, 'zeebe:CalledDecision');
    if (!called)
      reporter.report(
        node.id,
        'The business rule task names no decision (zeebe:calledDecision) and no job type (zeebe:taskDefinition).',
      );
    else {
      if (!str(called, 'decisionId')?.trim())
        reporter.report(node.id, 'The business rule task names no decision (zeebe:calledDecision decisionId).');
      if (!str(called, 'resultVariable')?.trim())
        reporter.report(node.id, "The business rule task has no result variable for the decision's output.");
    }
  }
  if (is(node, 'bpmn:ScriptTask') && !extension(node, 'zeebe:TaskDefinition')) {
    const script = extension(node, 'zeebe:Script');
    if (!str(script, 'expression')?.trim())
      reporter.report(node.id, 'The script task has no FEEL expression (zeebe:script expression).');
    if (!str(script, 'resultVariable')?.trim())
      reporter.report(node.id, 'The script task has no result variable to store its value in.');
  }
  if (is(node, 'bpmn:CallActivity')) {
    const called = extension(node, 'zeebe:CalledElement');
    if (!str(called, 'processId')?.trim())
      reporter.report(node.id, 'The call activity names no process to call (zeebe:calledElement processId).');
    const binding = str(called, 'bindingType') ?? 'latest';
    if (!['latest', 'deployment', 'versionTag'].includes(binding))
      reporter.report(
        node.id,
        `The call activity's binding type "${binding}" is not supported (latest, deployment or versionTag).`,
      );
    if (binding === 'versionTag' && !str(called, 'versionTag')?.trim())
      reporter.report(node.id, 'The call activity is bound to a version tag but names none.');
  }
  const loop = child(node, 'loopCharacteristics');
  if (is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) {
    const z = extension(loop, 'zeebe:LoopCharacteristics');
    if (!str(z, 'inputCollection')?.trim())
      reporter.report(node.id, `The multi-instance ${what} has no input collection to run over.`);
    if (!!str(z, 'outputCollection')?.trim() !== !!str(z, 'outputElement')?.trim()) {
      reporter.report(
        node.id,
        `The multi-instance ${what} must set both an output collection and an output element, or neither.`,
      );
    }
  }
  const retries = str(extension(node, 'zeebe:TaskDefinition'), 'retries')?.trim();
  if (retries && !/^\d+$/.test(retries))
    reporter.report(node.id, `The ${what}'s retries "${retries}" is not a whole number.`);
  const priority = str(extension(node, 'zeebe:PriorityDefinition'), 'priority')?.trim();
  if (priority && !priority.startsWith('=') && !(/^\d+$/.test(priority) && Number(priority) <= 100)) {
    reporter.report(node.id, `The ${what}'s priority "${priority}" is not a whole number from 0 to 100.`);
  }
}

export const requiredSettings: LocalRule = {
  name: 'required-settings',
  severity: 'error',
  description: 'elements must have the engine settings they need to run',
  create: () => ({
    check(node, reporter) {
      if (is(node, 'bpmn:Event')) checkEvent(node, reporter);
      if (is(node, 'bpmn:Activity')) checkActivity(node, reporter);
      if (is(node, 'bpmn:AdHocSubProcess')) {
        const inner = children(node, 'flowElements');
        if (inner.some((e) => isAny(e, ['bpmn:StartEvent', 'bpmn:EndEvent'])))
          reporter.report(
            node.id,
            'An ad-hoc sub-process has no start or end events: its elements are activated by name.',
          );
        if (!inner.some((e) => is(e, 'bpmn:Activity')))
          reporter.report(node.id, 'An ad-hoc sub-process needs at least one activity.');
      }
      if (is(node, 'bpmn:SubProcess') && node.triggeredByEvent === true) {
        const starts = children(node, 'flowElements').filter((e) => is(e, 'bpmn:StartEvent'));
        if (starts.length !== 1)
          reporter.report(
            node.id,
            `The event sub-process must have exactly one start event (it has ${starts.length}).`,
          );
      }
      if (isAny(node, ['zeebe:ExecutionListener', 'zeebe:TaskListener'])) {
        const owner = node.$parent?.$parent?.$parent;
        const what = is(node, 'zeebe:TaskListener') ? 'task' : 'execution';
        if (!str(node, 'type')?.trim()) reporter.report(owner?.id, `An ${what} listener has no job type.`);
        const eventType = str(node, 'eventType') ?? '';
        const allowed =
          what === 'task' ? ['creating', 'assigning', 'updating', 'completing', 'canceling'] : ['start', 'end'];
        if (!allowed.includes(eventType))
          reporter.report(
            owner?.id,
            `An ${what} listener's event type "${eventType}" is not one of ${allowed.join(', ')}.`,
          );
        const retries = str(node, 'retries')?.trim();
        if (retries && !retries.startsWith('=') && !/^\d+$/.test(retries))
          reporter.report(owner?.id, `An ${what} listener's retries "${retries}" is not a whole number.`);
      }
      if (is(node, 'zeebe:IoMapping')) {
        const owner = node.$parent?.$parent;
        for (const p of [...children(node, 'inputParameters'), ...children(node, 'outputParameters')]) {
          if (!str(p, 'target')?.trim()) reporter.report(owner?.id, 'An input/output mapping has no target variable.');
        }
      }
    },
  }),
};
