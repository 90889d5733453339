/**
 * The one evaluator of the schedule: given a child's date of birth (and sex), the
 * immunisations on record and a date, which doses the child should have, which are given,
 * due, overdue or no longer offered. Pure: the overdue sweep, the arrival gap check, the
 * follow-up process and the record's views all call this with facts read from the database.
 *
 * The sweep evaluates every child of the region, so the rule set is compiled once (day
 * numbers, sets) and dates are integers inside; ISO strings only come in and go out.
 */
import { UK_ROUTINE } from './current';
import { addSpan, civilFromDay, dayFromCivil, dayOf, isoOf, spanOf, type AgeSpan } from './days';
import type { DoseRule, RuleSet, Sex } from './rules';

export interface Immunisation {
  /** Product code (schedule/products.ts). */
  readonly product: string;
  readonly givenOn: string;
  /** The record's own id for it, passed through. */
  readonly ref?: string;
}

export interface ChildFacts {
  readonly dateOfBirth: string;
  readonly sex?: Sex;
}

export interface EvaluateOptions {
  /** The day the answer is for (England's date). */
  readonly asOf: string;
  /** Days after the end of a dose's due window before it counts as overdue (the locality's setting). */
  readonly graceDays: number;
  readonly ruleSet?: RuleSet;
}

export type DoseStatus = 'given' | 'overdue' | 'due' | 'upcoming' | 'not_offered';
export type NotOfferedReason = 'upper_age_limit' | 'programme_ended' | 'course_not_started';

export interface ScheduledDose {
  readonly ruleId: string;
  readonly code: string;
  readonly series: string;
  readonly dose: number;
  readonly label: string;
  readonly vaccine: string;
  readonly followUp: boolean;
  readonly status: DoseStatus;
  readonly dueOn: string;
  readonly overdueOn: string;
  /** The last day it may be given (upper age limit, end of a campaign); null: no limit. */
  readonly offerUntil: string | null;
  /** For a dose not given and still offered: the earliest day it may be given from `asOf` on. */
  readonly earliestOn: string | null;
  readonly given: { readonly on: string; readonly product: string; readonly ref?: string } | null;
  readonly notOfferedReason: NotOfferedReason | null;
}

export interface ChildSchedule {
  readonly asOf: string;
  readonly rules: { readonly name: string; readonly version: number };
  /** In due order. */
  readonly doses: readonly ScheduledDose[];
  /** Immunisations that filled no dose (extra or invalid doses, selective and seasonal products). */
  readonly unmatched: readonly Immunisation[];
  readonly immunisationsOnRecord: number;
  /**
   * No immunisation on record although doses were due: no reliable history, so the child is
   * treated as unimmunised (every due dose is a gap; the schedule is resumed, not restarted).
   */
  readonly treatedAsUnimmunised: boolean;
  /** Timing switches decided for this child (id → side). */
  readonly timings: Readonly<Record<string, 'before' | 'after'>>;
  /**
   * The next day on which the answer can change without a new immunisation: a followed-up
   * dose becoming overdue, or a timing switch still to be decided. Null: nothing pending.
   */
  readonly nextReviewOn: string | null;
}

// ------------------------------------------------------------------------- compiled rules

type CompiledDue =
  | { kind: 'age'; span: AgeSpan }
  | { kind: 'school'; year: number }
  | { kind: 'afterPrevious'; span: AgeSpan }
  | { kind: 'switch'; id: string; before: AgeSpan; after: AgeSpan };

interface CompiledRule {
  readonly rule: DoseRule;
  readonly accepts: ReadonlySet<string>;
  readonly bornFrom: number;
  readonly bornTo: number;
  readonly offeredFrom: number | null;
  readonly offeredTo: number | null;
  readonly minAge: AgeSpan | null;
  readonly maxAge: AgeSpan | null;
  readonly minInterval: AgeSpan | null;
  readonly after: { readonly series: string; readonly interval: AgeSpan } | null;
  readonly due: CompiledDue;
  readonly dueByYearEnd: number | null;
  /** The rule of dose − 1 in the same series, in the same cohort (set per child). */
  index: number;
}

interface CompiledSwitch {
  readonly id: string;
  readonly from: number;
  readonly visit: AgeSpan;
  readonly evidenceSeries: string;
}

interface CompiledSet {
  readonly ruleSet: RuleSet;
  readonly rules: readonly CompiledRule[];
  /** Series referred to by `after` first, so their doses are known when the others are filled. */
  readonly seriesOrder: readonly string[];
  readonly switches: readonly CompiledSwitch[];
}

const COMPILED = new WeakMap<RuleSet, CompiledSet>();

function compile(ruleSet: RuleSet): CompiledSet {
  const cached = COMPILED.get(ruleSet);
  if (cached) return cached;
  const rules = ruleSet.rules.map((r, index): CompiledRule => {
    const d = r.due;
    const due: CompiledDue =
      'age' in d
        ? { kind: 'age', span: spanOf(d.age) }
        : 'schoolYear' in d
          ? { kind: 'school', year: d.schoolYear }
          : 'afterPrevious' in d
            ? { kind: 'afterPrevious', span: spanOf(d.afterPrevious) }
            : { kind: 'switch', id: d.switch, before: spanOf(d.before), after: spanOf(d.after) };
    return {
      rule: r,
      accepts: new Set(r.accepts),
      bornFrom: r.born?.from ? dayOf(r.born.from) : -Infinity,
      bornTo: r.born?.to ? dayOf(r.born.to) : Infinity,
      offeredFrom: r.offered?.from ? dayOf(r.offered.from) : null,
      offeredTo: r.offered?.to ? dayOf(r.offered.to) : null,
      minAge: r.minAge ? spanOf(r.minAge) : null,
      maxAge: r.maxAge ? spanOf(r.maxAge) : null,
      minInterval: r.minInterval ? spanOf(r.minInterval) : null,
      after: r.after ? { series: r.after.series, interval: spanOf(r.after.interval) } : null,
      due,
      dueByYearEnd: r.dueBy ? r.dueBy.schoolYearEnd : null,
      index,
    };
  });
  const all = [...new Set(ruleSet.rules.map((r) => r.series))];
  const referenced = new Set(ruleSet.rules.flatMap((r) => (r.after ? [r.after.series] : [])));
  const compiled: CompiledSet = {
    ruleSet,
    rules,
    seriesOrder: [...all.filter((s) => referenced.has(s)), ...all.filter((s) => !referenced.has(s))],
    switches: ruleSet.switches.map((s) => ({
      id: s.id,
      from: dayOf(s.from),
      visit: spanOf(s.visitAge),
      evidenceSeries: s.evidenceSeries,
    })),
  };
  COMPILED.set(ruleSet, compiled);
  return compiled;
}

// ------------------------------------------------------------------------- evaluation

interface Event {
  readonly source: Immunisation;
  readonly day: number;
}

/** Per child and rule: the dates that depend only on the date of birth, and the dose filling it. */
interface Slot {
  readonly c: CompiledRule;
  readonly minAgeDay: number;
  /** First day the upper age limit excludes (Infinity: none). */
  readonly limitDay: number;
  previous: Slot | null;
  given: Event | null;
  dueDay: number;
}

function schoolYearStartDay(dobCivil: [number, number, number], year: number): number {
  const cohort = dobCivil[1] >= 9 ? dobCivil[0] : dobCivil[0] - 1;
  return dayFromCivil(cohort + 5 + year, 9, 1);
}

const byDay = (a: Event, b: Event) =>
  a.day - b.day ||
  (a.source.product < b.source.product ? -1 : a.source.product > b.source.product ? 1 : 0) ||
  ((a.source.ref ?? '') < (b.source.ref ?? '') ? -1 : (a.source.ref ?? '') > (b.source.ref ?? '') ? 1 : 0);

/** One answer row, built whole so every row has the same shape (the sweep makes millions). */
function dose(
  r: DoseRule,
  status: DoseStatus,
  due: number,
  overdue: number,
  offerUntil: string | null,
  earliestOn: string | null,
  given: { on: string; product: string; ref?: string } | null,
  notOfferedReason: NotOfferedReason | null,
): ScheduledDose {
  return {
    ruleId: r.id,
    code: r.code,
    series: r.series,
    dose: r.dose,
    label: r.label,
    vaccine: r.vaccine,
    followUp: r.followUp,
    status,
    dueOn: isoOf(due),
    overdueOn: isoOf(overdue),
    offerUntil,
    earliestOn,
    given,
    notOfferedReason,
  };
}

export function evaluateSchedule(
  child: ChildFacts,
  immunisations: readonly Immunisation[],
  options: EvaluateOptions,
): ChildSchedule {
  const set = compile(options.ruleSet ?? UK_ROUTINE);
  const dob = dayOf(child.dateOfBirth);
  const dobCivil = civilFromDay(dob);
  const asOf = dayOf(options.asOf);
  const sex = child.sex ?? 'unknown';

  const slots: Slot[] = [];
  const bySeries = new Map<string, Slot[]>();
  for (const c of set.rules) {
    if (dob < c.bornFrom || dob > c.bornTo) continue;
    if (c.rule.sex && !c.rule.sex.includes(sex)) continue;
    const slot: Slot = {
      c,
      minAgeDay: c.minAge ? addSpan(dob, c.minAge) : -Infinity,
      limitDay: c.maxAge ? addSpan(dob, c.maxAge) : Infinity,
      previous: null,
      given: null,
      dueDay: 0,
    };
    slots.push(slot);
    const list = bySeries.get(c.rule.series);
    if (list) list.push(slot);
    else bySeries.set(c.rule.series, [slot]);
  }
  for (const list of bySeries.values()) {
    list.sort((a, b) => a.c.rule.dose - b.c.rule.dose);
    for (const s of list) s.previous = list.find((p) => p.c.rule.dose === s.c.rule.dose - 1) ?? null;
  }

  const events: Event[] = [];
  for (const source of immunisations) {
    const day = dayOf(source.givenOn);
    if (day >= dob) events.push({ source, day });
  }
  events.sort(byDay);

  // Timing switches (by appointment date).
  const timings: Record<string, 'before' | 'after'> = {};
  let pendingSwitch = Infinity;
  for (const sw of set.switches) {
    if (!slots.some((s) => s.c.due.kind === 'switch' && s.c.due.id === sw.id)) continue;
    const evidence = bySeries.get(sw.evidenceSeries) ?? [];
    const firstBirthday = addSpan(dob, { months: 12, days: 0 });
    const visitedBefore = events.some(
      (e) => e.day < sw.from && e.day < firstBirthday && evidence.some((s) => s.c.accepts.has(e.source.product)),
    );
    if (visitedBefore) timings[sw.id] = 'before';
    else if (Math.max(addSpan(dob, sw.visit), asOf) < sw.from) {
      timings[sw.id] = 'before';
      if (sw.from < pendingSwitch) pendingSwitch = sw.from;
    } else timings[sw.id] = 'after';
  }

  // Fill each series' doses in order with the earliest immunisations that fit.
  const used = new Set<Event>();
  const lastBefore = (series: string, before: number): number => {
    let last = -Infinity;
    for (const s of bySeries.get(series) ?? [])
      if (s.given && s.given.day < before && s.given.day > last) last = s.given.day;
    return last;
  };
  for (const series of set.seriesOrder) {
    const list = bySeries.get(series);
    if (!list) continue;
    let lastFilled = -Infinity;
    for (const e of events) {
      for (const s of list) {
        if (s.given !== null) continue;
        const c = s.c;
        if (!c.accepts.has(e.source.product)) continue;
        if (e.day < s.minAgeDay || e.day >= s.limitDay) continue;
        if (c.minInterval && lastFilled !== -Infinity && e.day < addSpan(lastFilled, c.minInterval)) continue;
        if (c.rule.requiresPrevious && (s.previous === null || s.previous.given === null)) continue;
        if (c.after) {
          const last = lastBefore(c.after.series, e.day);
          if (last !== -Infinity && e.day < addSpan(last, c.after.interval)) continue;
        }
        s.given = e;
        lastFilled = e.day;
        used.add(e);
        break;
      }
    }
  }

  // Due dates (after filling: a dose due "after the previous one" counts from when that was given).
  const dueOf = (s: Slot): number => {
    if (s.dueDay !== 0) return s.dueDay;
    const d = s.c.due;
    let due: number;
    if (d.kind === 'age') due = addSpan(dob, d.span);
    else if (d.kind === 'school') due = schoolYearStartDay(dobCivil, d.year);
    else if (d.kind === 'switch') due = addSpan(dob, timings[d.id] === 'after' ? d.after : d.before);
    else due = addSpan(s.previous ? (s.previous.given?.day ?? dueOf(s.previous)) : dob, d.span);
    if (s.c.offeredFrom !== null && due < s.c.offeredFrom) due = s.c.offeredFrom;
    s.dueDay = due;
    return due;
  };

  // Not this child's dose at all when the programme's window misses the child's eligible ages
  // (nor the rest of a course that cannot be started then).
  const excluded = new Set<Slot>();
  for (const list of bySeries.values()) {
    for (const s of list) {
      if (s.given !== null) continue;
      const c = s.c;
      if (
        (c.offeredTo !== null && dueOf(s) > c.offeredTo) ||
        (c.offeredFrom !== null && c.offeredFrom >= s.limitDay) ||
        (c.rule.requiresPrevious && s.previous !== null && excluded.has(s.previous))
      )
        excluded.add(s);
    }
  }

  const doses: ScheduledDose[] = [];
  const graceDays = options.graceDays;
  let nextReview = pendingSwitch > asOf ? pendingSwitch : Infinity;
  let anyDue = false;
  for (const s of slots) {
    if (excluded.has(s)) continue;
    const c = s.c;
    const r = c.rule;
    const due = dueOf(s);
    const windowEnd =
      c.dueByYearEnd !== null ? Math.max(schoolYearStartDay(dobCivil, c.dueByYearEnd + 1) - 1, due) : due;
    const overdue = windowEnd + graceDays;
    const ageLast = s.limitDay === Infinity ? Infinity : s.limitDay - 1;
    const offerUntil = c.offeredTo !== null ? Math.min(ageLast, c.offeredTo) : ageLast;
    const offerUntilIso = offerUntil === Infinity ? null : isoOf(offerUntil);
    if (s.given !== null) {
      const g = s.given.source;
      doses.push(
        dose(r, 'given', due, overdue, offerUntilIso, null, { on: g.givenOn, product: g.product, ref: g.ref }, null),
      );
      continue;
    }
    let earliest = Math.max(asOf, s.minAgeDay);
    const list = bySeries.get(r.series)!;
    let lastInSeries = -Infinity;
    for (const o of list) if (o.given && o.given.day > lastInSeries) lastInSeries = o.given.day;
    if (c.minInterval && lastInSeries !== -Infinity)
      earliest = Math.max(earliest, addSpan(lastInSeries, c.minInterval));
    if (c.after) {
      const last = lastBefore(c.after.series, Infinity);
      if (last !== -Infinity) earliest = Math.max(earliest, addSpan(last, c.after.interval));
    }
    if (c.offeredFrom !== null) earliest = Math.max(earliest, c.offeredFrom);

    let notOfferedReason: NotOfferedReason | null = null;
    if (r.requiresPrevious && s.previous !== null && s.previous.given === null && s.previous.limitDay <= asOf)
      notOfferedReason = 'course_not_started';
    else if (offerUntil !== Infinity && (offerUntil < asOf || earliest > offerUntil))
      notOfferedReason = c.offeredTo !== null && c.offeredTo === offerUntil ? 'programme_ended' : 'upper_age_limit';
    const status: DoseStatus =
      notOfferedReason !== null ? 'not_offered' : overdue <= asOf ? 'overdue' : due <= asOf ? 'due' : 'upcoming';
    if (status === 'due' || status === 'overdue') anyDue = true;
    if (r.followUp && status !== 'not_offered' && overdue > asOf && overdue < nextReview) nextReview = overdue;
    doses.push(
      dose(
        r,
        status,
        due,
        overdue,
        offerUntilIso,
        status === 'not_offered' ? null : isoOf(earliest),
        null,
        notOfferedReason,
      ),
    );
  }

  doses.sort((a, b) =>
    a.dueOn !== b.dueOn ? (a.dueOn < b.dueOn ? -1 : 1) : a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
  );
  const routine = events.some((e) => slots.some((s) => s.c.accepts.has(e.source.product)));
  return {
    asOf: options.asOf,
    rules: { name: set.ruleSet.name, version: set.ruleSet.version },
    doses,
    unmatched: events.filter((e) => !used.has(e)).map((e) => e.source),
    immunisationsOnRecord: events.length,
    treatedAsUnimmunised: !routine && anyDue,
    timings,
    nextReviewOn: nextReview === Infinity ? null : isoOf(nextReview),
  };
}
