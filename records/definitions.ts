/** Deployed process definitions (`process_definitions`): immutable versions with their compiled graphs. */
import type { CompiledGraph } from '../bpmn/graph';
import type { DeployedDefinition } from '../deployment/deployed-definition';
import { select, selectOne, type Db } from './sql';

export interface DefinitionWithGraph {
  id: number;
  key: string;
  version: number;
  graph: CompiledGraph;
}

/** One version by its id, with its graph. */
export function definitionById(db: Db, id: number): Promise<DefinitionWithGraph | null> {
  return selectOne<DefinitionWithGraph>(
    db,
    'SELECT id, key, version, compiled AS graph FROM process_definitions WHERE id = $1',
    [id],
  );
}

/** Whether any deployed definition (any version: running instances may be on an older one) waits for the message. */
export async function anyDefinitionWaitsFor(db: Db, name: string): Promise<boolean> {
  const row = await selectOne<{ yes: boolean }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM process_definitions WHERE compiled->'messageNames' @> jsonb_build_array($1::text)) AS yes`,
    [name],
  );
  return row?.yes === true;
}

/** The latest version of every deployed definition, with its graph: what a message start reaches. */
export function latestDefinitions(db: Db): Promise<DeployedDefinition[]> {
  return select<DeployedDefinition>(
    db,
    'SELECT DISTINCT ON (key) id, key, version, compiled AS graph FROM process_definitions ORDER BY key, version DESC',
  );
}
