/** A user task's form must resolve to a readable form-js schema (embedded, linked by id, or an external URL). */
import { is } from '../moddle';
import { resolveUserTaskForm } from '../forms';
import type { LocalRule } from '../lint-types';

export const userTaskForm: LocalRule = {
  name: 'user-task-form',
  severity: 'error',
  description: 'user task forms must resolve to a form-js schema',
  create: (context) => ({
    check(node, reporter) {
      if (!is(node, 'bpmn:UserTask')) return;
      const outcome = resolveUserTaskForm(node, context.forms);
      if (!outcome.ok) reporter.report(node.id, `The user task's ${outcome.error}.`);
    },
  }),
};
