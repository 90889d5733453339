/**
 * An exclusive or inclusive gateway whose outgoing flows carry conditions needs a default
 * flow: otherwise, when every condition is false, the token is stuck (an incident).
 */
import { child, children, isAny, describeType } from '../moddle';
import type { LocalRule } from '../lint-types';

export const gatewayDefaultFlow: LocalRule = {
  name: 'gateway-default-flow',
  severity: 'error',
  description: 'conditional gateways need a default flow',
  create: () => ({
    check(node, reporter) {
      if (!isAny(node, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) return;
      const conditional = children(node, 'outgoing').filter((f) => !!child(f, 'conditionExpression'));
      if (conditional.length === 0 || node.default) return;
      reporter.report(
        node.id,
        `The ${describeType(node.$type)} has conditional outgoing flows (${conditional.map((f) => f.id).join(', ')}) but no default flow; when every condition is false the process would be stuck. Mark one outgoing flow as the default.`,
      );
    },
  }),
};
