import { useCallback, useEffect, useState } from 'react';
import { api, ApiProblem, PROBLEM } from '../api/client';
import { reasonFor, rememberReason } from '../api/access-reasons';
import type { ChildRecord } from '../api/types';
import { Loading, usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { Link, navigate, useLocation, useParams } from '../app/router';
import { BreakGlassForm, REASON_MAX, REASON_MIN } from '../components/BreakGlass';
import { ChildBanner, childName } from '../components/ChildBanner';
import { WarningCallout } from '../components/Callouts';
import { formatDateTime } from '../format/dates';
import { formatNhsNumber } from '../format/nhs-number';
import { ConcernsTab } from './record/ConcernsTab';
import { ImmunisationsTab, ScreeningTab } from './record/ScheduleTabs';
import { SummaryTab } from './record/SummaryTab';
import { ProcessesTab, TasksTab } from './record/WorkTabs';
import { TimelineTab } from './record/TimelineTab';

const TABS = [
  { id: 'summary', label: 'Summary' },
  { id: 'immunisations', label: 'Immunisations' },
  { id: 'screening', label: 'Screening' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'processes', label: 'Processes' },
  { id: 'concerns', label: 'Concerns' },
  { id: 'timeline', label: 'Timeline' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** A record restricted on PDS (S-flagged): what is withheld, and for a safeguarding lead what they now hold. */
function RestrictedRecordCallout({ detailsShown }: { detailsShown: boolean }) {
  return (
    <WarningCallout heading="Restricted record (S-flagged on PDS)">
      {detailsShown ? (
        <p>
          You can see the child&apos;s address and the family&apos;s contact details because you are a safeguarding
          lead. Do not share them or send them on: where the child lives must stay confidential. Your access is
          recorded.
        </p>
      ) : (
        <p>
          The child&apos;s address and the family&apos;s contact details are withheld, here and in tasks, the timeline
          and letters. Ask the locality safeguarding lead if you need them.
        </p>
      )}
    </WarningCallout>
  );
}

/** Records of superseded NHS numbers merged into this one: the old numbers still lead here. */
function MergedFromNote({ merges }: { merges: ChildRecord['mergedFrom'] }) {
  return (
    <div className="nhsuk-inset-text app-merged-from">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      <h2 className="nhsuk-heading-s">Merged records</h2>
      <ul className="nhsuk-list">
        {merges.map((m) => (
          <li key={m.mergedChildId}>
            Merged from the record of NHS number {formatNhsNumber(m.mergedNhsNumber)} (superseded on PDS) on{' '}
            {formatDateTime(m.mergedAt)} by {m.mergedBy}: {m.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Opened by an NHS number PDS replaced: say so, so nobody takes the current number for a different child. */
function SupersededNumberNote({ asked, current }: { asked: string; current: string }) {
  return (
    <div className="nhsuk-inset-text app-superseded-number">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      <p>
        NHS number {formatNhsNumber(asked)} was replaced by {formatNhsNumber(current)} on the Personal Demographics
        Service (PDS). This is the child&apos;s record under the current number.
      </p>
    </div>
  );
}

/** The child's record: banner, then one section at a time (tabs are links, so each has its own address). */
export default function ChildRecordPage() {
  const { nhsNumber } = useParams<'nhsNumber'>();
  const user = useUser();
  const { search, pathname } = useLocation();
  const tab = (TABS.find((t) => t.id === search.get('tab'))?.id ?? 'summary') as TabId;
  const [record, setRecord] = useState<ChildRecord | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [needsReason, setNeedsReason] = useState<{ min: number; max: number } | null>(null);
  const [version, setVersion] = useState(0);
  usePageTitle(record ? `${childName(record)} – ${TABS.find((t) => t.id === tab)!.label}` : 'Child record');

  const load = useCallback(async () => {
    try {
      setRecord(await api<ChildRecord>(`/children/${nhsNumber}`, { accessReason: reasonFor(nhsNumber) }));
      setProblem(null);
      setNeedsReason(null);
    } catch (error) {
      if (error instanceof ApiProblem && error.is(PROBLEM.accessReasonRequired)) {
        setNeedsReason({
          min: Number(error.extra.minReasonLength ?? REASON_MIN),
          max: Number(error.extra.maxReasonLength ?? REASON_MAX),
        });
      } else if (error instanceof ApiProblem) setProblem(error);
      else throw error;
    }
  }, [nhsNumber]);

  useEffect(() => {
    void load();
  }, [load, version]);

  if (needsReason) {
    return (
      <BreakGlassForm
        heading="Why do you need to see this child's record?"
        about={`The child with NHS number ${formatNhsNumber(nhsNumber)}.`}
        min={needsReason.min}
        max={needsReason.max}
        onReason={(reason) => {
          rememberReason(nhsNumber, reason);
          setNeedsReason(null);
          setVersion((v) => v + 1);
        }}
        onCancel={() => navigate('/children')}
      />
    );
  }
  if (problem) {
    return (
      <>
        <h1>{problem.status === 404 ? 'No child has this NHS number' : 'The record could not be opened'}</h1>
        <p>{problem.detail}</p>
        <p>
          <Link to="/children">Find a child</Link>
        </p>
      </>
    );
  }
  if (!record) return <Loading />;

  const reason = reasonFor(nhsNumber);
  const banner = {
    ...record,
    gpPractice: record.gpPractice
      ? { odsCode: record.gpPractice, name: record.gpPracticeName ?? record.gpPractice }
      : null,
  };
  return (
    <>
      <span className="nhsuk-caption-l">Child record</span>
      <ChildBanner child={banner} link={false} pageHeading accessedWithReason={record.accessedWithReason} />
      {record.restricted && <RestrictedRecordCallout detailsShown={record.restrictedDetailsShown} />}
      {record.supersededNhsNumber && (
        <SupersededNumberNote asked={record.supersededNhsNumber} current={record.nhsNumber} />
      )}
      {record.mergedFrom.length > 0 && <MergedFromNote merges={record.mergedFrom} />}
      <nav className="nhsuk-tabs" aria-label="Parts of the record">
        <ul className="nhsuk-tabs__list">
          {TABS.map((t) => (
            <li key={t.id} className={`nhsuk-tabs__list-item${t.id === tab ? ' nhsuk-tabs__list-item--selected' : ''}`}>
              <Link
                className="nhsuk-tabs__tab"
                to={`${pathname}?tab=${t.id}`}
                aria-current={t.id === tab ? 'page' : undefined}
              >
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="nhsuk-u-margin-top-4">
        {tab === 'summary' && <SummaryTab record={record} />}
        {tab === 'immunisations' && <ImmunisationsTab record={record} reason={reason} />}
        {tab === 'screening' && <ScreeningTab record={record} reason={reason} />}
        {tab === 'tasks' && <TasksTab nhsNumber={record.nhsNumber} reason={reason} />}
        {tab === 'processes' && <ProcessesTab nhsNumber={record.nhsNumber} reason={reason} />}
        {tab === 'concerns' && (
          <ConcernsTab record={record} reason={reason} onRaised={() => setVersion((v) => v + 1)} />
        )}
        {tab === 'timeline' && (
          <TimelineTab nhsNumber={record.nhsNumber} reason={reason} showAccess={user.role === 'safeguarding_lead'} />
        )}
      </div>
    </>
  );
}
