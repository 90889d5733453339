/**
 * The overdue sweep's statements. The sweep reads, in child-id batches, the children whose
 * schedule answer can have changed (immunisation_schedule_checks.next_check_on on or before
 * the sweep's date: something new on the record, or a dose becoming overdue), evaluates them
 * with schedule/evaluate.ts, and writes each batch back in one statement: the follow-ups of the
 * doses that became overdue in the look-back window (UNIQUE per child and dose, so a repeat
 * adds nothing), their audit events, and each child's next check date.
 */

/** Lookback of the daily sweep: a sweep missed for up to this many days loses nothing. */
export const DEFAULT_LOOKBACK_DAYS = 28;
/** A catch-up over every dose still offered (about 100 years back). */
export const CATCH_UP_LOOKBACK_DAYS = 36_500;

/**
 * The next batch: $1 as-of date, $2 child id to start after, $3 batch size, $4 every child
 * (a look-back longer than the daily one: children checked before may hold older overdue doses).
 */
export const DUE_CHECKS_SQL = `
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
export const WRITE_SWEEP_BATCH_SQL = `
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
