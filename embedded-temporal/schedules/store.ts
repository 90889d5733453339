import type { Pool } from 'pg';
import { SCHEMA } from '../store/schema';
import { reviveBytes, toJson } from '../json';
import type { ScheduleRecord } from './record';
import { decodeSearchAttributes } from '../engine/search-attributes';

/** The `schedules` table: one row per schedule, written whole after every change. */
export class ScheduleStore {
  constructor(private readonly pool: Pool) {}

  /** Inserts a new schedule; false if the id is taken in the namespace. */
  async insert(rec: ScheduleRecord): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO ${SCHEMA}.schedules (namespace, schedule_id, search_attributes, state) VALUES ($1,$2,$3,$4)
       ON CONFLICT (namespace, schedule_id) DO NOTHING`,
      [rec.namespace, rec.scheduleId, JSON.stringify(visibleAttributes(rec)), toJson(rec)],
    );
    return r.rowCount === 1;
  }

  async save(rec: ScheduleRecord): Promise<void> {
    await this.pool.query(
      `UPDATE ${SCHEMA}.schedules SET search_attributes = $3, state = $4 WHERE namespace = $1 AND schedule_id = $2`,
      [rec.namespace, rec.scheduleId, JSON.stringify(visibleAttributes(rec)), toJson(rec)],
    );
  }

  async delete(namespace: string, scheduleId: string): Promise<boolean> {
    const r = await this.pool.query(`DELETE FROM ${SCHEMA}.schedules WHERE namespace = $1 AND schedule_id = $2`, [
      namespace,
      scheduleId,
    ]);
    return r.rowCount === 1;
  }

  async load(namespace: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    const r = await this.pool.query<{ state: ScheduleRecord }>(
      `SELECT state FROM ${SCHEMA}.schedules WHERE namespace = $1 AND schedule_id = $2`,
      [namespace, scheduleId],
    );
    return r.rows[0] ? reviveBytes(r.rows[0].state) : undefined;
  }

  async ids(): Promise<{ namespace: string; scheduleId: string }[]> {
    const r = await this.pool.query<{ namespace: string; schedule_id: string }>(
      `SELECT namespace, schedule_id FROM ${SCHEMA}.schedules`,
    );
    return r.rows.map((x) => ({ namespace: x.namespace, scheduleId: x.schedule_id }));
  }

  /** Schedule ids of a namespace matching a compiled visibility condition, by id, one page. */
  async list(
    namespace: string,
    where: string,
    params: unknown[],
    offset: number,
    limit: number,
  ): Promise<ScheduleRecord[]> {
    const n = params.length;
    const r = await this.pool.query<{ state: ScheduleRecord }>(
      `SELECT state FROM (SELECT schedule_id, schedule_id AS workflow_id, search_attributes, state FROM ${SCHEMA}.schedules
         WHERE namespace = $${n + 1}) s WHERE ${where} ORDER BY schedule_id OFFSET $${n + 2} LIMIT $${n + 3}`,
      [...params, namespace, offset, limit],
    );
    return r.rows.map((x) => reviveBytes(x.state));
  }
}

/** What ListSchedules can filter on: the schedule's custom search attributes and TemporalSchedulePaused. */
function visibleAttributes(rec: ScheduleRecord): Record<string, unknown> {
  return { ...decodeSearchAttributes(rec.searchAttributes), TemporalSchedulePaused: !!rec.schedule.state?.paused };
}
