/** Shapes shared by our bpmnlint rules (bpmnlint calls `factory(config)` then `check(node, reporter)` per element). */
import type { ModdleElement } from './moddle';

/** What the compiler knows about the installation; handed to every local rule as its config. */
export interface LintContext {
  readonly activityTypes: ReadonlySet<string>;
  readonly candidateGroups: ReadonlySet<string>;
  /** form-js schemas by form id, for user tasks that link a form with `zeebe:formDefinition formId`. */
  readonly forms?: ReadonlyMap<string, unknown>;
}

export interface LintReporter {
  report(elementId: string | undefined, message: string): void;
}

export interface LintRule {
  check(node: ModdleElement, reporter: LintReporter): void;
}

export interface LocalRule {
  /** Rule name without the `chis/` prefix; also the fixture folder name. */
  readonly name: string;
  readonly severity: 'error' | 'warn';
  readonly description: string;
  readonly create: (context: LintContext) => LintRule;
}
