/** A user task with no assignee and no candidates appears in no one's queue (a warning, not an error). */
import { extension, is, str } from '../moddle';
import type { LocalRule } from '../lint-types';

export const userTaskAssignment: LocalRule = {
  name: 'user-task-assignment',
  severity: 'warn',
  description: 'user tasks should have an assignee or candidates',
  create: () => ({
    check(node, reporter) {
      if (!is(node, 'bpmn:UserTask')) return;
      const a = extension(node, 'zeebe:AssignmentDefinition');
      const set = ['assignee', 'candidateGroups', 'candidateUsers'].some((p) => (str(a, p) ?? '').trim() !== '');
      if (!set)
        reporter.report(
          node.id,
          "The user task has no assignee, candidate groups or candidate users, so it will appear in no one's queue.",
        );
    },
  }),
};
