import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { ChildRecord, Schedule, ScreeningStatus } from '../../api/types';
import { Loading } from '../../app/App';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { problemErrors } from '../../components/Problem';
import { formatDate } from '../../format/dates';

/** One of the child's read-only views (`schedule`, `screening`), sent with the stated reason when there is one. */
function useChildView<T>(
  nhsNumber: string,
  view: string,
  reason: string | null,
): { data: T | null; errors: SummaryError[] } {
  const [data, setData] = useState<T | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  useEffect(() => {
    api<T>(`/children/${nhsNumber}/${view}`, { accessReason: reason })
      .then(setData)
      .catch((e: unknown) => setErrors(problemErrors(e)));
  }, [nhsNumber, view, reason]);
  return { data, errors };
}

const DOSE_TAG: Record<Schedule['doses'][number]['status'], { text: string; colour: string }> = {
  given: { text: 'Given', colour: 'nhsuk-tag--green' },
  overdue: { text: 'Overdue', colour: 'nhsuk-tag--red' },
  due: { text: 'Due', colour: 'nhsuk-tag--yellow' },
  upcoming: { text: 'Not due yet', colour: 'nhsuk-tag--grey' },
  not_offered: { text: 'No longer offered', colour: 'nhsuk-tag--white' },
};

export function ImmunisationsTab({ record, reason }: { record: ChildRecord; reason: string | null }) {
  const { data: schedule, errors } = useChildView<Schedule>(record.nhsNumber, 'schedule', reason);
  return (
    <>
      <ErrorSummary errors={errors} />
      <h2 className="nhsuk-heading-m">Immunisations</h2>
      {!schedule ? (
        errors.length === 0 && <Loading />
      ) : (
        <>
          <table className="nhsuk-table">
            <caption className="nhsuk-table__caption nhsuk-table__caption--s">
              Against the schedule for this child&apos;s date of birth, as of {formatDate(schedule.asOf)}
            </caption>
            <thead className="nhsuk-table__head">
              <tr>
                <th scope="col">Vaccine</th>
                <th scope="col">Dose</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">Given</th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {schedule.doses.map((d) => (
                <tr key={d.ruleId}>
                  <td className="nhsuk-table__cell">{d.label}</td>
                  <td className="nhsuk-table__cell">{d.dose}</td>
                  <td className="nhsuk-table__cell app-nowrap">{formatDate(d.dueOn)}</td>
                  <td className="nhsuk-table__cell">
                    <strong className={`nhsuk-tag ${DOSE_TAG[d.status].colour}`}>{DOSE_TAG[d.status].text}</strong>
                    {d.status === 'overdue' && <span className="nhsuk-body-s"> since {formatDate(d.overdueOn)}</span>}
                  </td>
                  <td className="nhsuk-table__cell">
                    {d.given ? `${formatDate(d.given.on)} (${d.given.product})` : 'Not given'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {schedule.unmatched.length > 0 && (
            <>
              <h3 className="nhsuk-heading-s">Other immunisations on record</h3>
              <ul className="nhsuk-list nhsuk-list--bullet">
                {schedule.unmatched.map((i) => (
                  <li key={`${i.product}/${i.givenOn}`}>
                    {i.product}, {formatDate(i.givenOn)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </>
  );
}

const SCREEN_TAG: Record<ScreeningStatus['screening'][number]['status'], { text: string; colour: string }> = {
  recorded: { text: 'Result on record', colour: 'nhsuk-tag--green' },
  due: { text: 'Due', colour: 'nhsuk-tag--yellow' },
  overdue: { text: 'Overdue', colour: 'nhsuk-tag--red' },
  not_recorded: { text: 'No result on record', colour: 'nhsuk-tag--grey' },
};

export function ScreeningTab({ record, reason }: { record: ChildRecord; reason: string | null }) {
  const { data: schedule, errors } = useChildView<ScreeningStatus>(record.nhsNumber, 'screening', reason);
  return (
    <>
      <ErrorSummary errors={errors} />
      <h2 className="nhsuk-heading-m">Newborn screening</h2>
      {!schedule ? (
        errors.length === 0 && <Loading />
      ) : (
        <table className="nhsuk-table">
          <caption className="nhsuk-u-visually-hidden">Newborn screening programmes</caption>
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col">Programme</th>
              <th scope="col">Result due by</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {schedule.screening.map((s) => (
              <tr key={s.programme}>
                <td className="nhsuk-table__cell">{s.name}</td>
                <td className="nhsuk-table__cell app-nowrap">{formatDate(s.deadline)}</td>
                <td className="nhsuk-table__cell">
                  <strong className={`nhsuk-tag ${SCREEN_TAG[s.status].colour}`}>{SCREEN_TAG[s.status].text}</strong>
                </td>
                <td className="nhsuk-table__cell">
                  {s.outcome
                    ? `${s.outcome.replace(/_/g, ' ')}, ${formatDate(s.recordedOn)}`
                    : `Offered until ${formatDate(s.offeredUntil)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
