import { compileDefinition } from '../bpmn/compile';
import type { Problem } from '../bpmn/problems';
import type { DeploymentContext } from './deploy-definition';

export interface ValidationOutcome {
  /** The process id (definition key) the diagram would deploy as, when it could be read. */
  processId: string | null;
  /** Errors (deploying is refused) and warnings, errors first, as a deployment reports them. */
  problems: Problem[];
}

/**
 * What deploying this diagram would say, without storing anything: the same compiler, lint
 * rules and installation context (activity types, candidate groups) as `deployDefinition`.
 * Unlike a deployment it always compiles, even when the XML is the latest version's.
 */
export async function validateDefinition(xml: string, context: DeploymentContext): Promise<ValidationOutcome> {
  const compiled = await compileDefinition(xml, context);
  if (compiled.ok) return { processId: compiled.processId, problems: compiled.warnings };
  return { processId: processIdOf(xml), problems: compiled.problems };
}

/** The first executable process id in the text, for naming what a refused diagram is about. */
function processIdOf(xml: string): string | null {
  const match = /<(?:[A-Za-z0-9_-]+:)?process\b[^>]*\bid="([^"]+)"/.exec(xml);
  return match ? match[1] : null;
}
