/**
 * S17 Coverage: immunisation coverage in the COVER style. For the children whose first, second
 * or fifth birthday fell in a quarter, the share who had the doses their schedule asked for by
 * then, per vaccine series and locality: a chart and the same figures in a table beside it.
 * Filters live in the address so a view can be shared; the whole report downloads as CSV.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Locality } from '../../api/types';
import { Loading, usePageTitle } from '../../app/App';
import { useUser } from '../../app/auth';
import { navigate, useLocation } from '../../app/router';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { Select } from '../../components/Fields';
import { problemErrors } from '../../components/Problem';
import { formatDate } from '../../format/dates';
import { CoverageChart } from '../../reports/CoverageChart';
import {
  birthdayOf,
  coverageCsv,
  percentText,
  recentQuarters,
  type CoverageMeasure,
  type CoverageReport,
} from '../../reports/coverage';
import '../../reports/reports.css';
import { TableHead } from '../../components/TableHead';

const COHORTS = [
  { value: '12m', label: '12 months (first birthday)' },
  { value: '24m', label: '24 months (second birthday)' },
  { value: '5y', label: '5 years (fifth birthday)' },
];

const FIELD_IDS: Record<string, string> = {
  'query.quarter': 'quarter',
  'query.cohort': 'cohort',
  'query.locality': 'locality',
};

/** A dash where there is no figure, read out as "no children". */
function Percent({ value }: { value: number | null }) {
  if (value !== null) return <>{percentText(value)}</>;
  return (
    <>
      <span aria-hidden="true">–</span>
      <span className="nhsuk-u-visually-hidden">no children</span>
    </>
  );
}

function MeasureSection({ report, measure, id }: { report: CoverageReport; measure: CoverageMeasure; id: string }) {
  const names = new Map(report.localities.map((l) => [l.code, l.name]));
  const many = measure.localities.length > 1;
  const bars = [
    ...measure.localities.map((l) => ({ label: names.get(l.code) ?? l.code, percent: l.percent })),
    ...(many ? [{ label: 'All shown', percent: measure.total.percent, total: true }] : []),
  ];
  return (
    <section className="chis-coverage" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{measure.label}</h3>
      <div className="chis-coverage__grid">
        <CoverageChart id={id} title={measure.label} bars={bars} />
        <table className="nhsuk-table chis-coverage__table" data-testid="coverage-table">
          <TableHead
            caption={`${measure.label}, by locality`}
            columns={[
              'Locality',
              { label: 'Children', numeric: true },
              { label: 'Immunised', numeric: true },
              { label: 'Coverage', numeric: true },
            ]}
          />
          <tbody className="nhsuk-table__body">
            {measure.localities.map((l) => (
              <tr key={l.code} className="nhsuk-table__row">
                <th scope="row" className="nhsuk-table__header chis-coverage__row-header">
                  {names.get(l.code) ?? l.code}
                </th>
                <td className="nhsuk-table__cell nhsuk-table__cell--numeric">{l.eligible.toLocaleString('en-GB')}</td>
                <td className="nhsuk-table__cell nhsuk-table__cell--numeric">{l.immunised.toLocaleString('en-GB')}</td>
                <td className="nhsuk-table__cell nhsuk-table__cell--numeric">
                  <Percent value={l.percent} />
                </td>
              </tr>
            ))}
            {many && (
              <tr className="nhsuk-table__row chis-coverage__total">
                <th scope="row" className="nhsuk-table__header chis-coverage__row-header">
                  All shown
                </th>
                <td className="nhsuk-table__cell nhsuk-table__cell--numeric">
                  {measure.total.eligible.toLocaleString('en-GB')}
                </td>
                <td className="nhsuk-table__cell nhsuk-table__cell--numeric">
                  {measure.total.immunised.toLocaleString('en-GB')}
                </td>
                <td className="nhsuk-table__cell nhsuk-table__cell--numeric">
                  <Percent value={measure.total.percent} />
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export default function CoveragePage() {
  usePageTitle('Immunisation coverage');
  const user = useUser();
  const { search } = useLocation();
  const quarters = recentQuarters();
  const applied = {
    quarter: search.get('quarter') ?? quarters[1]!.value,
    cohort: search.get('cohort') ?? '',
    locality: search.get('locality') ?? '',
  };
  const [form, setForm] = useState(applied);
  const [localities, setLocalities] = useState<Locality[]>(user.role === 'safeguarding_lead' ? user.localities : []);
  const [report, setReport] = useState<CoverageReport | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const queryKey = search.toString();

  useEffect(() => {
    if (user.role === 'safeguarding_lead') return;
    api<{ localities: Locality[] }>('/localities')
      .then((r) => setLocalities(r.localities))
      .catch(() => setLocalities([]));
  }, [user.role]);

  useEffect(() => {
    setForm(applied);
    setReport(null);
    setErrors([]);
    const params = new URLSearchParams({ quarter: applied.quarter });
    if (applied.cohort) params.set('cohort', applied.cohort);
    if (applied.locality) params.set('locality', applied.locality);
    api<CoverageReport>(`/reports/coverage?${params}`)
      .then(setReport)
      .catch((e: unknown) => setErrors(problemErrors(e, (f) => FIELD_IDS[f] ?? null)));
  }, [queryKey]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams({ quarter: form.quarter });
    if (form.cohort) params.set('cohort', form.cohort);
    if (form.locality) params.set('locality', form.locality);
    navigate(`/coverage?${params}`);
  };

  const download = () => {
    if (!report) return;
    const url = URL.createObjectURL(new Blob([coverageCsv(report)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `coverage-${report.quarter.id}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>Immunisation coverage</h1>
      <p>
        Children who reached their first, second or fifth birthday in the quarter, and how many of them had by that
        birthday the doses their schedule asked for (COVER style). Each cohort is measured against the schedule for its
        dates of birth.
      </p>
      <form onSubmit={submit} noValidate aria-label="Choose the coverage to show">
        <div className="chis-filters">
          <Select
            id="quarter"
            label="Birthdays in"
            value={form.quarter}
            choices={quarters}
            onChange={(v) => setForm((f) => ({ ...f, quarter: v }))}
          />
          <Select
            id="cohort"
            label="Cohort"
            value={form.cohort}
            placeholder="All three birthdays"
            choices={COHORTS}
            onChange={(v) => setForm((f) => ({ ...f, cohort: v }))}
          />
          <Select
            id="locality"
            label="Locality"
            value={form.locality}
            placeholder={user.role === 'safeguarding_lead' ? 'All my localities' : 'All localities'}
            choices={localities.map((l) => ({ value: l.code, label: l.name }))}
            onChange={(v) => setForm((f) => ({ ...f, locality: v }))}
          />
        </div>
        <div className="nhsuk-button-group">
          <button type="submit" className="nhsuk-button">
            Show coverage
          </button>
          {report && (
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={download}>
              Download as CSV
            </button>
          )}
        </div>
      </form>
      {!report && errors.length === 0 && <Loading />}
      {report && (
        <>
          <p className="nhsuk-body" role="status" data-testid="coverage-period">
            {report.quarter.complete
              ? `Birthdays from ${formatDate(report.quarter.from)} to ${formatDate(report.quarter.to)}.`
              : `Quarter under way: birthdays from ${formatDate(report.quarter.from)} to ${formatDate(report.asOf)} so far.`}
          </p>
          {report.cohorts.length > 1 && (
            <nav className="nhsuk-contents-list" aria-label="Cohorts on this page">
              <ol className="nhsuk-contents-list__list">
                {report.cohorts.map((c) => (
                  <li key={c.milestone} className="nhsuk-contents-list__item">
                    <a className="nhsuk-contents-list__link" href={`#cohort-${c.milestone}`}>
                      {`By ${c.label}`}
                    </a>
                  </li>
                ))}
              </ol>
            </nav>
          )}
          {report.cohorts.map((c) => (
            <section key={c.milestone} aria-labelledby={`cohort-${c.milestone}`}>
              <h2 id={`cohort-${c.milestone}`}>{`By ${c.label} (${birthdayOf(c.milestone)} birthday)`}</h2>
              <p className="nhsuk-body-s">{`Born ${formatDate(c.bornFrom)} to ${formatDate(c.bornTo)}.`}</p>
              {c.measures.map((m) => (
                <MeasureSection
                  key={m.id}
                  report={report}
                  measure={m}
                  id={`m-${c.milestone}-${m.id.replace(/[^a-z0-9]/gi, '-')}`}
                />
              ))}
            </section>
          ))}
        </>
      )}
    </>
  );
}
