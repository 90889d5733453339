/** Service and send tasks (and message throw events that run a task) must name an activity in the catalogue. */
import { extension, is, isAny, describeType } from '../moddle';
import type { LocalRule } from '../lint-types';

export const knownActivityType: LocalRule = {
  name: 'known-activity-type',
  severity: 'error',
  description: 'service/send task types must be in the activity catalogue',
  create: (context) => ({
    check(node, reporter) {
      const definition = extension(node, 'zeebe:TaskDefinition');
      const isTask = isAny(node, ['bpmn:ServiceTask', 'bpmn:SendTask']);
      const isMessageThrow = isAny(node, ['bpmn:EndEvent', 'bpmn:IntermediateThrowEvent']) && !!definition;
      if (!isTask && !isMessageThrow) return;
      const what = describeType(node.$type);
      const type = (definition?.type as string | undefined)?.trim();
      if (!type) {
        if (is(node, 'bpmn:SendTask') || isTask) {
          reporter.report(
            node.id,
            `The ${what} has no activity type: set zeebe:taskDefinition type to one of the catalogue's activities.`,
          );
        }
        return;
      }
      if (type.startsWith('=')) {
        reporter.report(
          node.id,
          `The ${what}'s activity type "${type}" is an expression; it must be a fixed name from the activity catalogue.`,
        );
        return;
      }
      if (!context.activityTypes.has(type)) {
        const known = [...context.activityTypes].sort();
        const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
        reporter.report(
          node.id,
          `The ${what}'s activity type "${type}" is not in the activity catalogue (known: ${shown || 'none'}).`,
        );
      }
    },
  }),
};
