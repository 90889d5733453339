/**
 * The overdue sweep's one set-based statement. For every locality and schedule dose it works
 * out the window of birth dates whose dose became overdue (due age + the locality's grace
 * period) in the last `lookbackDays` days up to `asOf`, reads the active children born in
 * that window through the (locality, date of birth) index, drops those with the dose on
 * record or past its upper age limit, and records one follow-up per child and dose. The
 * UNIQUE (child_id, dose_code) constraint makes a repeated sweep add nothing.
 *
 * Which schedule applies: per schedule name, the version in force on the child's date of
 * birth (the latest effective_from on or before it); children born before the first version
 * take the first version, whose birth-date bounds cover the transition cohorts.
 *
 * Parameters: $1 as-of date, $2 lookback days, $3 sweep id. Returns \`found\`, the number of
 * follow-ups inserted (not their rows: a catch-up may insert a million).
 */
export const RECORD_OVERDUE_FOLLOW_UPS_SQL = `
WITH versions AS (
  SELECT s.id AS schedule_id,
         CASE WHEN row_number() OVER w = 1 THEN '-infinity'::date ELSE s.effective_from END AS born_from,
         COALESCE(lead(s.effective_from) OVER w - 1, 'infinity'::date) AS born_to
  FROM immunisation_schedules s
  WINDOW w AS (PARTITION BY s.name ORDER BY s.effective_from, s.version)
),
targets AS MATERIALIZED (
  -- One row per locality and dose: the birth dates to read. Subtracting an interval from a
  -- date is not the exact inverse of adding it at month ends (31 Jan + 1 month = 28 Feb),
  -- so the index range is widened by 3 days and the exact test is made per child below.
  SELECT l.id AS locality_id, l.overdue_grace_days AS grace_days,
         d.schedule_id, d.code, d.vaccine, d.dose, d.due_age, d.max_age,
         GREATEST(v.born_from, COALESCE(d.born_on_or_after, '-infinity'::date),
                  ($1::date - l.overdue_grace_days - $2::int - d.due_age)::date - 3) AS dob_from,
         LEAST(v.born_to, COALESCE(d.born_on_or_before, 'infinity'::date),
               ($1::date - l.overdue_grace_days - d.due_age)::date + 3) AS dob_to
  FROM localities l
  CROSS JOIN immunisation_schedule_doses d
  JOIN versions v ON v.schedule_id = d.schedule_id
),
candidates AS MATERIALIZED (
  SELECT c.id AS child_id, c.date_of_birth, c.due_on, t.*
  FROM targets t
  -- LATERAL: one range read of the (locality, date of birth) index per locality and dose.
  CROSS JOIN LATERAL (
    SELECT ch.id, ch.date_of_birth, (ch.date_of_birth + t.due_age)::date AS due_on
    FROM children ch
    WHERE ch.locality_id = t.locality_id AND ch.status = 'active'
      AND ch.date_of_birth BETWEEN t.dob_from AND t.dob_to
    OFFSET 0 -- keeps the planner from flattening this into a hash join over every child
  ) c
  WHERE c.due_on + t.grace_days <= $1::date
    AND c.due_on + t.grace_days > $1::date - $2::int
    AND (t.max_age IS NULL OR (c.date_of_birth + t.max_age)::date > $1::date)
  -- In child order, the look-ups below walk the immunisation_events index in order too.
  ORDER BY c.id
),
inserted AS (
INSERT INTO immunisation_follow_ups
  (child_id, dose_code, schedule_id, vaccine, dose, due_on, overdue_on, offer_until, locality_id, sweep_id, workflow_id)
SELECT k.child_id, k.code, k.schedule_id, k.vaccine, k.dose, k.due_on, k.due_on + k.grace_days,
       COALESCE((k.date_of_birth + k.max_age)::date, (k.date_of_birth + interval '20 years')::date) - 1,
       k.locality_id, $3::bigint, 'immunisation-follow-up-' || k.child_id || '-' || k.code
FROM candidates k
WHERE NOT EXISTS (
  SELECT 1 FROM immunisation_events e
  WHERE e.child_id = k.child_id AND e.vaccine = k.vaccine AND e.dose = k.dose
)
ON CONFLICT (child_id, dose_code) DO NOTHING
RETURNING id, child_id, dose_code, due_on, overdue_on
),
-- Every follow-up recorded is a change to the child's record: audited in the same statement.
audited AS (
INSERT INTO audit_events (actor_username, action, entity_type, entity_id, child_id, detail)
SELECT 'system:immunisation-overdue-sweep', 'immunisation.follow_up_recorded', 'immunisation_follow_up', i.id::text, i.child_id,
       jsonb_build_object('doseCode', i.dose_code, 'dueOn', i.due_on, 'overdueOn', i.overdue_on, 'sweepId', $3::bigint)
FROM inserted i
RETURNING 1
)
SELECT count(*)::int AS found FROM audited`;

/** Lookback of the daily sweep: a sweep missed for up to this many days loses nothing. */
export const DEFAULT_LOOKBACK_DAYS = 28;
/** A catch-up over every dose still offered (about 100 years back). */
export const CATCH_UP_LOOKBACK_DAYS = 36_500;
