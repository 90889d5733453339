/**
 * One received email as the GP practice would see it: its headers, the plain-text part, and the
 * HTML part in a fully sandboxed frame (no scripts, no same-origin access, no forms, no links
 * followed), so mail content can never act on the application.
 */
import { useEffect, useState } from 'react';
import { ApiProblem } from '../../api/client';
import { Loading, usePageTitle } from '../../app/App';
import { Link, useParams } from '../../app/router';
import { SummaryList } from '../../components/SummaryList';
import { formatDateTime } from '../../format/dates';
import '../../manager/manager.css';
import { readMail, type Mail } from './mailbox-api';

export default function MailPage() {
  const { id } = useParams<'id'>();
  const [mail, setMail] = useState<Mail | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  usePageTitle(mail ? mail.subject || 'Email' : 'Email');

  useEffect(() => {
    readMail(id)
      .then(setMail)
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, [id]);

  return (
    <>
      <Link className="nhsuk-back-link" to="/mailbox">
        Back to the mailbox
      </Link>
      {problem && (
        <>
          <h1>Email not found</h1>
          <p>{problem}</p>
        </>
      )}
      {!mail && !problem && <Loading />}
      {mail && (
        <>
          <span className="nhsuk-caption-l">Email</span>
          <h1>{mail.subject || '(no subject)'}</h1>
          <SummaryList
            rows={[
              { key: 'From', value: mail.fromHeader ?? 'Not given' },
              { key: 'To', value: mail.toHeader ?? mail.envelopeTo.join(', ') },
              { key: 'Delivered to', value: mail.envelopeTo.join(', ') },
              { key: 'Received', value: formatDateTime(mail.receivedAt) },
              ...(mail.timesReceived > 1
                ? [
                    {
                      key: 'Received again',
                      value: `${mail.timesReceived} times in all, last ${formatDateTime(mail.lastReceivedAt)}`,
                    },
                  ]
                : []),
              { key: 'Message-ID', value: mail.messageId },
            ]}
          />
          {mail.htmlBody !== null && (
            <section aria-labelledby="html-heading">
              <h2 id="html-heading">As the practice sees it</h2>
              <iframe
                className="chis-mail-frame"
                title={`The email "${mail.subject}" as formatted (HTML part)`}
                sandbox=""
                srcDoc={mail.htmlBody}
                data-testid="mail-html"
              />
            </section>
          )}
          <section aria-labelledby="text-heading">
            <h2 id="text-heading">Plain text</h2>
            {mail.textBody === null ? (
              <p>The email has no plain-text part.</p>
            ) : (
              <pre className="chis-pre" tabIndex={0} aria-labelledby="text-heading" data-testid="mail-text">
                {mail.textBody}
              </pre>
            )}
          </section>
        </>
      )}
    </>
  );
}
