import { UK_ROUTINE, type DoseRule } from '../../schedule';
import { addInterval, civil, dayFromIso, type CalendarInterval, type CivilDate, type DateFormatter } from './dates';
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, STREET_NAMES, STREET_TYPES } from './names';
import { Rng, cumulative, streamKey } from './prng';
import { LOCALITY_CUMULATIVE_SHARES, LOCALITY_PROFILES, postTown, type LocalityProfile } from './region-profile';

/**
 * Turns one synthetic NHS number into a whole child: demographics, contacts, immunisation
 * history, newborn screening and safeguarding. Output is COPY text (tab-separated, \N for
 * null), appended to per-table buffers, because the seed writes millions of rows.
 */

export const IMMUNISATION_SOURCE = 'seed';
export const SCHOOL_IMMUNISATION_SERVICE = 'school-age-immunisation-service';

export type SeededRowTable =
  'children' | 'contacts' | 'immunisation_events' | 'screening_results' | 'safeguarding_concerns';

/**
 * Rows waiting for one batch's COPY. Rows are collected as small strings and joined into
 * one chunk every few hundred children, so that only the chunks live long: millions of
 * retained row strings would make the garbage collector the slowest part of the seed.
 */
export class BatchRows {
  readonly children: string[] = [];
  readonly contacts: string[] = [];
  readonly immunisation_events: string[] = [];
  readonly screening_results: string[] = [];
  readonly safeguarding_concerns: string[] = [];
  readonly chunks: Record<SeededRowTable, string[]> = {
    children: [],
    contacts: [],
    immunisation_events: [],
    screening_results: [],
    safeguarding_concerns: [],
  };
  readonly counts: Record<SeededRowTable, number> = {
    children: 0,
    contacts: 0,
    immunisation_events: 0,
    screening_results: 0,
    safeguarding_concerns: 0,
  };

  /** Moves the pending rows into chunks. */
  compact(): this {
    for (const table of Object.keys(this.chunks) as SeededRowTable[]) {
      const pending = this[table];
      if (pending.length === 0) continue;
      this.counts[table] += pending.length;
      this.chunks[table].push(pending.join(''));
      pending.length = 0;
    }
    return this;
  }
}

export function emptyBatch(): BatchRows {
  return new BatchRows();
}

export interface FactoryContext {
  seed: number;
  referenceDay: number;
  dates: DateFormatter;
  /** GP practice ODS codes per locality, in the order of LOCALITY_PROFILES. */
  practices: readonly (readonly string[])[];
  /** Staff ids who can raise a safeguarding concern, per locality, in the order of LOCALITY_PROFILES. */
  concernRaisers: readonly (readonly number[])[];
}

interface PlannedDose {
  rule: DoseRule;
  /** Index of the rule's series, for the last date given in it. */
  seriesIndex: number;
  /** Index of the product given, for its dose number. */
  productIndex: number;
  bornFrom: number;
  bornTo: number;
  offeredFrom: number;
  offeredTo: number;
  /** Due age (null when due after the series' previous dose, e.g. HPV dose 2). */
  due: CalendarInterval | null;
  /** For due-after-previous doses. */
  afterPrevious: CalendarInterval | null;
  maxAge: CalendarInterval | null;
  /** School-age doses: due on 1 September of this school year (0 = Reception). */
  schoolYear: number | null;
  /** Selective offers (the MMRV catch-up): taken up by fewer families. */
  selective: boolean;
}

const toInterval = (a: { years?: number; months?: number; weeks?: number; days?: number }): CalendarInterval => ({
  months: (a.years ?? 0) * 12 + (a.months ?? 0),
  days: (a.weeks ?? 0) * 7 + (a.days ?? 0),
});

const SERIES = [...new Set(UK_ROUTINE.rules.map((r) => r.series))];
const PRODUCTS_GIVEN = [...new Set(UK_ROUTINE.rules.map((r) => r.vaccine))];
const SWITCHES = new Map(UK_ROUTINE.switches.map((s) => [s.id, s]));

/**
 * The doses a seeded child is given: every rule of the schedule in force (schedule/), in due
 * order within each series. Doses whose timing changed by appointment date take the timing of
 * the child's nominal appointment (12-week visit before or after 1 July 2025).
 */
const PLANNED_DOSES: readonly PlannedDose[] = UK_ROUTINE.rules
  .map((r) => {
    const d = r.due;
    return {
      rule: r,
      seriesIndex: SERIES.indexOf(r.series),
      productIndex: PRODUCTS_GIVEN.indexOf(r.vaccine),
      bornFrom: r.born?.from ? dayFromIso(r.born.from) : -Infinity,
      bornTo: r.born?.to ? dayFromIso(r.born.to) : Infinity,
      offeredFrom: r.offered?.from ? dayFromIso(r.offered.from) : -Infinity,
      offeredTo: r.offered?.to ? dayFromIso(r.offered.to) : Infinity,
      due: 'age' in d ? toInterval(d.age) : 'switch' in d ? toInterval(d.before) : null,
      afterPrevious: 'afterPrevious' in d ? toInterval(d.afterPrevious) : null,
      maxAge: r.maxAge ? toInterval(r.maxAge) : null,
      schoolYear: 'schoolYear' in d ? d.schoolYear : null,
      selective: !r.followUp,
    };
  })
  .sort((a, b) => a.seriesIndex - b.seriesIndex || a.rule.dose - b.rule.dose);

/** The due age of a dose whose timing depends on a switch, for a child born on `birth`. */
function switchedDue(rule: DoseRule, birth: CivilDate): CalendarInterval | null {
  const d = rule.due;
  if (!('switch' in d)) return null;
  const sw = SWITCHES.get(d.switch)!;
  const visit = addInterval(birth, toInterval(sw.visitAge));
  return toInterval(visit < dayFromIso(sw.from) ? d.before : d.after);
}

/** Minimum gap between doses of the same series. */
const MIN_DOSE_GAP_DAYS = 28;

/**
 * How a family engages with immunisation: most complete the schedule a little after each
 * due date, some miss the odd dose, a few miss most of them (a few none at all).
 */
const COMPLIANCE = [
  { name: 'complete', share: 0.85, infant: 0.993, school: 0.9, meanDelayDays: 10 },
  { name: 'gaps', share: 0.11, infant: 0.85, school: 0.7, meanDelayDays: 25 },
  { name: 'many-missed', share: 0.03, infant: 0.25, school: 0.25, meanDelayDays: 60 },
  { name: 'unimmunised', share: 0.01, infant: 0, school: 0, meanDelayDays: 0 },
] as const;
const COMPLIANCE_CUMULATIVE = cumulative(COMPLIANCE.map((c) => c.share));

const SAFEGUARDING = [
  // England: roughly 0.4% of children on a child protection plan, 0.7% looked after.
  { alert: 'none', share: 0.974, openConcern: 0 },
  { alert: 'concern', share: 0.015, openConcern: 0.25 },
  { alert: 'child_protection_plan', share: 0.004, openConcern: 0.1 },
  { alert: 'looked_after', share: 0.007, openConcern: 0.05 },
] as const;
const SAFEGUARDING_CUMULATIVE = cumulative(SAFEGUARDING.map((s) => s.share));

const CONCERN_SUMMARIES = [
  'Was Not Brought to three immunisation appointments in a row',
  'Health visitor concerned about home conditions at the 6-8 week review',
  'Family not contactable for the 1 year review; letters returned',
  'School nurse referral: repeated unexplained injuries',
  'Missed hearing screen follow-up; parent declined further contact',
  'Child on a plan missed a health visitor appointment',
] as const;

const SEXES = ['female', 'male', 'unknown'] as const;
const SEX_CUMULATIVE = cumulative([0.488, 0.51, 0.002]);

const CONTACT_METHODS = ['sms', 'email', 'phone', 'letter'] as const;
const CONTACT_METHOD_CUMULATIVE = cumulative([0.45, 0.25, 0.1, 0.2]);

/** The inward code's letters (UK postcodes never use C, I, K, M, O or V there). */
const INWARD_LETTERS = [...'ABDEFGHJLNPQRSTUWXYZ'];

const LOCALITY_INDICES = LOCALITY_PROFILES.map((_, i) => i);
const LOCALITY_TOWNS: readonly (readonly string[])[] = LOCALITY_PROFILES.map((l) => l.districts.map(postTown));

function emailLocalPart(given: string, family: string): string {
  return `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, '');
}

export class ChildFactory {
  private readonly rng = new Rng();
  private readonly lastGivenBySeries = new Float64Array(SERIES.length);
  private readonly dosesOfProduct = new Int32Array(PRODUCTS_GIVEN.length);
  private readonly oldestBirthDay: number;

  /** Per dose, the due day and upper-age-limit day for every possible birth day (index: birth day − oldestBirthDay). */
  private readonly dueDays: (Int32Array | null)[];
  private readonly limitDays: (Int32Array | null)[];

  constructor(private readonly ctx: FactoryContext) {
    // Children aged 0–19: born after the reference date 20 years ago, at the latest on it.
    const ref = civil(ctx.referenceDay);
    this.oldestBirthDay = addInterval(ref, { months: -240, days: 1 });
    // Only about 7,300 birth days are possible: working out their dates once saves millions of calendar sums.
    const days = ctx.referenceDay - this.oldestBirthDay + 1;
    const births = Array.from({ length: days }, (_, i) => civil(this.oldestBirthDay + i));
    this.dueDays = PLANNED_DOSES.map((p) => {
      if (p.schoolYear !== null) {
        const year = p.schoolYear;
        return Int32Array.from(births, (b) => dayFromIso(`${(b.month >= 8 ? b.year : b.year - 1) + 5 + year}-09-01`));
      }
      if (p.due === null) return null;
      return Int32Array.from(births, (b) => addInterval(b, switchedDue(p.rule, b) ?? p.due!));
    });
    this.limitDays = PLANNED_DOSES.map((p) =>
      p.maxAge === null ? null : Int32Array.from(births, (b) => addInterval(b, p.maxAge!)),
    );
  }

  /** Appends the child with this id and NHS number (and everything about it) to the batch; returns its locality id. */
  write(childId: number, nhsNumber: string, key: number, out: BatchRows): number {
    const rng = this.rng.reset(streamKey(this.ctx.seed, key));
    const { referenceDay, dates } = this.ctx;

    const localityIndex = rng.weighted(LOCALITY_INDICES, LOCALITY_CUMULATIVE_SHARES);
    const locality: LocalityProfile = LOCALITY_PROFILES[localityIndex];
    const sex = rng.weighted(SEXES, SEX_CUMULATIVE);
    const given = rng.pick(
      sex === 'male'
        ? MALE_GIVEN_NAMES
        : sex === 'female'
          ? FEMALE_GIVEN_NAMES
          : rng.chance(0.5)
            ? MALE_GIVEN_NAMES
            : FEMALE_GIVEN_NAMES,
    );
    const family = rng.pick(FAMILY_NAMES);
    const birthDay = rng.int(this.oldestBirthDay, referenceDay);

    const districtIndex = Math.floor(rng.next() * locality.districts.length);
    const district = locality.districts[districtIndex];
    const postcode = `${district} ${rng.int(1, 9)}${rng.pick(INWARD_LETTERS)}${rng.pick(INWARD_LETTERS)}`;
    const line1 = `${rng.int(1, 240)} ${rng.pick(STREET_NAMES)} ${rng.pick(STREET_TYPES)}`;
    const line2 = rng.chance(0.12) ? `Flat ${rng.int(1, 40)}` : '\\N';
    const town = LOCALITY_TOWNS[localityIndex][districtIndex];
    const practice = rng.pick(this.ctx.practices[localityIndex]);
    const safeguarding = rng.weighted(SAFEGUARDING, SAFEGUARDING_CUMULATIVE);

    out.children.push(
      `${childId}\t${nhsNumber}\t${given}\t${family}\t${dates.iso(birthDay)}\t${sex}\t${line1}\t${line2}\t${town}\t${postcode}\t${locality.id}\t${practice}\t${safeguarding.alert}\n`,
    );
    this.writeContacts(childId, family, safeguarding.alert === 'looked_after', out);
    this.writeImmunisations(childId, birthDay, sex, practice, out);
    if (referenceDay - birthDay < 365) this.writeScreening(childId, birthDay, out);
    if (safeguarding.openConcern > 0 && rng.chance(safeguarding.openConcern)) {
      const raisedBy = rng.pick(this.ctx.concernRaisers[localityIndex]);
      const raisedAt = `${dates.iso(referenceDay - rng.int(1, 90))} ${String(rng.int(8, 17)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00+00`;
      const status = rng.chance(0.7) ? 'open' : 'monitoring';
      out.safeguarding_concerns.push(
        `${childId}\t${status}\t${rng.pick(CONCERN_SUMMARIES)}\t${raisedBy}\t${raisedAt}\n`,
      );
    }
    return locality.id;
  }

  private writeContacts(childId: number, family: string, lookedAfter: boolean, out: BatchRows): void {
    const rng = this.rng;
    const count = lookedAfter ? 1 : rng.chance(0.65) ? 2 : 1;
    let primaryRelationship: string;
    if (lookedAfter) primaryRelationship = 'carer';
    else {
      const r = rng.next();
      primaryRelationship = r < 0.84 ? 'mother' : r < 0.93 ? 'father' : r < 0.97 ? 'guardian' : 'carer';
    }
    for (let i = 0; i < count; i++) {
      const relationship =
        i === 0
          ? primaryRelationship
          : primaryRelationship === 'mother'
            ? rng.chance(0.85)
              ? 'father'
              : 'other'
            : rng.chance(0.7)
              ? 'mother'
              : 'other';
      const female = relationship === 'mother' || (relationship !== 'father' && rng.chance(0.6));
      const given = rng.pick(female ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES);
      const surname = relationship === 'carer' || rng.chance(0.15) ? rng.pick(FAMILY_NAMES) : family;
      // Ofcom's drama range: numbers that are never connected.
      const phone = rng.chance(0.93) ? `07700 900${String(rng.int(0, 999)).padStart(3, '0')}` : null;
      const email = rng.chance(0.7) ? `${emailLocalPart(given, surname)}${rng.int(1, 999)}@example.com` : null;
      let method: string = rng.weighted(CONTACT_METHODS, CONTACT_METHOD_CUMULATIVE);
      // The table's rules: email needs an address, sms and phone need a number.
      if (method === 'email' && email === null) method = phone !== null ? 'sms' : 'letter';
      if ((method === 'sms' || method === 'phone') && phone === null) method = email !== null ? 'email' : 'letter';
      out.contacts.push(
        `${childId}\t${relationship}\t${given} ${surname}\t${phone ?? '\\N'}\t${email ?? '\\N'}\t${method}\t${i === 0 ? 't' : 'f'}\n`,
      );
    }
  }

  private writeImmunisations(childId: number, birthDay: number, sex: string, practice: string, out: BatchRows): void {
    const rng = this.rng;
    const { referenceDay, dates } = this.ctx;
    const compliance = rng.weighted(COMPLIANCE, COMPLIANCE_CUMULATIVE);
    if (compliance.infant === 0 && compliance.school === 0) return;
    const birthIndex = birthDay - this.oldestBirthDay;
    this.lastGivenBySeries.fill(-Infinity);
    this.dosesOfProduct.fill(0);
    let birth: CivilDate | null = null;
    for (let d = 0; d < PLANNED_DOSES.length; d++) {
      const planned = PLANNED_DOSES[d];
      const rule = planned.rule;
      if (birthDay < planned.bornFrom || birthDay > planned.bornTo) continue;
      if (rule.sex && !rule.sex.includes(sex as never)) continue;
      const previous = this.lastGivenBySeries[planned.seriesIndex];
      // A course with an upper age limit (rotavirus) is not started late: no later dose without the first.
      if (rule.requiresPrevious && previous === -Infinity) continue;
      let due: number;
      const dueDays = this.dueDays[d];
      if (dueDays !== null) due = dueDays[birthIndex];
      else {
        if (previous === -Infinity) continue; // due after a dose that was not given
        due = addInterval(civil(previous), planned.afterPrevious!);
      }
      if (due < planned.offeredFrom) due = planned.offeredFrom;
      if (due > referenceDay || due > planned.offeredTo) continue;
      const school = planned.schoolYear !== null || rule.series === 'hpv';
      const uptake = planned.selective ? 0.3 : school ? compliance.school : compliance.infant;
      if (!rng.chance(uptake)) continue;
      // School-age doses are given through the school year; infant doses a little after they are due.
      const delay = school
        ? rng.int(0, 300)
        : Math.min(730, Math.floor(-Math.log(1 - rng.next()) * compliance.meanDelayDays));
      const given = Math.max(due + delay, previous + MIN_DOSE_GAP_DAYS);
      if (given > referenceDay || given > planned.offeredTo) continue; // not given yet: due or overdue now
      const limits = this.limitDays[d];
      if (limits !== null && given >= limits[birthIndex]) continue; // too late to offer
      if (rule.minAge && (birth ??= civil(birthDay)) && given < addInterval(birth, toInterval(rule.minAge))) continue;
      this.lastGivenBySeries[planned.seriesIndex] = given;
      const dose = ++this.dosesOfProduct[planned.productIndex];
      const givenBy = school ? SCHOOL_IMMUNISATION_SERVICE : practice;
      out.immunisation_events.push(
        `${childId}\t${rule.vaccine}\t${dose}\t${dates.iso(given)}\t${givenBy}\t${IMMUNISATION_SOURCE}\n`,
      );
    }
  }

  /** Newborn screening for babies under one year: most have every result, a few are missing (follow-up work). */
  private writeScreening(childId: number, birthDay: number, out: BatchRows): void {
    const rng = this.rng;
    const { referenceDay, dates } = this.ctx;
    const add = (programme: string, outcome: string, day: number, detail: string) => {
      if (day <= referenceDay)
        out.screening_results.push(`${childId}\t${programme}\t${outcome}\t${dates.iso(day)}\t${detail}\n`);
    };
    if (rng.chance(0.985)) {
      add(
        'nipe',
        rng.chance(0.97) ? 'no_abnormality_detected' : 'referred',
        birthDay + rng.int(0, 3),
        '{"examination": "newborn"}',
      );
    }
    if (rng.chance(0.97)) {
      const r = rng.next();
      const outcome =
        r < 0.985 ? 'no_suspected_condition' : r < 0.995 ? 'repeat_required' : 'suspected_condition_referred';
      const day = birthDay + (rng.chance(0.95) ? rng.int(8, 17) : rng.int(18, 35));
      add('blood_spot', outcome, day, '{"sampled_on_day": 5}');
    }
    if (rng.chance(0.97)) {
      const r = rng.next();
      const outcome = r < 0.97 ? 'clear_response' : r < 0.99 ? 'referred_to_audiology' : 'declined';
      const hospital = rng.chance(0.8);
      add(
        'hearing',
        outcome,
        birthDay + rng.int(1, hospital ? 28 : 35),
        hospital ? '{"programme": "hospital"}' : '{"programme": "community"}',
      );
    }
    if (rng.chance(0.93)) {
      add(
        'nipe',
        rng.chance(0.98) ? 'no_abnormality_detected' : 'referred',
        birthDay + rng.int(42, 56),
        '{"examination": "6-8 week"}',
      );
    }
  }
}

/** Every name list entry must be safe in COPY text. */
for (const list of [
  FAMILY_NAMES,
  FEMALE_GIVEN_NAMES,
  MALE_GIVEN_NAMES,
  STREET_NAMES,
  STREET_TYPES,
  CONCERN_SUMMARIES,
]) {
  for (const entry of list)
    if (/[\t\n\r\\]/.test(entry)) throw new Error(`seed list entry not COPY-safe: ${JSON.stringify(entry)}`);
}
