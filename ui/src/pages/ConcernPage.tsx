import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiProblem, PROBLEM } from '../api/client';
import { reasonFor, rememberReason } from '../api/access-reasons';
import type { ConcernDetail } from '../api/types';
import { Loading, usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { Link, navigate, useParams } from '../app/router';
import { BreakGlassForm } from '../components/BreakGlass';
import { InsetText, NotificationBanner } from '../components/Callouts';
import { ChildBanner } from '../components/ChildBanner';
import { ConcernStatusTag, OUTCOMES } from '../components/ConcernTags';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { Button, Radios, Textarea } from '../components/Fields';
import { useFlash } from '../components/flash';
import { problemErrors } from '../components/Problem';
import { SummaryList } from '../components/SummaryList';
import { Due } from '../components/Tags';
import { formatDateTime } from '../format/dates';

const NOTE_KIND: Record<string, string> = {
  raised: 'Raised',
  note: 'Note',
  escalation: 'Escalated',
  closure: 'Closed',
};

/** One concern: the child, what was said and done (notes), and the actions: note, escalate, close with an outcome (leads). */
export default function ConcernPage() {
  const { id } = useParams<'id'>();
  const user = useUser();
  const [concern, setConcern] = useState<ConcernDetail | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [needsReason, setNeedsReason] = useState(false);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [notice, setNotice] = useFlash();
  const [note, setNote] = useState('');
  const [escalation, setEscalation] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const [closing, setClosing] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  usePageTitle('Safeguarding concern');
  const reasonKey = `concern:${id}`;

  const load = useCallback(async () => {
    try {
      setConcern(await api<ConcernDetail>(`/concerns/${id}`, { accessReason: reasonFor(reasonKey) }));
      setNeedsReason(false);
    } catch (e) {
      if (e instanceof ApiProblem && e.is(PROBLEM.accessReasonRequired)) setNeedsReason(true);
      else if (e instanceof ApiProblem) setProblem(e);
      else throw e;
    }
  }, [id, reasonKey]);
  useEffect(() => {
    void load();
  }, [load]);

  if (needsReason) {
    return (
      <BreakGlassForm
        heading="Why do you need to see this concern?"
        about="The concern is about a child outside your localities."
        onReason={(r) => {
          rememberReason(reasonKey, r);
          void load();
        }}
        onCancel={() => navigate('/concerns')}
      />
    );
  }
  if (problem) {
    return (
      <>
        <h1>{problem.status === 404 ? 'Concern not found' : 'The concern could not be opened'}</h1>
        <p>{problem.detail}</p>
        <p>
          <Link to="/concerns">Safeguarding concerns</Link>
        </p>
      </>
    );
  }
  if (!concern) return <Loading />;

  const closed = concern.status === 'closed';
  const act = async (path: string, body: object, done: string, fields: Record<string, string>) => {
    setErrors([]);
    setFieldErrors({});
    setNotice(null);
    setBusy(true);
    try {
      const updated = await api<ConcernDetail>(`/concerns/${concern.id}/${path}`, {
        body,
        accessReason: reasonFor(reasonKey),
      });
      setConcern({ ...concern, ...updated, child: concern.child, tasks: updated.tasks ?? concern.tasks });
      setNotice(done);
      return true;
    } catch (e) {
      const mapped = problemErrors(
        e,
        (f) => fields[f] ?? null,
        (f) => (f.endsWith('outcome') ? 'Outcome' : 'This'),
      );
      setErrors(mapped);
      if (e instanceof ApiProblem && e.status === 409)
        setErrors([{ fieldId: null, text: `${e.detail}. Reload the page to see the concern as it is now.` }]);
      const byField: Record<string, string> = {};
      for (const m of mapped) if (m.fieldId) byField[m.fieldId] = m.text;
      setFieldErrors(byField);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const required = (fieldId: string, value: string, message: string) => {
    if (value.trim()) return true;
    setFieldErrors({ [fieldId]: message });
    setErrors([{ fieldId, text: message }]);
    return false;
  };

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (required('note', note, 'Enter the note'))
      if (await act('notes', { text: note.trim() }, 'Note added.', { 'body.text': 'note' })) setNote('');
  };
  const escalate = async (e: FormEvent) => {
    e.preventDefault();
    if (required('escalation', escalation, 'Enter why the concern is escalated'))
      if (
        await act(
          'escalate',
          { reason: escalation.trim(), expectedVersion: concern.rowVersion },
          'Concern escalated.',
          { 'body.reason': 'escalation' },
        )
      )
        setEscalation('');
  };
  const close = async (e: FormEvent) => {
    e.preventDefault();
    if (!outcome) {
      setFieldErrors({ outcome: 'Select the outcome' });
      setErrors([{ fieldId: 'outcome', text: 'Select the outcome' }]);
      return;
    }
    if (required('closing-note', closing, 'Enter a closing note'))
      await act('close', { outcome, note: closing.trim(), expectedVersion: concern.rowVersion }, 'Concern closed.', {
        'body.note': 'closing-note',
        'body.outcome': 'outcome',
      });
  };

  const openTasks = concern.tasks.filter((t) => t.status === 'open' || t.status === 'claimed');
  return (
    <>
      <Link className="nhsuk-back-link" to="/concerns">
        Back to concerns
      </Link>
      {notice && (
        <NotificationBanner success>
          <p className="nhsuk-notification-banner__heading">{notice}</p>
        </NotificationBanner>
      )}
      <ErrorSummary errors={errors} />
      <span className="nhsuk-caption-l">Safeguarding concern</span>
      <h1>{concern.summary.length > 90 ? `${concern.summary.slice(0, 87)}…` : concern.summary}</h1>
      {concern.child && <ChildBanner child={concern.child} />}
      <SummaryList
        rows={[
          { key: 'Status', value: <ConcernStatusTag status={concern.status} /> },
          { key: 'Raised', value: formatDateTime(concern.raisedAt) },
          ...(concern.escalatedAt ? [{ key: 'Escalated', value: formatDateTime(concern.escalatedAt) }] : []),
          ...(closed
            ? [
                {
                  key: 'Outcome',
                  value: `${OUTCOMES[concern.outcome ?? ''] ?? concern.outcome ?? 'Not known'}, ${formatDateTime(concern.closedAt)}`,
                },
              ]
            : []),
        ]}
      />

      <h2 className="nhsuk-heading-m">Notes</h2>
      <ol className="app-timeline" aria-label="Notes, oldest first">
        {concern.notes.map((n) => (
          <li key={n.id}>
            <span className="app-timeline__when nhsuk-body-s">
              {formatDateTime(n.createdAt)} · {n.authorUsername}
            </span>
            <strong>{NOTE_KIND[n.kind] ?? n.kind}:</strong> {n.body}
          </li>
        ))}
      </ol>

      {openTasks.length > 0 && (
        <>
          <h2 className="nhsuk-heading-m">Open tasks for this child</h2>
          <ul className="nhsuk-list">
            {openTasks.map((t) => (
              <li key={t.id}>
                <Link to={`/tasks/${t.id}`}>{t.name}</Link> · <Due dueAt={t.dueAt} />
              </li>
            ))}
          </ul>
        </>
      )}

      {closed ? (
        <InsetText>
          <p>This concern is closed. Raise a new concern from the child&apos;s record if something else happens.</p>
        </InsetText>
      ) : (
        <>
          <form onSubmit={(e) => void addNote(e)} noValidate>
            <Textarea
              id="note"
              label="Add a note"
              labelClass="nhsuk-label--m"
              value={note}
              onChange={setNote}
              error={fieldErrors.note}
              maxLength={10_000}
              rows={3}
            />
            <Button type="submit" secondary disabled={busy}>
              Add note
            </Button>
          </form>
          {concern.status !== 'escalated' && (
            <form onSubmit={(e) => void escalate(e)} noValidate>
              <Textarea
                id="escalation"
                label="Escalate this concern"
                labelClass="nhsuk-label--m"
                hint="Say why it needs escalating, for example a pattern of missed appointments."
                value={escalation}
                onChange={setEscalation}
                error={fieldErrors.escalation}
                maxLength={2000}
                rows={3}
              />
              <Button type="submit" warning disabled={busy}>
                Escalate concern
              </Button>
            </form>
          )}
          {user.role === 'safeguarding_lead' && (
            <form onSubmit={(e) => void close(e)} noValidate>
              <h2 className="nhsuk-heading-m">Close this concern</h2>
              <Radios
                id="outcome"
                label="Outcome"
                value={outcome}
                onChange={setOutcome}
                error={fieldErrors.outcome}
                choices={Object.entries(OUTCOMES).map(([value, label]) => ({ value, label }))}
              />
              <Textarea
                id="closing-note"
                label="Closing note"
                value={closing}
                onChange={setClosing}
                error={fieldErrors['closing-note']}
                maxLength={10_000}
                rows={3}
              />
              <Button type="submit" disabled={busy}>
                Close concern
              </Button>
            </form>
          )}
        </>
      )}
    </>
  );
}
