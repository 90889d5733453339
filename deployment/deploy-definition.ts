import type { Sequelize } from 'sequelize';
import { definitionChecksum } from '../bpmn/checksum';
import type { Problem } from '../bpmn/problems';
import type { DeployedDefinition } from '../workflows/messages';
import { DefinitionStore, type DefinitionVersion } from './definition-store';
import { deployResources, type ResourceProblem } from './deploy-resources';

/** What the compiler must know about this installation to validate a diagram. */
export interface DeploymentContext {
  activityTypes: ReadonlySet<string>;
  /** Types deployed to run as local activities; the catalogue's `local` types when not given. */
  localActivityTypes?: ReadonlySet<string>;
  candidateGroups: ReadonlySet<string>;
  /**
   * Called once a new version is stored (not for an unchanged one), e.g. to start, replace or
   * stop its key's timer-start scheduler (`timerStartDeployHook` in workers/). A failure does
   * not undo the deployment: it becomes a warning, and start-up syncs the schedules again.
   */
  onDeployed?: (definition: DeployedDefinition) => Promise<void>;
}

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
