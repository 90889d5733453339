/**
 * Elements that create jobs (service and send tasks, message throw events that run a task,
 * job-worker business rule and script tasks) must name a job type: Camunda 8 refuses them too.
 */
import { extension, is, isAny, describeType, type ModdleElement } from '../moddle';
import type { LocalRule } from '../lint-types';

/** True when the element's work is a job of its `zeebe:taskDefinition` type. */
export function jobTypeOwner(node: ModdleElement): boolean {
  if (isAny(node, ['bpmn:ServiceTask', 'bpmn:SendTask'])) return true;
  const definition = extension(node, 'zeebe:TaskDefinition');
  if (!definition) return false;
  return isAny(node, [
    'bpmn:EndEvent',
    'bpmn:IntermediateThrowEvent',
    'bpmn:BusinessRuleTask',
    'bpmn:ScriptTask',
    'bpmn:AdHocSubProcess',
  ]);
}

export const jobType: LocalRule = {
  name: 'job-type',
  severity: 'error',
  description: 'service and send tasks must name a job type',
  create: () => ({
    check(node, reporter) {
      if (!jobTypeOwner(node)) return;
      const type = (extension(node, 'zeebe:TaskDefinition')?.type as string | undefined)?.trim();
      if (type) return;
      const what = describeType(node.$type);
      reporter.report(
        node.id,
        is(node, 'bpmn:SendTask') || isAny(node, ['bpmn:ServiceTask'])
          ? `The ${what} has no job type: set zeebe:taskDefinition type to a catalogue activity or to the type a job worker serves.`
          : `The ${what}'s task definition has no job type.`,
      );
    },
  }),
};
