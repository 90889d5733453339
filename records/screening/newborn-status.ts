/**
 * Where a child stands against the three newborn screening programmes' deadlines (the
 * immunisation schedule is GET /children/{nhs}/schedule). Dates are UK calendar days.
 */
import type { StaffActor } from '../actor';
import { auditChildRead, openChildByNhsNumber } from '../children/read';
import { select, type Db } from '../sql';

export type ScreeningStatus = 'recorded' | 'due' | 'overdue' | 'not_recorded';

const addDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const addMonths = (iso: string, months: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

/**
 * Newborn screening: the deadline a result should be on the record by, and the last day a
 * missed screen can still be offered (domain.md): NIPE within 72 hours (the 6-8 week check
 * follows); blood spot conclusive by day 17, offered to the first birthday; hearing by
 * 4 weeks (hospital programme; 5 for community), offered to 3 months.
 */
const PROGRAMMES = [
  {
    programme: 'nipe',
    name: 'Newborn and infant physical examination (NIPE)',
    deadline: (dob: string) => addDays(dob, 3),
    offeredUntil: (dob: string) => addDays(dob, 56),
  },
  {
    programme: 'blood_spot',
    name: 'Newborn blood spot',
    deadline: (dob: string) => addDays(dob, 17),
    offeredUntil: (dob: string) => addMonths(dob, 12),
  },
  {
    programme: 'hearing',
    name: 'Newborn hearing',
    deadline: (dob: string) => addDays(dob, 28),
    offeredUntil: (dob: string) => addMonths(dob, 3),
  },
] as const;

async function childScreening(db: Db, child: { id: string; dateOfBirth: string }, today: string) {
  const results = await select<{ programme: string; outcome: string; recordedOn: string }>(
    db,
    `SELECT DISTINCT ON (programme) programme, outcome, recorded_on::text AS recorded_on
     FROM screening_results WHERE child_id = $1 ORDER BY programme, recorded_on DESC, id DESC`,
    [child.id],
  );
  return {
    asOf: today,
    screening: PROGRAMMES.map((p) => {
      const result = results.find((r) => r.programme === p.programme) ?? null;
      const deadline = p.deadline(child.dateOfBirth);
      const offeredUntil = p.offeredUntil(child.dateOfBirth);
      const status: ScreeningStatus = result
        ? 'recorded'
        : today > offeredUntil
          ? 'not_recorded'
          : today > deadline
            ? 'overdue'
            : 'due';
      return {
        programme: p.programme,
        name: p.name,
        deadline,
        offeredUntil,
        status,
        outcome: result?.outcome ?? null,
        recordedOn: result?.recordedOn ?? null,
      };
    }),
  };
}

/** Where a child stands against the newborn screening deadlines on `today`; audited `child.screening`. */
export async function readChildScreening(db: Db, actor: StaffActor, nhsNumber: string, today: string) {
  const { child, brokeGlass } = await openChildByNhsNumber(db, actor, nhsNumber, 'child.screening');
  const screening = await childScreening(db, child, today);
  await auditChildRead(db, actor, 'child.screening', child, brokeGlass);
  return { nhsNumber: child.nhsNumber, ...screening };
}
