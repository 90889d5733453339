/**
 * A deployed version of a process definition as the engine runs it: the row's id, key and
 * version and the compiled graph. The interpreter workflow takes it as its input
 * (workflows/contract.ts); types only, so the workflow bundle can import it.
 */
import type { CompiledGraph } from '../bpmn/runtime';

export interface DeployedDefinition {
  /** process_definitions.id */
  id: number;
  key: string;
  version: number;
  graph: CompiledGraph;
}
