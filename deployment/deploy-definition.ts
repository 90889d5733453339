import type { Sequelize } from 'sequelize';
import { definitionChecksum } from '../bpmn/checksum';
import { compileDefinition } from '../bpmn/compile';
import type { Problem } from '../bpmn/problems';
import { DefinitionStore, type DefinitionVersion } from './definition-store';

/** What the compiler must know about this installation to validate a diagram. */
export interface DeploymentContext {
  activityTypes: ReadonlySet<string>;
  candidateGroups: ReadonlySet<string>;
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
  const warnings = compiled.warnings;
  return sequelize.transaction(async (transaction) => {
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
}
