/**
 * A compiled DMN decision requirements graph (DRD): plain JSON stored with the deployed
 * resource and evaluated by dmn/evaluate.ts. Camunda 8 runs decision tables and literal
 * expressions; both are here.
 */

export type HitPolicy = 'UNIQUE' | 'FIRST' | 'PRIORITY' | 'ANY' | 'COLLECT' | 'RULE ORDER' | 'OUTPUT ORDER';
export type Aggregation = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

export interface TableInput {
  readonly id: string;
  readonly label?: string;
  /** FEEL giving the input value. */
  readonly expression: string;
}

export interface TableOutput {
  readonly id: string;
  readonly label?: string;
  /** The output's name: the key in the result context (may be empty for a single output). */
  readonly name: string;
  /** Allowed values in priority order (FEEL unary tests text, e.g. `"high","low"`), for PRIORITY and OUTPUT ORDER. */
  readonly outputValues?: string;
}

export interface TableRule {
  readonly id: string;
  /** Unary tests, one per input (`-` or empty: any value). */
  readonly inputEntries: readonly string[];
  /** FEEL expressions, one per output (empty: null). */
  readonly outputEntries: readonly string[];
}

export interface DecisionTable {
  readonly kind: 'decisionTable';
  readonly hitPolicy: HitPolicy;
  readonly aggregation?: Aggregation;
  readonly inputs: readonly TableInput[];
  readonly outputs: readonly TableOutput[];
  readonly rules: readonly TableRule[];
}

export interface LiteralDecision {
  readonly kind: 'literalExpression';
  readonly expression: string;
  readonly variableName: string;
}

export interface CompiledDecision {
  readonly id: string;
  readonly name?: string;
  /** Decisions evaluated first; each one's result is in the context under its id. */
  readonly requiredDecisions: readonly string[];
  readonly logic: DecisionTable | LiteralDecision;
}

export interface CompiledDrd {
  readonly id: string;
  readonly name?: string;
  readonly decisions: readonly CompiledDecision[];
}
