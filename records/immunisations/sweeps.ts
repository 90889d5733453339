/**
 * The overdue sweep's rows (`immunisation_sweeps`) and its two set-based statements. The sweep
 * reads, in child-id batches, the children whose schedule answer can have changed
 * (immunisation_schedule_checks.next_check_on on or before the sweep's date: something new on
 * the record, or a dose becoming overdue); the caller evaluates them with schedule/evaluate.ts,
 * and each batch is written back in one statement: the follow-ups of the doses that became
 * overdue in the look-back window (UNIQUE per child and dose, so a repeat adds nothing), their
 * audit events, and each child's next check date.
 */
import { select, selectOne, type Db } from '../sql';

/**
 * The next batch: $1 as-of date, $2 child id to start after, $3 batch size, $4 every child
 * (a look-back longer than the daily one: children checked before may hold older overdue doses).
 */
const DUE_CHECKS_SQL = `
SELECT k.child_id::text AS child_id, k.changes::text AS changes
FROM immunisation_schedule_checks k
WHERE k.child_id > $2::bigint AND ($4::boolean OR k.next_check_on <= $1::date)
ORDER BY k.child_id -- the column, not the text alias: ids in number order
LIMIT $3`;

/**
 * Writes one evaluated batch. Follow-ups: $1 child ids, $2 dose codes, $3 vaccines, $4 doses,
 * $5 due dates, $6 overdue dates, $7 last days offered, $8 locality ids; $9 sweep id; $10
 * schedule version. Checks: $11 child ids, $12 `changes` as read, $13 next check dates.
 * A check is only moved on if nothing new arrived since it was read (its `changes` unchanged).
 * Returns `found`, the number of follow-ups inserted.
 */
const WRITE_SWEEP_BATCH_SQL = `
WITH overdue AS (
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::date[], $6::date[], $7::date[], $8::smallint[])
    AS o(child_id, code, vaccine, dose, due_on, overdue_on, offer_until, locality_id)
),
inserted AS (
  INSERT INTO immunisation_follow_ups
    (child_id, dose_code, schedule_id, vaccine, dose, due_on, overdue_on, offer_until, locality_id, sweep_id, workflow_id)
  SELECT o.child_id, o.code,
         (SELECT id FROM immunisation_schedules WHERE name = 'UK routine childhood' AND version = $10::int),
         o.vaccine, o.dose, o.due_on, o.overdue_on, o.offer_until, o.locality_id, $9::bigint,
         'immunisation-follow-up-' || o.child_id || '-' || o.code
  FROM overdue o
  ON CONFLICT (child_id, dose_code) DO NOTHING
  RETURNING id, child_id, dose_code, due_on, overdue_on
),
-- Every follow-up recorded is a change to the child's record: audited in the same statement.
audited AS (
  INSERT INTO audit_events (actor_username, action, entity_type, entity_id, child_id, detail)
  SELECT 'system:immunisation-overdue-sweep', 'immunisation.follow_up_recorded', 'immunisation_follow_up', i.id::text, i.child_id,
         jsonb_build_object('doseCode', i.dose_code, 'dueOn', i.due_on, 'overdueOn', i.overdue_on, 'sweepId', $9::bigint)
  FROM inserted i
  RETURNING 1
),
checked AS (
  UPDATE immunisation_schedule_checks k
  SET next_check_on = c.next_check_on, rules_version = $10::int, checked_at = now()
  FROM unnest($11::bigint[], $12::bigint[], $13::date[]) AS c(child_id, changes, next_check_on)
  WHERE k.child_id = c.child_id AND k.changes = c.changes
  RETURNING 1
)
SELECT (SELECT count(*) FROM audited)::int AS found, (SELECT count(*) FROM checked)::int AS checked`;

/** The sweep row of an idempotency key (a retried activity finds its first attempt's row). */
export async function openSweep(
  db: Db,
  s: { idempotencyKey: string; asOf: string; lookbackDays: number },
): Promise<{ id: string }> {
  return (await selectOne<{ id: string }>(
    db,
    `INSERT INTO immunisation_sweeps (idempotency_key, as_of, lookback_days) VALUES ($1, $2, $3)
     ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key RETURNING id`,
    [s.idempotencyKey, s.asOf, s.lookbackDays],
  ))!;
}

/** The next batch of children to evaluate, after child id `after` (every child when `everyChild`). */
export function dueScheduleChecks(
  db: Db,
  o: { asOf: string; after: string; batchSize: number; everyChild: boolean },
): Promise<Array<{ childId: string; changes: string }>> {
  return select(db, DUE_CHECKS_SQL, [o.asOf, o.after, o.batchSize, o.everyChild]);
}

export interface SweepFollowUp {
  childId: string;
  code: string;
  vaccine: string;
  dose: number;
  dueOn: string;
  overdueOn: string;
  offerUntil: string;
  localityId: number;
}

export interface SweepCheck {
  childId: string;
  /** `changes` as read: the check moves on only if nothing new arrived since. */
  changes: string;
  nextCheckOn: string;
}

/** Writes one evaluated batch (follow-ups, their audit, next checks); returns the follow-ups inserted. */
export async function writeSweepBatch(
  db: Db,
  b: { sweepId: string; scheduleVersion: number; followUps: SweepFollowUp[]; checks: SweepCheck[] },
): Promise<number> {
  const row = (await selectOne<{ found: number }>(db, WRITE_SWEEP_BATCH_SQL, [
    b.followUps.map((f) => f.childId),
    b.followUps.map((f) => f.code),
    b.followUps.map((f) => f.vaccine),
    b.followUps.map((f) => f.dose),
    b.followUps.map((f) => f.dueOn),
    b.followUps.map((f) => f.overdueOn),
    b.followUps.map((f) => f.offerUntil),
    b.followUps.map((f) => f.localityId),
    b.sweepId,
    b.scheduleVersion,
    b.checks.map((c) => c.childId),
    b.checks.map((c) => c.changes),
    b.checks.map((c) => c.nextCheckOn),
  ]))!;
  return row.found;
}

export async function recordSweepFound(db: Db, sweepId: string, found: number, queryMs: number): Promise<void> {
  await select(db, 'UPDATE immunisation_sweeps SET found = found + $2, query_ms = $3 WHERE id = $1 RETURNING 1', [
    sweepId,
    found,
    queryMs,
  ]);
}

export async function finishSweep(db: Db, sweepId: string, started: number): Promise<void> {
  await select(
    db,
    'UPDATE immunisation_sweeps SET started = started + $2, finished_at = now() WHERE id = $1 RETURNING 1',
    [sweepId, started],
  );
}
