/**
 * A user task linked to a form (`zeebe:formDefinition formId`) that is not deployed yet, neither
 * before nor in the same deployment. Camunda 8 deploys it (the form is linked when the task
 * opens), so this is a warning: deploy the .form file with or before the process.
 */
import { extension, is, str } from '../moddle';
import type { LocalRule } from '../lint-types';

export const linkedForm: LocalRule = {
  name: 'linked-form',
  severity: 'warn',
  description: 'linked forms should be deployed',
  create: (context) => ({
    check(node, reporter) {
      if (!is(node, 'bpmn:UserTask') && !is(node, 'bpmn:StartEvent')) return;
      const formId = str(extension(node, 'zeebe:FormDefinition'), 'formId')?.trim();
      if (!formId || formId.startsWith('=') || context.forms?.has(formId)) return;
      reporter.report(
        node.id,
        `The form "${formId}" is not deployed yet: deploy the .form file with id "${formId}" together with or before this process, or its task opens without the form's fields.`,
      );
    },
  }),
};
