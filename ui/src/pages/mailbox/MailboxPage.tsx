/**
 * S18 Mailbox: what the embedded mail server received (used when no SMTP_URL is set), so a
 * service manager sees the email GP practices would get; found by practice (ODS code) or by the
 * child's NHS number. Filters live in the address; paging by cursor.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiProblem } from '../../api/client';
import { Loading, usePageTitle } from '../../app/App';
import { Link, navigate, useLocation } from '../../app/router';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { TextInput } from '../../components/Fields';
import { problemErrors } from '../../components/Problem';
import { formatDateTime } from '../../format/dates';
import { listMail, type MailSummary } from './mailbox-api';
import { TableHead } from '../../components/TableHead';

const FIELDS: Record<string, { id: string; label: string }> = {
  'query.practice': { id: 'practice', label: 'GP practice' },
  'query.nhsNumber': { id: 'nhsNumber', label: 'NHS number' },
};

export default function MailboxPage() {
  usePageTitle('Mailbox');
  const { search } = useLocation();
  const applied = { practice: search.get('practice') ?? '', nhsNumber: search.get('nhsNumber') ?? '' };
  const [form, setForm] = useState(applied);
  const [messages, setMessages] = useState<MailSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const queryKey = search.toString();

  useEffect(() => {
    setForm(applied);
    setMessages(null);
    setErrors([]);
    listMail(applied)
      .then((r) => {
        setMessages(r.messages);
        setNext(r.next);
      })
      .catch((e: unknown) => {
        setMessages([]);
        setNext(null);
        if (e instanceof ApiProblem && e.status === 404) setUnavailable(e.detail);
        else
          setErrors(
            problemErrors(
              e,
              (f) => FIELDS[f]?.id ?? null,
              (f) => FIELDS[f]?.label ?? '',
            ),
          );
      });
  }, [queryKey]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const practice = form.practice.trim().toUpperCase();
    const nhsNumber = form.nhsNumber.replace(/\s+/g, '');
    if (practice) params.set('practice', practice);
    if (nhsNumber) params.set('nhsNumber', nhsNumber);
    navigate(`/mailbox${params.size ? `?${params}` : ''}`);
  };

  const more = async () => {
    if (!next) return;
    const r = await listMail({ ...applied, cursor: next });
    setMessages((current) => [...(current ?? []), ...r.messages]);
    setNext(r.next);
  };

  if (unavailable) {
    return (
      <>
        <h1>Mailbox</h1>
        <p>{unavailable}</p>
      </>
    );
  }
  const fieldError = (id: string) => errors.find((e) => e.fieldId === id)?.text ?? null;
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>Mailbox</h1>
      <p>
        The email the system sent to GP practices and families, as the embedded mail server received it. In production
        email goes to the NHS mail relay instead and this mailbox is empty.
      </p>
      <form onSubmit={submit} noValidate aria-label="Find email">
        <div className="chis-filters">
          <TextInput
            id="practice"
            label="GP practice"
            hint="ODS code, for example M85001"
            value={form.practice}
            onChange={(v) => setForm((f) => ({ ...f, practice: v }))}
            error={fieldError('practice')}
            width={10}
            spellCheck={false}
          />
          <TextInput
            id="nhsNumber"
            label="NHS number"
            hint="10 digits"
            value={form.nhsNumber}
            onChange={(v) => setForm((f) => ({ ...f, nhsNumber: v }))}
            error={fieldError('nhsNumber')}
            width={10}
            inputMode="numeric"
            spellCheck={false}
          />
        </div>
        <div className="nhsuk-button-group">
          <button type="submit" className="nhsuk-button">
            Find email
          </button>
          <Link className="nhsuk-button nhsuk-button--secondary" to="/mailbox">
            Show all
          </Link>
        </div>
      </form>
      {messages === null && <Loading />}
      {messages && (
        <>
          <p className="nhsuk-body" role="status" data-testid="mail-count">
            {messages.length === 0
              ? 'No email matches.'
              : `Showing ${messages.length} email${messages.length === 1 ? '' : 's'}, newest first${next ? '; more below' : ''}.`}
          </p>
          {messages.length > 0 && (
            <table className="nhsuk-table" data-testid="mailbox">
              <TableHead caption="Email received, newest first" columns={['Subject', 'To', 'Received']} />
              <tbody className="nhsuk-table__body">
                {messages.map((m) => (
                  <tr className="nhsuk-table__row" key={m.id} data-mail-id={m.id}>
                    <td className="nhsuk-table__cell">
                      <Link to={`/mailbox/${m.id}`}>{m.subject || '(no subject)'}</Link>
                      {m.timesReceived > 1 && (
                        <>
                          {' '}
                          <strong className="nhsuk-tag nhsuk-tag--orange">{`Received ${m.timesReceived} times`}</strong>
                        </>
                      )}
                    </td>
                    <td className="nhsuk-table__cell">{m.envelopeTo.join(', ')}</td>
                    <td className="nhsuk-table__cell">{formatDateTime(m.receivedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {next && (
            <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => void more()}>
              Show more email
            </button>
          )}
        </>
      )}
    </>
  );
}
