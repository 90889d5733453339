/**
 * Only elements the interpreter runs may be deployed: anything else would be silently
 * ignored or misread at run time, so it is refused by element id with the words "not supported
 * yet" (the README's coverage table lists what is supported). Checks flow element types, event definitions per event
 * kind, loop types, and settings we do not run (conditions and default flows outside gateways).
 */
import { child, children, describeType, is, isAny, type ModdleElement } from '../moddle';
import type { LintReporter, LocalRule } from '../lint-types';

const SUPPORTED_FLOW_ELEMENTS = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:IntermediateThrowEvent',
  'bpmn:BoundaryEvent',
  'bpmn:Task',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:UserTask',
  'bpmn:ReceiveTask',
  'bpmn:ScriptTask',
  'bpmn:BusinessRuleTask',
  'bpmn:ManualTask',
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:InclusiveGateway',
  'bpmn:EventBasedGateway',
  'bpmn:SubProcess',
  'bpmn:AdHocSubProcess',
  'bpmn:CallActivity',
  'bpmn:SequenceFlow',
  // Data objects and stores are documentation only; the engine ignores them.
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
]);

type Definition =
  'none' | 'message' | 'timer' | 'error' | 'escalation' | 'terminate' | 'signal' | 'link' | 'compensation';

const DEFINITION_TYPES: Record<string, Definition> = {
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:LinkEventDefinition': 'link',
  'bpmn:CompensateEventDefinition': 'compensation',
};

/** Which event definitions each kind of event may carry, by where it sits. */
function allowedDefinitions(event: ModdleElement): { where: string; allowed: Definition[] } {
  const parent = event.$parent;
  if (is(event, 'bpmn:StartEvent')) {
    if (is(parent, 'bpmn:SubProcess') && parent?.triggeredByEvent === true) {
      // A compensation event sub-process runs when the sub-process around it is compensated.
      const inSubProcess = is(parent.$parent, 'bpmn:SubProcess') && parent.$parent?.triggeredByEvent !== true;
      // Compensating each instance of a multi-instance sub-process through its event sub-process is not run yet.
      const inMultiInstance =
        inSubProcess && is(child(parent.$parent!, 'loopCharacteristics'), 'bpmn:MultiInstanceLoopCharacteristics');
      return {
        where: !inSubProcess
          ? 'an event sub-process start event outside a sub-process'
          : inMultiInstance
            ? 'an event sub-process start event in a multi-instance sub-process'
            : 'an event sub-process start event',
        allowed: [
          'timer',
          'message',
          'error',
          'escalation',
          'signal',
          ...(inSubProcess && !inMultiInstance ? ['compensation' as const] : []),
        ],
      };
    }
    if (is(parent, 'bpmn:SubProcess')) return { where: 'a sub-process start event', allowed: ['none'] };
    return { where: 'a process start event', allowed: ['none', 'message', 'timer', 'signal'] };
  }
  if (is(event, 'bpmn:EndEvent'))
    return {
      where: 'an end event',
      allowed: ['none', 'terminate', 'error', 'escalation', 'message', 'signal', 'compensation'],
    };
  if (is(event, 'bpmn:IntermediateCatchEvent'))
    return { where: 'an intermediate catch event', allowed: ['timer', 'message', 'signal', 'link'] };
  if (is(event, 'bpmn:IntermediateThrowEvent'))
    return {
      where: 'an intermediate throw event',
      allowed: ['none', 'message', 'escalation', 'signal', 'link', 'compensation'],
    };
  return { where: 'a boundary event', allowed: ['timer', 'error', 'message', 'escalation', 'signal', 'compensation'] };
}

function checkEvent(node: ModdleElement, reporter: LintReporter): void {
  const defs = children(node, 'eventDefinitions');
  const { where, allowed } = allowedDefinitions(node);
  if (defs.length > 1) {
    reporter.report(
      node.id,
      `The ${describeType(node.$type)} has ${defs.length} event definitions; a multiple event is not supported yet.`,
    );
    return;
  }
  const kind: Definition | undefined = defs.length === 0 ? 'none' : DEFINITION_TYPES[defs[0].$type];
  if (!kind || !allowed.includes(kind)) {
    const name =
      defs.length === 0 ? 'a plain (none)' : `a ${describeType(defs[0].$type).replace(/ event definition$/, '')}`;
    reporter.report(
      node.id,
      `${name[0].toUpperCase()}${name.slice(1)} event as ${where} is not supported yet (supported there: ${allowed.join(', ')}).`,
    );
  }
}

function checkActivity(node: ModdleElement, reporter: LintReporter): void {
  const loop = child(node, 'loopCharacteristics');
  if (loop && !is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) {
    reporter.report(
      node.id,
      `The ${describeType(node.$type)} uses a standard loop, which is not supported yet; use multi-instance over a collection.`,
    );
  }
  if (node.default)
    reporter.report(
      node.id,
      `The ${describeType(node.$type)} has a default flow; a default flow is not supported yet outside exclusive and inclusive gateways.`,
    );
}

export const unsupportedElement: LocalRule = {
  name: 'unsupported-element',
  severity: 'error',
  description: 'only elements the engine runs may be used',
  create: () => ({
    check(node, reporter) {
      if (is(node, 'bpmn:FlowElement') && !SUPPORTED_FLOW_ELEMENTS.has(node.$type)) {
        reporter.report(node.id, `The ${describeType(node.$type)} "${node.name ?? node.id}" is not supported yet.`);
        return;
      }
      if (is(node, 'bpmn:Event')) checkEvent(node, reporter);
      if (is(node, 'bpmn:Activity')) checkActivity(node, reporter);
      if (is(node, 'bpmn:SequenceFlow') && child(node, 'conditionExpression')) {
        const source = node.sourceRef as ModdleElement | undefined;
        if (source && !isAny(source, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) {
          reporter.report(
            node.id,
            `The sequence flow has a condition but leaves a ${describeType(source.$type)} element; a conditional flow is not supported yet outside exclusive and inclusive gateways.`,
          );
        }
      }
    },
  }),
};
