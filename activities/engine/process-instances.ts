/** Mirrors a process instance's status into process_instances (for listing and search). */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { RecordInstanceInput } from '../../workflows/messages';

/** Upsert: the first call creates the row, later calls move its status (the workflow sends them in order). */
export async function recordInstance(sequelize: Sequelize, r: RecordInstanceInput): Promise<void> {
  await sequelize.query(
    `INSERT INTO process_instances (id, definition_id, business_key, status, started_by, started_at, ended_at, updated_at, subscriptions_tracked)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000), to_timestamp($7::double precision / 1000), now(), $8)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, ended_at = EXCLUDED.ended_at, updated_at = now(),
       subscriptions_tracked = process_instances.subscriptions_tracked OR EXCLUDED.subscriptions_tracked`,
    {
      type: QueryTypes.INSERT,
      bind: [
        r.processInstanceId,
        r.definitionId,
        r.businessKey,
        r.status,
        r.startedBy,
        r.startedAt,
        r.endedAt ?? null,
        r.subscriptionsTracked === true,
      ],
    },
  );
}
