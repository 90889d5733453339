/**
 * Runs bpmnlint programmatically: its recommended rules plus our local rules, with a small
 * resolver instead of bpmnlint's plugin-package lookup (our rules live in bpmn/lint-rules/
 * and need the compile context, which they get as their rule config).
 */
import { Linter } from 'bpmnlint';
import recommended from 'bpmnlint/config/recommended';
import { LOCAL_RULES } from './lint-rules';
import type { LintContext, LocalRule } from './lint-types';
import type { ModdleElement } from './moddle';
import type { Problem } from './problems';

/**
 * Recommended rules we change. Camunda 8 deploys what these find (they are modelling style, or
 * Zeebe runs the element anyway: an implicit end, a gateway that joins and forks), so they are
 * warnings returned with a successful deploy; the engine runs inclusive gateways, so that
 * warning is noise. The recommended rules left as errors are ones Zeebe refuses too (no start
 * event, two blank start events, an untyped event sub-process start, link events without a
 * partner, a conditional gateway flow without a condition, several event definitions).
 */
const RECOMMENDED_OVERRIDES: Record<string, string> = {
  'no-inclusive-gateway': 'off',
  'end-event-required': 'warn',
  'label-required': 'warn',
  'no-bpmndi': 'warn',
  'no-disconnected': 'warn',
  'no-duplicate-sequence-flows': 'warn',
  'no-gateway-join-fork': 'warn',
  'no-implicit-split': 'warn',
  'no-implicit-end': 'warn',
  'no-implicit-start': 'warn',
};

const PLUGIN = 'bpmnlint-plugin-chis';

export interface LintOptions {
  /** Run only these rules (`chis/<name>` or bpmnlint names); default: all. For rule tests. */
  readonly only?: readonly string[];
}

function loadBpmnlintRule(ruleName: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(recommended.rules, ruleName)) return undefined;
  // bpmnlint ships each rule as a CommonJS module; only names from its own config reach here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`bpmnlint/rules/${ruleName}`);
}

function buildConfig(context: LintContext, only?: readonly string[]): { rules: Record<string, unknown> } {
  const rules: Record<string, unknown> = { ...recommended.rules, ...RECOMMENDED_OVERRIDES };
  for (const rule of LOCAL_RULES) rules[`chis/${rule.name}`] = [rule.severity, context];
  if (!only) return { rules };
  return { rules: Object.fromEntries(Object.entries(rules).filter(([name]) => only.includes(name))) };
}

/** Lints a parsed diagram; every report becomes a Problem (bpmnlint warnings are warnings). */
export async function lintDefinitions(
  definitions: ModdleElement,
  context: LintContext,
  options: LintOptions = {},
): Promise<Problem[]> {
  const localByName = new Map<string, LocalRule>(LOCAL_RULES.map((r) => [r.name, r]));
  const linter = new Linter({
    resolver: {
      resolveRule(pkg: string, ruleName: string) {
        if (pkg === 'bpmnlint') return loadBpmnlintRule(ruleName);
        const local = pkg === PLUGIN ? localByName.get(ruleName) : undefined;
        return local ? (config: LintContext) => local.create(config) : undefined;
      },
      resolveConfig: () => undefined,
    },
  });
  const results = await linter.lint(definitions, buildConfig(context, options.only));
  const problems: Problem[] = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      problems.push({
        rule,
        severity: report.category === 'warn' || report.category === 'info' ? 'warning' : 'error',
        message:
          report.category === 'rule-error' ? `internal error in lint rule ${rule}: ${report.message}` : report.message,
        ...(report.id ? { elementId: report.id } : {}),
      });
    }
  }
  return problems;
}
