/** A reason a definition cannot be deployed (error) or should be looked at (warning). */
export interface Problem {
  /** The BPMN element the problem is about, when there is one. */
  readonly elementId?: string;
  /** Rule that found it: a bpmnlint rule name, `chis/<rule>`, or a compiler stage (`xml`, `compile`). */
  readonly rule: string;
  /** Plain words, naming the element and what to change. */
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
