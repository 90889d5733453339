/**
 * Literal candidate groups on user tasks should be groups that exist, or the task reaches nobody's
 * queue. A warning: Camunda 8 deploys any group name (groups live in its identity service).
 */
import { extension, is, str } from '../moddle';
import { toListExpression } from '../feel';
import type { LocalRule } from '../lint-types';

export const knownCandidateGroup: LocalRule = {
  name: 'known-candidate-group',
  severity: 'warn',
  description: 'candidate groups should be known groups',
  create: (context) => ({
    check(node, reporter) {
      if (!is(node, 'bpmn:UserTask')) return;
      const raw = str(extension(node, 'zeebe:AssignmentDefinition'), 'candidateGroups');
      if (!raw) return;
      const list = toListExpression(raw);
      if (list.type !== 'literal') return; // a FEEL list is only known at run time
      for (const group of list.values) {
        if (!context.candidateGroups.has(group)) {
          reporter.report(
            node.id,
            `The user task's candidate group "${group}" is not a known group (known: ${[...context.candidateGroups].sort().join(', ') || 'none'}).`,
          );
        }
      }
    },
  }),
};
