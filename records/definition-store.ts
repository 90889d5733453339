import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CompiledGraph } from '../bpmn/graph';

/** One immutable, deployed version of a process definition. */
export interface DefinitionVersion {
  id: number;
  key: string;
  version: number;
  name: string | null;
  checksum: string;
  deployedBy: number | null;
  deployedAt: Date;
  /** The deployment it came with (Camunda deployment key) and its file name; null for older versions. */
  deploymentKey: string | null;
  resourceName: string | null;
}

export interface DefinitionVersionWithGraph extends DefinitionVersion {
  graph: CompiledGraph;
}

const COLUMNS = `id, key, version, name, checksum, deployed_by AS "deployedBy", deployed_at AS "deployedAt",
  deployment_key::text AS "deploymentKey", resource_name AS "resourceName"`;

/** Plain-object access to process_definitions. Rows are only ever inserted, never changed. */
export class DefinitionStore {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Serialises deployments of one key (a transaction-scoped advisory lock in `namespace`), so two
   * deployers cannot both take the next version number.
   */
  async lockKey(namespace: number, key: string, transaction: Transaction): Promise<void> {
    await this.sequelize.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', {
      bind: [namespace, key],
      transaction,
    });
  }

  async latest(key: string, transaction?: Transaction): Promise<DefinitionVersion | null> {
    const rows = await this.sequelize.query<DefinitionVersion>(
      `SELECT ${COLUMNS} FROM process_definitions WHERE key = $1 ORDER BY version DESC LIMIT 1`,
      { type: QueryTypes.SELECT, bind: [key], transaction },
    );
    return rows[0] ?? null;
  }

  /** The version whose XML has this checksum, if it is still the latest of its key. */
  async latestWithChecksum(checksum: string): Promise<DefinitionVersion | null> {
    const rows = await this.sequelize.query<DefinitionVersion>(
      `SELECT ${COLUMNS} FROM process_definitions d WHERE checksum = $1
         AND version = (SELECT max(version) FROM process_definitions WHERE key = d.key) LIMIT 1`,
      { type: QueryTypes.SELECT, bind: [checksum] },
    );
    return rows[0] ?? null;
  }

  async versions(key: string): Promise<DefinitionVersion[]> {
    return this.sequelize.query<DefinitionVersion>(
      `SELECT ${COLUMNS} FROM process_definitions WHERE key = $1 ORDER BY version DESC`,
      { type: QueryTypes.SELECT, bind: [key] },
    );
  }

  /** Every key with its latest version. */
  async latestOfEachKey(): Promise<DefinitionVersion[]> {
    return this.sequelize.query<DefinitionVersion>(
      `SELECT DISTINCT ON (key) ${COLUMNS} FROM process_definitions ORDER BY key, version DESC`,
      { type: QueryTypes.SELECT },
    );
  }

  /** The version a process instance runs on. */
  async ofInstance(instanceId: string): Promise<DefinitionVersion | null> {
    const rows = await this.sequelize.query<DefinitionVersion>(
      `SELECT d.id, d.key, d.version, d.name, d.checksum, d.deployed_by AS "deployedBy", d.deployed_at AS "deployedAt"
       FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1`,
      { type: QueryTypes.SELECT, bind: [instanceId] },
    );
    return rows[0] ?? null;
  }

  /** The form (FormSpec) of a user task of the instance's definition, before the task has a row. */
  async userTaskFormOf(instanceId: string, elementId: string): Promise<unknown> {
    const rows = await this.sequelize.query<{ form: unknown }>(
      `SELECT d.compiled->'nodes'->$2->'userTask'->'form' AS form
       FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1`,
      { type: QueryTypes.SELECT, bind: [instanceId, elementId] },
    );
    return rows[0]?.form ?? null;
  }

  /** A version with its compiled graph; `version` absent means the latest. */
  async withGraph(key: string, version?: number): Promise<DefinitionVersionWithGraph | null> {
    const rows = await this.sequelize.query<DefinitionVersionWithGraph>(
      `SELECT ${COLUMNS}, compiled AS graph FROM process_definitions
       WHERE key = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
      { type: QueryTypes.SELECT, bind: [key, version ?? null] },
    );
    return rows[0] ?? null;
  }

  async xml(key: string, version: number): Promise<string | null> {
    const rows = await this.sequelize.query<{ xml: string }>(
      'SELECT xml FROM process_definitions WHERE key = $1 AND version = $2',
      { type: QueryTypes.SELECT, bind: [key, version] },
    );
    return rows[0]?.xml ?? null;
  }

  async insert(
    row: {
      key: string;
      version: number;
      name: string | null;
      xml: string;
      graph: CompiledGraph;
      checksum: string;
      deployedBy: number | null;
      /** The deployment (one request) this version came with, and the file it was in. */
      deploymentKey?: string | null;
      resourceName?: string | null;
    },
    transaction: Transaction,
  ): Promise<DefinitionVersion> {
    const rows = await this.sequelize.query<DefinitionVersion>(
      `INSERT INTO process_definitions (key, version, name, xml, compiled, checksum, deployed_by, deployment_key, resource_name)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      {
        type: QueryTypes.SELECT,
        bind: [
          row.key,
          row.version,
          row.name,
          row.xml,
          JSON.stringify(row.graph),
          row.checksum,
          row.deployedBy,
          row.deploymentKey ?? null,
          row.resourceName ?? null,
        ],
        transaction,
      },
    );
    return rows[0];
  }
}
