/**
 * Public surface of the BPMN compiler (Node side: deploy API, CLI). Workflow code must import
 * `bpmn/runtime` instead: this file pulls in bpmnlint, bpmn-moddle and node:crypto.
 */
export * from './runtime';
export {
  compileDefinition,
  formatProblem,
  sortProblems,
  type CompileContext,
  type CompileResult,
  type CompiledProcess,
} from './compile';
export { parseBpmnXml, DEFAULT_MAX_BPMN_BYTES, type ParseOutcome } from './parse';
export { lintDefinitions, type LintOptions } from './lint';
export { LOCAL_RULES } from './lint-rules';
export type { LintContext, LocalRule } from './lint-types';
export { hasErrors, type Problem } from './problems';
export { definitionChecksum } from './checksum';
export { conditionSource, feelSyntaxError, toExpression, toListExpression } from './feel';
export { timerLiteralError } from './timer';
export { formFields } from './forms';
