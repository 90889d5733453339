/**
 * Every flow node should be reachable from a start event of its scope (dead diagram parts hide
 * mistakes). A warning: Camunda 8 deploys unreachable elements.
 */
import { isScope, reachableNodeIds, scopeNodes } from '../flow-analysis';
import { describeType } from '../moddle';
import type { LocalRule } from '../lint-types';

export const reachableFromStart: LocalRule = {
  name: 'reachable-from-start',
  severity: 'warn',
  description: 'every element should be reachable from a start event',
  create: () => ({
    check(node, reporter) {
      if (!isScope(node)) return;
      const reachable = reachableNodeIds(node);
      if (!reachable) return;
      for (const n of scopeNodes(node)) {
        if (n.id && !reachable.has(n.id)) {
          reporter.report(
            n.id,
            `The ${describeType(n.$type)} "${n.name ?? n.id}" cannot be reached from any start event of its ${node.$type === 'bpmn:Process' ? 'process' : 'sub-process'}.`,
          );
        }
      }
    },
  }),
};
