/**
 * What the schedule evaluator needs to know about children, read in one go for a batch: date
 * of birth, sex, status, the locality's grace period, the immunisations on record and the
 * doses already followed up. The sweep, the gap check, the follow-up steps and the record's
 * schedule view all read children through this, then call schedule/evaluate.ts.
 */
import type { Db } from '../sql';
import { select } from '../sql';
import { evaluateSchedule, UK_ROUTINE, type ChildSchedule, type Immunisation, type Sex } from '../../schedule';

export interface ChildScheduleFacts {
  childId: string;
  nhsNumber: string;
  dateOfBirth: string;
  sex: Sex;
  status: string;
  localityId: number;
  graceDays: number;
  immunisations: Immunisation[];
  /** Dose codes that already have a follow-up row (open or closed). */
  followedUp: Set<string>;
}

interface ChildRow {
  id: string;
  nhsNumber: string;
  dateOfBirth: string;
  sex: Sex;
  status: string;
  localityId: number;
  graceDays: number;
}

/** Facts for each child id that exists (absent ids are left out). */
export async function loadScheduleFacts(db: Db, childIds: readonly string[]): Promise<Map<string, ChildScheduleFacts>> {
  const facts = new Map<string, ChildScheduleFacts>();
  if (childIds.length === 0) return facts;
  const ids = [...childIds];
  const [children, events, followUps] = await Promise.all([
    select<ChildRow>(
      db,
      `SELECT c.id::text AS id, c.nhs_number, c.date_of_birth::text AS date_of_birth, c.sex, c.status, c.locality_id,
              l.overdue_grace_days AS grace_days
       FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = ANY($1::bigint[])`,
      [ids],
    ),
    select<{ childId: string; vaccine: string; givenOn: string; id: string }>(
      db,
      `SELECT child_id::text AS child_id, vaccine, given_on::text AS given_on, id::text AS id
       FROM immunisation_events WHERE child_id = ANY($1::bigint[])`,
      [ids],
    ),
    select<{ childId: string; doseCode: string }>(
      db,
      'SELECT child_id::text AS child_id, dose_code FROM immunisation_follow_ups WHERE child_id = ANY($1::bigint[])',
      [ids],
    ),
  ]);
  for (const c of children) {
    facts.set(c.id, {
      childId: c.id,
      nhsNumber: c.nhsNumber,
      dateOfBirth: c.dateOfBirth,
      sex: c.sex,
      status: c.status,
      localityId: c.localityId,
      graceDays: c.graceDays,
      immunisations: [],
      followedUp: new Set(),
    });
  }
  for (const e of events)
    facts.get(e.childId)?.immunisations.push({ product: e.vaccine, givenOn: e.givenOn, ref: e.id });
  for (const f of followUps) facts.get(f.childId)?.followedUp.add(f.doseCode);
  return facts;
}

/** One child's facts and schedule as of a date; null when there is no such child. */
export async function scheduleForChild(
  db: Db,
  childId: string,
  o: { asOf: string; dateOfBirth?: string },
): Promise<{ facts: ChildScheduleFacts; schedule: ChildSchedule } | null> {
  const facts = (await loadScheduleFacts(db, [childId])).get(childId);
  if (!facts) return null;
  const dateOfBirth = o.dateOfBirth ?? facts.dateOfBirth;
  const schedule = evaluateSchedule({ dateOfBirth, sex: facts.sex }, facts.immunisations, {
    asOf: o.asOf,
    graceDays: facts.graceDays,
    ruleSet: UK_ROUTINE,
  });
  return { facts: { ...facts, dateOfBirth }, schedule };
}
