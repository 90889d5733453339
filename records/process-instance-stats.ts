import { select, type Db } from './sql';

export interface VersionInstanceCounts {
  key: string;
  version: number;
  /** Instances still going on this version (they stay on it when a new one is deployed)... */
  running: number;
  /** ...and how many of them an incident holds. */
  incident: number;
}

/** Active instances per version of the given keys, in one grouped read on the (definition_id, status) index. */
export async function activeInstancesByVersion(db: Db, keys: readonly string[]): Promise<VersionInstanceCounts[]> {
  if (keys.length === 0) return [];
  const rows = await select<{ key: string; version: number; running: string; incident: string }>(
    db,
    `SELECT d.key, d.version, count(*) AS running, count(*) FILTER (WHERE i.status = 'incident') AS incident
       FROM process_definitions d
       JOIN process_instances i ON i.definition_id = d.id AND i.status IN ('running', 'incident')
      WHERE d.key = ANY($1::text[])
      GROUP BY d.key, d.version
      ORDER BY d.key, d.version DESC`,
    [keys],
  );
  return rows.map((r) => ({
    key: r.key,
    version: r.version,
    running: Number(r.running),
    incident: Number(r.incident),
  }));
}

/** The newest `limit` instances still going on one version, and how many there are in all. */
export async function activeInstancesOfVersion(
  db: Db,
  key: string,
  version: number,
  limit: number,
): Promise<{ ids: string[]; total: number }> {
  const rows = await select<{ id: string; total: string }>(
    db,
    `SELECT i.id, count(*) OVER () AS total
       FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
      WHERE d.key = $1 AND d.version = $2 AND i.status IN ('running', 'incident')
      ORDER BY i.started_at DESC, i.id DESC
      LIMIT $3`,
    [key, version, limit],
  );
  return { ids: rows.map((r) => r.id), total: rows.length ? Number(rows[0].total) : 0 };
}
