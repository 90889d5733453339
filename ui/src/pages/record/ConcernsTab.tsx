import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { ChildRecord } from '../../api/types';
import { useUser } from '../../app/auth';
import { Link, navigate } from '../../app/router';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { Button, Textarea } from '../../components/Fields';
import { setFlash } from '../../components/flash';
import { problemErrors } from '../../components/Problem';
import { ConcernStatusTag } from '../../components/ConcernTags';
import { formatDate } from '../../format/dates';

export function ConcernsTab({ record, reason }: { record: ChildRecord; reason: string | null; onRaised(): void }) {
  const user = useUser();
  const [summary, setSummary] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [busy, setBusy] = useState(false);
  const mayRaise = user.role === 'caseworker' || user.role === 'safeguarding_lead';

  const raise = async (event: FormEvent) => {
    event.preventDefault();
    if (!summary.trim()) {
      setError('Enter what the concern is');
      setErrors([{ fieldId: 'concern-summary', text: 'Enter what the concern is' }]);
      return;
    }
    setBusy(true);
    try {
      const concern = await api<{ id: string }>(`/children/${record.nhsNumber}/concerns`, {
        body: { summary: summary.trim() },
        accessReason: reason,
      });
      setFlash('Concern raised. The safeguarding lead has been asked to decide on it.');
      navigate(`/concerns/${concern.id}`);
    } catch (e) {
      setErrors(
        problemErrors(
          e,
          (f) => (f === 'body.summary' ? 'concern-summary' : null),
          () => 'The concern',
        ),
      );
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h2 className="nhsuk-heading-m">Safeguarding concerns</h2>
      {record.concerns.length === 0 ? (
        <p>No concerns have been raised about this child.</p>
      ) : (
        <table className="nhsuk-table">
          <caption className="nhsuk-u-visually-hidden">Concerns about this child</caption>
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col">Concern</th>
              <th scope="col">Raised</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {record.concerns.map((c) => (
              <tr key={c.id}>
                <td className="nhsuk-table__cell">
                  {user.role === 'service_manager' ? c.summary : <Link to={`/concerns/${c.id}`}>{c.summary}</Link>}
                </td>
                <td className="nhsuk-table__cell app-nowrap">{formatDate(c.raisedAt)}</td>
                <td className="nhsuk-table__cell">
                  <ConcernStatusTag status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayRaise && (
        <form onSubmit={(e) => void raise(e)} noValidate>
          <h3 className="nhsuk-heading-s">Raise a concern</h3>
          <Textarea
            id="concern-summary"
            label="What is the concern?"
            hint="The safeguarding lead for the child's locality is asked to decide on it. Write facts: what happened, when, who told you."
            value={summary}
            onChange={setSummary}
            error={error}
            maxLength={2000}
            rows={4}
          />
          <Button type="submit" warning disabled={busy}>
            Raise a concern
          </Button>
        </form>
      )}
    </>
  );
}
