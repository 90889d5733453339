import type { Sequelize } from 'sequelize';
import { definitionChecksum } from '../bpmn/checksum';
import { compileDefinition } from '../bpmn/compile';
import type { Problem } from '../bpmn/problems';
import type { DeployedDefinition } from './deployed-definition';
import { DefinitionStore, type DefinitionVersion } from './definition-store';

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

// Serialises deployments of the same key across processes (versions are key-scoped).
const DEPLOY_LOCK_NAMESPACE = 727_000_002;

/**
 * Compiles and validates a BPMN diagram and stores it as the next immutable version of its
 * process key. Identical XML to the latest version is a no-op; a refused diagram writes nothing.
 */
export async function deployDefinition(
  sequelize: Sequelize,
  xml: string,
  context: DeploymentContext & { deployedBy?: number | null },
): Promise<DeploymentOutcome> {
  const store = new DefinitionStore(sequelize);
  // Start-up redeploys every file: skip compiling XML that is already the latest version.
  const current = await store.latestWithChecksum(definitionChecksum(xml));
  if (current) return { status: 'unchanged', definition: current, warnings: [] };
  const compiled = await compileDefinition(xml, context);
  if (!compiled.ok) return { status: 'refused', problems: [...compiled.problems] };
  const warnings = [...compiled.warnings];
  const outcome = await sequelize.transaction(async (transaction): Promise<DeploymentOutcome> => {
    await sequelize.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', {
      bind: [DEPLOY_LOCK_NAMESPACE, compiled.processId],
      transaction,
    });
    const latest = await store.latest(compiled.processId, transaction);
    if (latest && latest.checksum === compiled.checksum) return { status: 'unchanged', definition: latest, warnings };
    const definition = await store.insert(
      {
        key: compiled.processId,
        version: (latest?.version ?? 0) + 1,
        name: compiled.name ?? null,
        xml,
        graph: compiled.graph,
        checksum: compiled.checksum,
        deployedBy: context.deployedBy ?? null,
      },
      transaction,
    );
    return { status: 'deployed', definition, warnings };
  });
  if (outcome.status === 'deployed' && context.onDeployed) {
    const d = outcome.definition;
    try {
      await context.onDeployed({ id: d.id, key: d.key, version: d.version, graph: compiled.graph });
    } catch (e) {
      warnings.push({
        rule: 'schedule',
        severity: 'warning',
        message: `version ${d.version} is deployed, but its timer start events could not be scheduled yet (${e instanceof Error ? e.message : String(e)}); the next start-up schedules them`,
      });
    }
  }
  return outcome;
}
