/** Resolves the definition a call activity starts: the latest version, or a pinned one. */
import { ApplicationFailure } from '@temporalio/activity';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CompiledGraph } from '../../bpmn/graph';
import type { DeployedDefinition } from '../../deployment/deployed-definition';
import type { ResolveDefinitionInput } from '../../workflows/contract';

/** Error type when no deployed version matches (not retryable: the call raises an incident). */
export const DEFINITION_NOT_FOUND = 'DefinitionNotFound';

interface Row {
  id: number;
  key: string;
  version: number;
  graph: CompiledGraph;
}

export async function resolveDefinition(sequelize: Sequelize, r: ResolveDefinitionInput): Promise<DeployedDefinition> {
  const select = `SELECT id, key, version, compiled AS graph FROM process_definitions`;
  let rows: Row[];
  let wanted: string;
  if (r.version.binding === 'versionTag') {
    // A version tag set in the diagram, or (for convenience) a plain version number.
    const tag = r.version.versionTag;
    wanted = `version tag "${tag}"`;
    rows = await sequelize.query<Row>(
      `${select} WHERE key = $1 AND (compiled->>'versionTag' = $2 OR ($2 ~ '^[0-9]+$' AND version = $2::int)) ORDER BY version DESC LIMIT 1`,
      { type: QueryTypes.SELECT, bind: [r.processId, tag] },
    );
  } else if (r.version.binding === 'deployment') {
    // Deployed with the caller: the newest version deployed no later than the calling definition.
    wanted = 'the version deployed with the caller';
    rows = await sequelize.query<Row>(
      `${select} d WHERE d.key = $1 AND d.deployed_at <= (SELECT deployed_at FROM process_definitions WHERE id = $2) ORDER BY d.version DESC LIMIT 1`,
      { type: QueryTypes.SELECT, bind: [r.processId, r.callerDefinitionId] },
    );
  } else {
    wanted = 'any version';
    rows = await sequelize.query<Row>(`${select} WHERE key = $1 ORDER BY version DESC LIMIT 1`, {
      type: QueryTypes.SELECT,
      bind: [r.processId],
    });
  }
  const row = rows[0];
  if (!row)
    throw ApplicationFailure.create({
      type: DEFINITION_NOT_FOUND,
      message: `no deployed process "${r.processId}" matches ${wanted}`,
      nonRetryable: true,
    });
  return { id: row.id, key: row.key, version: row.version, graph: row.graph };
}
