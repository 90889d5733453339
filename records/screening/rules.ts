/**
 * Newborn screening rules: how long each screen can still be offered, and which recorded
 * outcomes do not count as a result (a repeat is needed). Pure, so the rules are testable
 * without a database.
 */
export const PROGRAMMES = ['blood_spot', 'hearing', 'nipe'] as const;
export type Programme = (typeof PROGRAMMES)[number];

/**
 * Age limit for offering each screen (domain notes): blood spot to the first birthday (cystic
 * fibrosis only to 8 weeks), hearing to 3 months; the newborn physical examination is due within
 * 72 hours and, when missed, is done at the 6–8 week examination, so it stays open to 8 weeks.
 */
export const OFFER_LIMIT: Readonly<Record<Programme, { months?: number; days?: number }>> = {
  blood_spot: { months: 12 },
  hearing: { months: 3 },
  nipe: { days: 56 },
};

/** Outcomes that are not a conclusive result: the screen is still outstanding. */
const NOT_CONCLUSIVE = new Set([
  'inconclusive',
  'not_conclusive',
  'repeat',
  'repeat_required',
  'avoidable_repeat',
  'insufficient_sample',
  'sample_rejected',
  'incomplete',
  'pending',
  'not_screened',
]);

export function isConclusive(outcome: string): boolean {
  return !NOT_CONCLUSIVE.has(
    outcome
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Adds whole months (clamped to the month's last day, as ISO 8601 / FEEL do) and days to a date. */
export function addToDate(isoDate: string, add: { months?: number; days?: number }): string {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new Error(`"${isoDate}" is not a YYYY-MM-DD date`);
  const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const targetMonth = month + (add.months ?? 0);
  const lastDay = new Date(Date.UTC(year, targetMonth + 1, 0)).getUTCDate();
  const base = Date.UTC(year, targetMonth, Math.min(day, lastDay));
  return new Date(base + (add.days ?? 0) * 86_400_000).toISOString().slice(0, 10);
}

export function offerUntil(programme: Programme, dateOfBirth: string): string {
  return addToDate(dateOfBirth, OFFER_LIMIT[programme]);
}

export interface ScreeningResultRow {
  programme: Programme;
  outcome: string;
  recordedOn: string;
}

export interface ScreeningStatus {
  outstanding: Array<{ programme: Programme; offerUntil: string }>;
  missed: Array<{ programme: Programme; offerUntil: string }>;
  recorded: Array<{ programme: Programme; outcome: string; recordedOn: string }>;
}

/**
 * Sorts each programme into recorded (its latest conclusive result), outstanding (no conclusive
 * result and still within its age limit on `asOf`) or missed (past the limit).
 * `results` must be ordered newest first.
 */
export function screeningStatus(
  dateOfBirth: string,
  asOf: string,
  programmes: readonly Programme[],
  results: readonly ScreeningResultRow[],
): ScreeningStatus {
  const status: ScreeningStatus = { outstanding: [], missed: [], recorded: [] };
  for (const programme of programmes) {
    const result = results.find((r) => r.programme === programme && isConclusive(r.outcome));
    if (result) {
      status.recorded.push({ programme, outcome: result.outcome, recordedOn: result.recordedOn });
      continue;
    }
    const until = offerUntil(programme, dateOfBirth);
    (asOf <= until ? status.outstanding : status.missed).push({ programme, offerUntil: until });
  }
  return status;
}
