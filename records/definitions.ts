/**
 * Deployed process definitions (`process_definitions`): immutable versions with their compiled
 * graphs, and `timer_start_finished` (versions whose timer starts will not fire again).
 */
import type { CalledVersion, CompiledGraph } from '../bpmn/graph';
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

/**
 * The version a call activity starts: by version tag (or, for convenience, a plain version
 * number), the newest deployed no later than the caller (binding "deployment"), else the
 * latest. `wanted` says what was looked for, for the caller's refusal.
 */
export async function calledDefinition(
  db: Db,
  processId: string,
  version: CalledVersion,
  callerDefinitionId: number,
): Promise<{ definition: DeployedDefinition | null; wanted: string }> {
  const columns = 'SELECT id, key, version, compiled AS graph FROM process_definitions';
  if (version.binding === 'versionTag') {
    const tag = version.versionTag;
    const definition = await selectOne<DeployedDefinition>(
      db,
      `${columns} WHERE key = $1 AND (compiled->>'versionTag' = $2 OR ($2 ~ '^[0-9]+$' AND version = $2::int)) ORDER BY version DESC LIMIT 1`,
      [processId, tag],
    );
    return { definition, wanted: `version tag "${tag}"` };
  }
  if (version.binding === 'deployment') {
    const definition = await selectOne<DeployedDefinition>(
      db,
      `${columns} d WHERE d.key = $1 AND d.deployed_at <= (SELECT deployed_at FROM process_definitions WHERE id = $2) ORDER BY d.version DESC LIMIT 1`,
      [processId, callerDefinitionId],
    );
    return { definition, wanted: 'the version deployed with the caller' };
  }
  const definition = await selectOne<DeployedDefinition>(
    db,
    `${columns} WHERE key = $1 ORDER BY version DESC LIMIT 1`,
    [processId],
  );
  return { definition, wanted: 'any version' };
}

/** The latest version of every definition, and whether its timer starts have all fired for good. */
export function latestDefinitionsWithTimerState(db: Db): Promise<(DeployedDefinition & { finished: boolean })[]> {
  return select<DeployedDefinition & { finished: boolean }>(
    db,
    `SELECT DISTINCT ON (d.key) d.id, d.key, d.version, d.compiled AS graph, f.definition_id IS NOT NULL AS finished
     FROM process_definitions d LEFT JOIN timer_start_finished f ON f.definition_id = d.id
     ORDER BY d.key, d.version DESC`,
  );
}

/** The timer starts of a version will not fire again (idempotent: the first record stays). */
export async function recordTimerStartFinished(
  db: Db,
  f: { definitionId: number; startedInstances: number },
): Promise<void> {
  await select(
    db,
    `INSERT INTO timer_start_finished (definition_id, started_instances) VALUES ($1, $2)
     ON CONFLICT (definition_id) DO NOTHING RETURNING definition_id`,
    [f.definitionId, f.startedInstances],
  );
}

/** The BPMN XML of a deployed version, by its id (the UI draws a task's form from it). */
export async function definitionXmlById(db: Db, definitionId: number): Promise<string | null> {
  const row = await selectOne<{ xml: string }>(db, 'SELECT xml FROM process_definitions WHERE id = $1', [definitionId]);
  return row?.xml ?? null;
}
