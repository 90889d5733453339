/**
 * Deployed forms and DMN (table `resources`, migration 0016): immutable versions, like
 * process_definitions. A decision requirements graph (DRD) row holds the DMN file; each of its
 * decisions has a row of its own (parent_key = the DRD's key) so a business rule task or the
 * API finds the latest version of a decision by its id.
 */
import { select, selectOne, type Db } from './sql';

export type ResourceKind = 'form' | 'decision_requirements' | 'decision';

export interface ResourceVersion {
  key: string;
  kind: ResourceKind;
  resourceId: string;
  version: number;
  name: string | null;
  resourceName: string;
  deploymentKey: string;
  parentKey: string | null;
  checksum: string;
  deployedAt: Date;
}

export interface ResourceWithContent extends ResourceVersion {
  content: string | null;
  compiled: unknown;
}

const COLUMNS = `key::text AS key, kind, resource_id, version, name, resource_name, deployment_key::text AS deployment_key,
  parent_key::text AS parent_key, checksum, deployed_at`;

export async function latestResource(
  db: Db,
  kind: ResourceKind,
  resourceId: string,
): Promise<ResourceWithContent | null> {
  return selectOne<ResourceWithContent>(
    db,
    `SELECT ${COLUMNS}, content, compiled FROM resources WHERE kind = $1 AND resource_id = $2 ORDER BY version DESC LIMIT 1`,
    [kind, resourceId],
  );
}

/** A version by its key (any kind). */
export async function resourceByKey(db: Db, key: string): Promise<ResourceWithContent | null> {
  if (!/^\d{1,19}$/.test(key)) return null;
  return selectOne<ResourceWithContent>(db, `SELECT ${COLUMNS}, content, compiled FROM resources WHERE key = $1`, [
    key,
  ]);
}

/** The decision of a given version tag or version, else the latest. */
export async function decisionVersion(
  db: Db,
  decisionId: string,
  version?: number,
): Promise<ResourceWithContent | null> {
  return selectOne<ResourceWithContent>(
    db,
    `SELECT ${COLUMNS}, content, compiled FROM resources WHERE kind = 'decision' AND resource_id = $1
       AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
    [decisionId, version ?? null],
  );
}

/**
 * The key of the form version a task created at `at` links to (Camunda's default binding,
 * latest): the latest version of the form id deployed by then; null when none was.
 */
export async function linkedFormKey(db: Db, formId: string, at: Date): Promise<string | null> {
  const row = await selectOne<{ key: string }>(
    db,
    `SELECT key::text AS key FROM resources WHERE kind = 'form' AND resource_id = $1
        AND deployed_at <= $2 ORDER BY version DESC LIMIT 1`,
    [formId, at],
  );
  return row?.key ?? null;
}

/** The latest version of every form, by form id, as form-js schemas: what BPMN compiles against. */
export async function latestFormSchemas(db: Db): Promise<Map<string, unknown>> {
  const rows = await select<{ resourceId: string; content: string }>(
    db,
    `SELECT DISTINCT ON (resource_id) resource_id, content FROM resources WHERE kind = 'form' ORDER BY resource_id, version DESC`,
  );
  const forms = new Map<string, unknown>();
  for (const r of rows) {
    try {
      forms.set(r.resourceId, JSON.parse(r.content));
    } catch {
      // stored forms were parsed before they were stored; an unreadable one is simply not offered
    }
  }
  return forms;
}

export interface NewResource {
  kind: ResourceKind;
  resourceId: string;
  version: number;
  name: string | null;
  resourceName: string;
  deploymentKey: string;
  parentKey?: string | null;
  content: string | null;
  compiled: unknown;
  checksum: string;
  deployedBy: number | null;
}

export async function insertResource(db: Db, r: NewResource): Promise<ResourceVersion> {
  const row = await selectOne<ResourceVersion>(
    db,
    `INSERT INTO resources (kind, resource_id, version, name, resource_name, deployment_key, parent_key, content, compiled, checksum, deployed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11) RETURNING ${COLUMNS}`,
    [
      r.kind,
      r.resourceId,
      r.version,
      r.name,
      r.resourceName,
      r.deploymentKey,
      r.parentKey ?? null,
      r.content,
      JSON.stringify(r.compiled),
      r.checksum,
      r.deployedBy,
    ],
  );
  return row!;
}

/** The decisions stored with one DRD version. */
export async function decisionsOf(db: Db, drdKey: string): Promise<ResourceVersion[]> {
  return select<ResourceVersion>(db, `SELECT ${COLUMNS} FROM resources WHERE parent_key = $1 ORDER BY key`, [drdKey]);
}

/** A new key from the Camunda key sequence (deployment keys, message keys...). */
export async function nextKey(db: Db): Promise<string> {
  const row = await selectOne<{ key: string }>(db, `SELECT nextval('camunda_keys')::text AS key`);
  return row!.key;
}
