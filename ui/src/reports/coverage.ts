/**
 * The coverage report's shape (GET /api/reports/coverage), the quarters a person can pick and the
 * report as CSV for a spreadsheet.
 */
import { todayInUk } from '../format/dates';

export interface CoverageFigures {
  eligible: number;
  immunised: number;
  percent: number | null;
}

export interface CoverageMeasure {
  id: string;
  series: string;
  doses: number;
  label: string;
  total: CoverageFigures;
  localities: Array<CoverageFigures & { code: string }>;
}

export interface CoverageCohort {
  milestone: '12m' | '24m' | '5y';
  label: string;
  bornFrom: string;
  bornTo: string;
  measures: CoverageMeasure[];
}

export interface CoverageReport {
  quarter: { id: string; from: string; to: string; label: string; complete: boolean };
  asOf: string;
  localities: Array<{ code: string; name: string }>;
  cohorts: CoverageCohort[];
}

/** The World Health Organization's target for routine childhood vaccines, drawn on every chart. */
export const TARGET_PERCENT = 95;

const BIRTHDAYS: Record<CoverageCohort['milestone'], string> = {
  '12m': 'first',
  '24m': 'second',
  '5y': 'fifth',
};

export function birthdayOf(milestone: CoverageCohort['milestone']): string {
  return BIRTHDAYS[milestone];
}

const QUARTER_NAMES = ['January to March', 'April to June', 'July to September', 'October to December'];

/** The quarter under way and the seven before it, newest first. */
export function recentQuarters(today: string = todayInUk()): Array<{ value: string; label: string }> {
  let year = Number(today.slice(0, 4));
  let q = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  const out: Array<{ value: string; label: string }> = [];
  for (let i = 0; i < 8; i++) {
    out.push({ value: `${year}-Q${q + 1}`, label: `${QUARTER_NAMES[q]} ${year}${i === 0 ? ' (so far)' : ''}` });
    q -= 1;
    if (q < 0) {
      q = 3;
      year -= 1;
    }
  }
  return out;
}

/** A coverage figure as text; with no children in the group there is none ("no children"). */
export function percentText(p: number | null): string {
  return p === null ? 'no children' : `${p.toFixed(1)}%`;
}

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  // Quotes around every text cell; a leading = + - @ would be read as a formula by spreadsheets.
  return typeof v === 'number' ? s : `"${s.replace(/"/g, '""').replace(/^([=+\-@])/, "'$1")}"`;
};

/** One row per cohort × vaccine × locality (and the total), as UTF-8 CSV. */
export function coverageCsv(report: CoverageReport): string {
  const names = new Map(report.localities.map((l) => [l.code, l.name]));
  const rows: (string | number | null)[][] = [
    ['Quarter', 'Birthday', 'Born from', 'Born to', 'Vaccine', 'Locality', 'Children', 'Immunised', 'Coverage %'],
  ];
  for (const c of report.cohorts) {
    for (const m of c.measures) {
      for (const l of m.localities) {
        rows.push([
          report.quarter.id,
          c.label,
          c.bornFrom,
          c.bornTo,
          m.label,
          names.get(l.code) ?? l.code,
          l.eligible,
          l.immunised,
          l.percent,
        ]);
      }
      rows.push([
        report.quarter.id,
        c.label,
        c.bornFrom,
        c.bornTo,
        m.label,
        'All shown',
        m.total.eligible,
        m.total.immunised,
        m.total.percent,
      ]);
    }
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
