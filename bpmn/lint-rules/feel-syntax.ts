/** Every FEEL expression (conditions, mappings, scripts, timers, assignment, messages...) must parse. */
import { expressionsOf, reportTarget } from '../element-expressions';
import { conditionSource, feelSyntaxError } from '../feel';
import type { LocalRule } from '../lint-types';

export const feelSyntax: LocalRule = {
  name: 'feel-syntax',
  severity: 'error',
  description: 'FEEL expressions must parse',
  create: () => ({
    check(node, reporter) {
      for (const e of expressionsOf(node)) {
        if (!e.alwaysFeel && !e.raw.trim().startsWith('=')) continue;
        const error = feelSyntaxError(conditionSource(e.raw));
        if (error) reporter.report(reportTarget(node), `The ${e.label} is not valid FEEL: ${error}.`);
      }
    },
  }),
};
