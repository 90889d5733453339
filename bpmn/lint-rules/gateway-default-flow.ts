/**
 * An exclusive or inclusive gateway whose outgoing flows carry conditions should have a default
 * flow: otherwise, when every condition is false, the instance gets an incident. Camunda 8
 * deploys such a gateway, so this is a warning.
 */
import { child, children, isAny, describeType } from '../moddle';
import type { LocalRule } from '../lint-types';

export const gatewayDefaultFlow: LocalRule = {
  name: 'gateway-default-flow',
  severity: 'warn',
  description: 'conditional gateways should have a default flow',
  create: () => ({
    check(node, reporter) {
      if (!isAny(node, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) return;
      const conditional = children(node, 'outgoing').filter((f) => !!child(f, 'conditionExpression'));
      if (conditional.length === 0 || node.default) return;
      reporter.report(
        node.id,
        `The ${describeType(node.$type)} has conditional outgoing flows (${conditional.map((f) => f.id).join(', ')}) but no default flow; when every condition is false at run time the instance gets an incident. Mark one outgoing flow as the default.`,
      );
    },
  }),
};
