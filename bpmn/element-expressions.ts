/**
 * Every expression-bearing attribute of an element, with a plain-words label, so the FEEL
 * rule can check them all and messages can say which one is wrong.
 */
import { body, child, children, extension, is, str, type ModdleElement } from './moddle';

export interface ElementExpression {
  /** e.g. `input mapping "childId"`, `condition`, `due date`. */
  readonly label: string;
  /** The attribute text as written. */
  readonly raw: string;
  /** true: FEEL even without a leading `=` (conditions, scripts, collections). */
  readonly alwaysFeel: boolean;
}

function add(list: ElementExpression[], label: string, raw: string | undefined, alwaysFeel = false): void {
  if (raw !== undefined && raw.trim() !== '') list.push({ label, raw, alwaysFeel });
}

/** Expressions held by this element (not by its children). */
export function expressionsOf(el: ModdleElement): ElementExpression[] {
  const list: ElementExpression[] = [];
  if (is(el, 'bpmn:SequenceFlow')) add(list, 'condition', body(child(el, 'conditionExpression')), true);
  const io = extension(el, 'zeebe:IoMapping');
  for (const p of children(io, 'inputParameters'))
    add(list, `input mapping "${str(p, 'target') ?? ''}"`, str(p, 'source'));
  for (const p of children(io, 'outputParameters'))
    add(list, `output mapping "${str(p, 'target') ?? ''}"`, str(p, 'source'));
  const task = extension(el, 'zeebe:TaskDefinition');
  add(list, 'job type', str(task, 'type'));
  add(list, 'task retries', str(task, 'retries'));
  const assignment = extension(el, 'zeebe:AssignmentDefinition');
  add(list, 'assignee', str(assignment, 'assignee'));
  add(list, 'candidate groups', str(assignment, 'candidateGroups'));
  add(list, 'candidate users', str(assignment, 'candidateUsers'));
  const schedule = extension(el, 'zeebe:TaskSchedule');
  add(list, 'due date', str(schedule, 'dueDate'));
  add(list, 'follow-up date', str(schedule, 'followUpDate'));
  add(list, 'priority', str(extension(el, 'zeebe:PriorityDefinition'), 'priority'));
  add(list, 'script', str(extension(el, 'zeebe:Script'), 'expression'), true);
  add(list, 'called process id', str(extension(el, 'zeebe:CalledElement'), 'processId'));
  add(list, 'called decision id', str(extension(el, 'zeebe:CalledDecision'), 'decisionId'));
  const loop = child(el, 'loopCharacteristics');
  if (loop) {
    const zloop = extension(loop, 'zeebe:LoopCharacteristics');
    add(list, 'multi-instance input collection', str(zloop, 'inputCollection'), true);
    add(list, 'multi-instance output element', str(zloop, 'outputElement'));
    add(list, 'multi-instance completion condition', body(child(loop, 'completionCondition')), true);
  }
  if (is(el, 'bpmn:TimerEventDefinition')) {
    add(list, 'timer duration', body(child(el, 'timeDuration')));
    add(list, 'timer date', body(child(el, 'timeDate')));
    add(list, 'timer cycle', body(child(el, 'timeCycle')));
  }
  if (is(el, 'bpmn:Message')) {
    add(list, 'message name', str(el, 'name'));
    add(list, 'correlation key', str(extension(el, 'zeebe:Subscription'), 'correlationKey'));
  }
  return list;
}

/** The element a problem about `el` should be reported on (event definitions → their event). */
export function reportTarget(el: ModdleElement): string | undefined {
  if (is(el, 'bpmn:EventDefinition') || is(el, 'bpmn:LoopCharacteristics')) return el.$parent?.id ?? el.id;
  return el.id;
}

/** Event definitions of an event, for rules that look at events. */
export function eventDefinitions(el: ModdleElement): ModdleElement[] {
  return children(el, 'eventDefinitions');
}
