import { useEffect, useState } from 'react';
import { api, query } from '../api/client';
import type { ConcernRow } from '../api/types';
import { usePageTitle } from '../app/App';
import { Link, useLocation } from '../app/router';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { Button } from '../components/Fields';
import { problemErrors } from '../components/Problem';
import { ConcernTable } from './SafeguardingPage';

const FILTERS = [
  { id: 'active', label: 'Not closed' },
  { id: 'open', label: 'Open' },
  { id: 'escalated', label: 'Escalated' },
  { id: 'monitoring', label: 'Monitoring' },
  { id: 'referred', label: 'Referred' },
  { id: 'closed', label: 'Closed' },
];

/** Safeguarding concerns of the person's localities, by status, a page at a time. */
export default function ConcernsPage() {
  usePageTitle('Safeguarding concerns');
  const { search } = useLocation();
  const status = FILTERS.find((f) => f.id === search.get('status'))?.id ?? 'active';
  const [concerns, setConcerns] = useState<ConcernRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);

  useEffect(() => {
    setConcerns(null);
    api<{ concerns: ConcernRow[]; next: string | null }>(`/concerns${query({ status, limit: 25 })}`)
      .then((r) => (setConcerns(r.concerns), setNext(r.next)))
      .catch((e: unknown) => (setConcerns([]), setErrors(problemErrors(e))));
  }, [status]);

  const more = async () => {
    if (!next) return;
    try {
      const r = await api<{ concerns: ConcernRow[]; next: string | null }>(
        `/concerns${query({ status, limit: 25, cursor: next })}`,
      );
      setConcerns((c) => [...(c ?? []), ...r.concerns]);
      setNext(r.next);
    } catch (e) {
      setErrors(problemErrors(e));
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>Safeguarding concerns</h1>
      <p>
        To raise a concern, open the child&apos;s record (<Link to="/children">find a child</Link>) and go to Concerns.
      </p>
      <nav className="nhsuk-tabs" aria-label="Concerns by status">
        <ul className="nhsuk-tabs__list">
          {FILTERS.map((f) => (
            <li
              key={f.id}
              className={`nhsuk-tabs__list-item${f.id === status ? ' nhsuk-tabs__list-item--selected' : ''}`}
            >
              <Link
                className="nhsuk-tabs__tab"
                to={`/concerns?status=${f.id}`}
                aria-current={f.id === status ? 'page' : undefined}
              >
                {f.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {concerns === null ? (
        <p role="status">Loading…</p>
      ) : concerns.length === 0 ? (
        <p>No concerns to show.</p>
      ) : (
        <ConcernTable concerns={concerns} />
      )}
      {next && (
        <Button secondary onClick={() => void more()}>
          Show more concerns
        </Button>
      )}
    </>
  );
}
