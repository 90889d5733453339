import type { Sequelize } from 'sequelize';
import { definitionChecksum } from '../bpmn/checksum';
import type { Problem } from '../bpmn/problems';
import type { DeploymentContext } from './deployment-context';
import { DefinitionStore, type DefinitionVersion } from '../records/definition-store';
import { deployResources, type ResourceProblem } from './deploy-resources';

export type { DeploymentContext } from './deployment-context';

export type DeploymentOutcome =
  | { status: 'deployed'; definition: DefinitionVersion; warnings: Problem[] }
  | { status: 'unchanged'; definition: DefinitionVersion; warnings: Problem[] }
  | { status: 'refused'; problems: Problem[] };

/**
 * Compiles and validates a BPMN diagram and stores it as the next immutable version of its
 * process key (every executable process of the file, as Camunda 8 deploys them; `definition` is
 * the first). Identical XML to the latest version is a no-op; a refused diagram writes nothing.
 */
export async function deployDefinition(
  sequelize: Sequelize,
  xml: string,
  context: DeploymentContext & { deployedBy?: number | null; resourceName?: string },
): Promise<DeploymentOutcome> {
  const store = new DefinitionStore(sequelize);
  // Start-up redeploys every file: skip compiling XML that is already the latest version.
  const current = await store.latestWithChecksum(definitionChecksum(xml));
  if (current) return { status: 'unchanged', definition: current, warnings: [] };
  const name = context.resourceName ?? 'process.bpmn';
  const outcome = await deployResources(sequelize, [{ name, content: xml }], context);
  if (outcome.status === 'refused') return { status: 'refused', problems: outcome.problems.map(withoutResource) };
  const [first] = outcome.processes;
  return {
    status: first.isNew ? 'deployed' : 'unchanged',
    definition: first,
    warnings: outcome.warnings.map(withoutResource),
  };
}

function withoutResource(p: ResourceProblem): Problem {
  const { resource: _resource, ...problem } = p;
  return problem;
}
