/**
 * The schedule doses that apply to one child, with their dates and whether each is on record.
 * Same rules as the sweep: per schedule name the version in force on the date of birth (the
 * first version for children born before it), the dose's birth-date bounds, due age from the
 * date of birth, the locality's grace period, and the upper age limit.
 */
import { select, type Db } from '../../db/repositories/sql';

export interface ChildDose {
  code: string;
  vaccine: string;
  dose: number;
  dueOn: string;
  overdueOn: string;
  /** Last day the dose may be given. */
  offerUntil: string;
  /** Date given, when on record. */
  givenOn: string | null;
}

const CHILD_DOSES_SQL = `
WITH child AS (
  SELECT c.id, COALESCE($2::date, c.date_of_birth) AS dob, l.overdue_grace_days AS grace_days
  FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = $1
),
versions AS (
  SELECT s.id AS schedule_id,
         CASE WHEN row_number() OVER w = 1 THEN '-infinity'::date ELSE s.effective_from END AS born_from,
         COALESCE(lead(s.effective_from) OVER w - 1, 'infinity'::date) AS born_to
  FROM immunisation_schedules s
  WINDOW w AS (PARTITION BY s.name ORDER BY s.effective_from, s.version)
)
SELECT d.code, d.vaccine, d.dose,
       (c.dob + d.due_age)::date::text AS due_on,
       ((c.dob + d.due_age)::date + c.grace_days)::text AS overdue_on,
       (COALESCE((c.dob + d.max_age)::date, (c.dob + interval '20 years')::date) - 1)::text AS offer_until,
       e.given_on::text AS given_on
FROM child c
JOIN versions v ON c.dob BETWEEN v.born_from AND v.born_to
JOIN immunisation_schedule_doses d ON d.schedule_id = v.schedule_id
LEFT JOIN immunisation_events e ON e.child_id = c.id AND e.vaccine = d.vaccine AND e.dose = d.dose
WHERE c.dob BETWEEN COALESCE(d.born_on_or_after, '-infinity'::date) AND COALESCE(d.born_on_or_before, 'infinity'::date)
ORDER BY (c.dob + d.due_age), d.code`;

/** Every dose of the child's schedule (empty when the child does not exist). */
export function scheduleForChild(db: Db, childId: string, dateOfBirth?: string): Promise<ChildDose[]> {
  return select<ChildDose>(db, CHILD_DOSES_SQL, [childId, dateOfBirth ?? null]);
}

/** Whole days between two ISO dates (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
