/**
 * A parallel gateway join waits for a token on every incoming flow. If those flows come
 * from branches of which only one can run (an exclusive or event-based split), it never fires
 * and the instance hangs forever. A warning: Camunda 8 deploys it.
 */
import { deadParallelJoins, isScope } from '../flow-analysis';
import type { LocalRule } from '../lint-types';

export const parallelJoinCanFire: LocalRule = {
  name: 'parallel-join-can-fire',
  severity: 'warn',
  description: 'parallel joins should be able to fire',
  create: () => ({
    check(node, reporter) {
      if (!isScope(node)) return;
      for (const id of deadParallelJoins(node) ?? []) {
        reporter.report(
          id,
          'The parallel gateway waits for all its incoming flows, but no run of the process can bring a token on every one of them at once (they come from alternative branches, e.g. of an exclusive gateway); it would never continue. Use an exclusive gateway to merge alternatives.',
        );
      }
    },
  }),
};
