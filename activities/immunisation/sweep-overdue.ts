/**
 * `immunisation.sweepOverdue`: records the follow-ups of doses that became overdue (one
 * set-based statement, overdue-query.ts), then starts their process instances. Idempotent and
 * resumable: the sweep row is keyed by the activity's idempotency key, follow-ups are UNIQUE
 * per child and dose, and instances are started from the queue of rows not started yet, so a
 * retry (or the next day's sweep) finishes what a crashed attempt left.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import { selectOne } from '../../db/repositories/sql';
import { DEFAULT_LOOKBACK_DAYS, RECORD_OVERDUE_FOLLOW_UPS_SQL } from './overdue-query';
import { startPendingFollowUps } from './start-follow-ups';
import { parseInput } from '../support';
import { heartbeat, runningActivity, todayUtc } from './support';

export interface SweepDeps {
  sequelize: Sequelize;
  client?: Client;
  taskQueue: string;
}

type SweepOutput = ActivityOutput<'immunisation.sweepOverdue'>;

/** Records the overdue follow-ups of one sweep; returns the sweep id and how many were new. */
export async function recordOverdueFollowUps(
  sequelize: Sequelize,
  s: { idempotencyKey: string; asOf: string; lookbackDays: number },
): Promise<{ sweepId: string; found: number }> {
  const db = { sequelize };
  const sweep = (await selectOne<{ id: string }>(
    db,
    `INSERT INTO immunisation_sweeps (idempotency_key, as_of, lookback_days) VALUES ($1, $2, $3)
     ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key RETURNING id`,
    [s.idempotencyKey, s.asOf, s.lookbackDays],
  ))!;
  const started = Date.now();
  const row = (await selectOne<{ found: number }>(db, RECORD_OVERDUE_FOLLOW_UPS_SQL, [
    s.asOf,
    s.lookbackDays,
    sweep.id,
  ]))!;
  await sequelize.query('UPDATE immunisation_sweeps SET found = found + $2, query_ms = $3 WHERE id = $1', {
    bind: [sweep.id, row.found, Date.now() - started],
  });
  return { sweepId: sweep.id, found: row.found };
}

export async function sweepOverdue(
  deps: SweepDeps,
  raw: ActivityInput<'immunisation.sweepOverdue'>,
): Promise<SweepOutput> {
  const input = parseInput(
    'immunisation.sweepOverdue',
    IMMUNISATION_ACTIVITIES['immunisation.sweepOverdue'].input,
    raw,
  );
  const asOf = input.asOf ?? todayUtc();
  const who = runningActivity('immunisation-overdue-sweep', `direct-sweep-${randomUUID()}`);
  if (!deps.client) {
    throw ApplicationFailure.nonRetryable(
      'immunisation.sweepOverdue needs a Temporal client to start follow-up instances',
      'ConfigurationError',
    );
  }
  const { sweepId, found } = await recordOverdueFollowUps(deps.sequelize, {
    idempotencyKey: who.idempotencyKey,
    asOf,
    lookbackDays: input.lookbackDays ?? DEFAULT_LOOKBACK_DAYS,
  });
  heartbeat({ sweepId, found, started: 0 });
  const started = await startPendingFollowUps(
    { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
    { batchSize: input.startBatchSize ?? 200, onBatch: (n) => heartbeat({ sweepId, found, started: n }) },
  );
  await deps.sequelize.query(
    'UPDATE immunisation_sweeps SET started = started + $2, finished_at = now() WHERE id = $1',
    { bind: [sweepId, started] },
  );
  return { sweepId, asOf, found, started };
}
