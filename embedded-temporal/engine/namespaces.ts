import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store';
import { SCHEMA } from '../store/schema';
import { namespaceNotFound, ApiError } from '../errors';
import { status } from '@grpc/grpc-js';

export interface NamespaceRecord {
  name: string;
  id: string;
  retentionSeconds: number;
  description: string;
}

/** Registered namespaces and search attributes, cached in memory; `default` always exists. */
export class Namespaces {
  private readonly byName = new Map<string, NamespaceRecord>();
  readonly searchAttributes = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    const ns = await this.store.pool.query<{
      name: string;
      id: string;
      retention_seconds: string;
      description: string;
    }>(`SELECT * FROM ${SCHEMA}.namespaces`);
    for (const r of ns.rows)
      this.byName.set(r.name, {
        name: r.name,
        id: r.id,
        retentionSeconds: Number(r.retention_seconds),
        description: r.description,
      });
    const sa = await this.store.pool.query<{ name: string; type: number }>(`SELECT * FROM ${SCHEMA}.search_attributes`);
    for (const r of sa.rows) this.searchAttributes.set(r.name, r.type);
  }

  async ensure(name: string, description = '', retentionSeconds = 86400): Promise<NamespaceRecord> {
    const found = this.byName.get(name);
    if (found) return found;
    return this.register(name, retentionSeconds, description, true);
  }

  /** Changes how long the namespace keeps closed histories (the retention sweep reads it). */
  async setRetention(name: string, retentionSeconds: number): Promise<NamespaceRecord> {
    const rec = this.get(name);
    if (rec.retentionSeconds === retentionSeconds) return rec;
    await this.store.pool.query(`UPDATE ${SCHEMA}.namespaces SET retention_seconds = $2 WHERE name = $1`, [
      name,
      retentionSeconds,
    ]);
    const updated = { ...rec, retentionSeconds };
    this.byName.set(name, updated);
    return updated;
  }

  async register(
    name: string,
    retentionSeconds: number,
    description: string,
    ifMissing = false,
  ): Promise<NamespaceRecord> {
    if (!name) throw new ApiError(status.INVALID_ARGUMENT, 'namespace name is required');
    const r = await this.store.pool.query<{ name: string; id: string; retention_seconds: string; description: string }>(
      `INSERT INTO ${SCHEMA}.namespaces (name, id, retention_seconds, description) VALUES ($1,$2,$3,$4) ON CONFLICT (name) DO NOTHING RETURNING *`,
      [name, randomUUID(), retentionSeconds, description],
    );
    if (!r.rows.length) {
      if (!ifMissing) throw new ApiError(status.ALREADY_EXISTS, `Namespace ${name} already exists.`);
      await this.load();
      return this.byName.get(name)!;
    }
    const rec = { name, id: r.rows[0].id, retentionSeconds, description };
    this.byName.set(name, rec);
    return rec;
  }

  get(name: string): NamespaceRecord {
    const rec = this.byName.get(name);
    if (!rec) throw namespaceNotFound(name);
    return rec;
  }

  list(): NamespaceRecord[] {
    return [...this.byName.values()];
  }

  async addSearchAttribute(name: string, type: number): Promise<void> {
    await this.store.pool.query(
      `INSERT INTO ${SCHEMA}.search_attributes (name, type) VALUES ($1,$2) ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type`,
      [name, type],
    );
    this.searchAttributes.set(name, type);
  }
}
