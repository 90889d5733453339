/**
 * S15 One instance, as Operate shows it: the diagram of the version it runs on with its
 * completed, active and incident elements; the element history with times; variables; open
 * user tasks; incidents with their error and Retry; Cancel and Send a message.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type Incident, type InstanceDetail } from '../../api/processes';
import { Loading } from '../../app/App';
import { useUser } from '../../app/auth';
import { Link, useParams } from '../../app/router';
import { useViewer, servicesOf } from '../../bpmn/viewer';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { Textarea, TextInput } from '../../components/Fields';
import { formatDateTime } from '../../format/dates';
import { Dialog } from '../../manager/Dialog';
import { ElementsTable } from '../../manager/ElementsTable';
import '../../manager/manager.css';
import { elementStates, markInstance, stateText } from './instance-marks';
import { BusinessKey } from './InstancesPage';
import { StatusTag } from './status';
import { TableHead } from '../../components/TableHead';

const POLL_MS = 10_000;
const isLive = (status: string) => status === 'running' || status === 'incident';

/** A JSON object typed by a person, or why it is not one. */
function parseVariables(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, error: 'Enter the variables as a JSON object, for example {"postcode": "B15 2TT"}' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (e) {
    return { ok: false, error: `The variables are not valid JSON: ${(e as Error).message}` };
  }
}

const problemText = (e: unknown) => (e instanceof ApiProblem ? e.detail || e.title : String(e));

export default function InstancePage() {
  const { id } = useParams<'id'>();
  const user = useUser();
  const [instance, setInstance] = useState<InstanceDetail | null>(null);
  const [xml, setXml] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'cancel' | 'message' | { retry: Incident } | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const manages = user.role === 'service_manager' || user.role === 'administrator';
  const retries = user.role === 'administrator';

  const load = useCallback(async () => {
    try {
      setInstance(await processApi.instance(id));
      setProblem(null);
    } catch (e) {
      setProblem(problemText(e));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);
  const definitionKey = instance?.key ?? null;
  const definitionVersion = instance?.version ?? null;
  useEffect(() => {
    if (definitionKey === null || definitionVersion === null) return;
    processApi
      .xml(definitionKey, definitionVersion)
      .then(setXml)
      .catch((e: unknown) => setProblem(problemText(e)));
  }, [definitionKey, definitionVersion]);
  // Poll while the instance can still move.
  useEffect(() => {
    if (!instance || !isLive(instance.status)) return;
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [instance, load]);

  const { ready, error } = useViewer(host, xml);
  const states = useMemo(() => (instance?.state ? elementStates(instance.state) : new Map()), [instance]);
  useEffect(() => {
    if (ready) markInstance(ready.viewer, states);
  }, [ready, states]);

  const names = new Map((ready?.elements ?? []).map((e) => [e.id, e.name || e.id]));
  const nameOf = (elementId: string) => names.get(elementId) ?? elementId;
  const select = (elementId: string) => {
    const el = ready && servicesOf(ready.viewer).registry.get(elementId);
    if (el && ready) servicesOf(ready.viewer).canvas.scrollToElement(el);
  };
  const after = async (message: string) => {
    setDialog(null);
    setNotice(message);
    await load();
  };

  if (!instance)
    return problem ? (
      <>
        <h1>Instance</h1>
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body">{problem}</p>
        </div>
      </>
    ) : (
      <Loading />
    );

  const state = instance.state;
  const history = state
    ? [
        ...state.completed.map((c) => ({ ...c, open: false })),
        ...state.active.filter((a) => a.kind !== 'process').map((a) => ({ ...a, endedAt: null, open: true })),
      ].sort((x, y) => (x.startedAt ?? '').localeCompare(y.startedAt ?? ''))
    : [];

  return (
    <div className="chis-wide">
      <span className="nhsuk-caption-l">
        <Link to={`/processes/${encodeURIComponent(instance.key)}`}>{instance.definitionName ?? instance.key}</Link>,
        version {instance.version}
      </span>
      <h1 className="nhsuk-heading-l">
        Instance <StatusTag status={instance.status} />
      </h1>
      {notice && (
        <div className="nhsuk-inset-text" role="status" data-testid="notice">
          <p>{notice}</p>
        </div>
      )}
      {problem && (
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body">{problem}</p>
        </div>
      )}
      <dl className="nhsuk-summary-list">
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Business key</dt>
          <dd className="nhsuk-summary-list__value">
            <BusinessKey value={instance.businessKey} />
            {instance.businessKey && /^\d{10}$/.test(instance.businessKey) && user.role === 'service_manager' && (
              <>
                {' '}
                <Link to={`/children/${instance.businessKey}`}>Open the child's record</Link>
              </>
            )}
          </dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Started</dt>
          <dd className="nhsuk-summary-list__value">
            {formatDateTime(instance.startedAt)}
            {instance.startedBy ? ` by ${instance.startedBy}` : ' by an event or another process'}
          </dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Ended</dt>
          <dd className="nhsuk-summary-list__value">
            {instance.endedAt ? formatDateTime(instance.endedAt) : 'Not ended'}
          </dd>
        </div>
        <div className="nhsuk-summary-list__row">
          <dt className="nhsuk-summary-list__key">Instance id</dt>
          <dd className="nhsuk-summary-list__value">{instance.id}</dd>
        </div>
      </dl>
      {instance.stateUnavailable && (
        <div className="nhsuk-warning-callout">
          <h2 className="nhsuk-warning-callout__label">
            <span role="text">
              <span className="nhsuk-u-visually-hidden">Important: </span>State unavailable
            </span>
          </h2>
          <p>{instance.stateUnavailable}</p>
        </div>
      )}
      {manages && isLive(instance.status) && (
        <div className="nhsuk-button-group">
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => setDialog('message')}>
            Send a message
          </button>
          <button type="button" className="nhsuk-button nhsuk-button--warning" onClick={() => setDialog('cancel')}>
            Cancel the instance
          </button>
        </div>
      )}
      <ul className="chis-legend" aria-label="Key to the diagram">
        <li>
          <span className="chis-swatch" style={{ borderColor: '#007f3b' }} aria-hidden="true" />
          Completed
        </li>
        <li>
          <span className="chis-swatch" style={{ borderColor: '#005eb8' }} aria-hidden="true" />
          Active now
        </li>
        <li>
          <span className="chis-swatch" style={{ borderColor: '#d5281b' }} aria-hidden="true" />
          Incident
        </li>
        <li>×N: ran N times</li>
      </ul>
      <div
        ref={host}
        className="chis-diagram"
        role="application"
        aria-label={`Diagram of version ${instance.version}; the elements table says the state of each element`}
        data-testid="instance-diagram"
      />
      {error && <p className="nhsuk-error-message">{error}</p>}
      <div className="chis-two-columns">
        <div>
          {state && state.incidents.length > 0 && (
            <section aria-labelledby="incidents-heading" data-testid="incidents">
              <h2 id="incidents-heading">Incidents</h2>
              {state.incidents.map((incident) => (
                <div className="nhsuk-card" key={incident.id} data-incident-id={incident.id}>
                  <div className="nhsuk-card__content">
                    <h3 className="nhsuk-card__heading nhsuk-heading-s">
                      {nameOf(incident.elementId)}: {incident.kind}
                    </h3>
                    <p className="nhsuk-body" data-testid="incident-message">
                      {incident.message}
                    </p>
                    <p className="nhsuk-body-s">Since {formatDateTime(incident.createdAt)}</p>
                    {retries ? (
                      <button type="button" className="nhsuk-button" onClick={() => setDialog({ retry: incident })}>
                        Retry<span className="nhsuk-u-visually-hidden"> {nameOf(incident.elementId)}</span>
                      </button>
                    ) : (
                      <p className="nhsuk-body-s">An administrator can retry it once the cause is fixed.</p>
                    )}
                  </div>
                </div>
              ))}
            </section>
          )}
          {state && (
            <section aria-labelledby="tasks-heading" data-testid="open-tasks">
              <h2 id="tasks-heading">Open user tasks</h2>
              {state.openUserTasks.length === 0 ? (
                <p className="nhsuk-body">None.</p>
              ) : (
                <ul className="nhsuk-list">
                  {state.openUserTasks.map((t) => (
                    <li key={t.taskId}>
                      <Link to={`/tasks/${t.taskId}`}>{t.name}</Link> ({t.taskStatus ?? 'open'}
                      {t.assignee ? `, with ${t.assignee}` : ''}
                      {t.dueAt ? `, due ${formatDateTime(t.dueAt)}` : ''})
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
          {state && (
            <section aria-labelledby="history-heading">
              <h2 id="history-heading">Element history</h2>
              {state.completedDropped > 0 && (
                <p className="nhsuk-body-s">The {state.completedDropped} oldest entries are no longer kept.</p>
              )}
              <div className="chis-scroll" tabIndex={0} role="region" aria-label="Element history">
                <table className="nhsuk-table" data-testid="history">
                  <TableHead caption="Elements in the order they started" columns={['Element', 'Started', 'Ended']} />
                  <tbody className="nhsuk-table__body">
                    {history.map((h) => (
                      <tr className="nhsuk-table__row" key={h.elementInstanceId}>
                        <td className="nhsuk-table__cell">
                          <button type="button" className="chis-link-button" onClick={() => select(h.elementId)}>
                            {nameOf(h.elementId)}
                          </button>
                        </td>
                        <td className="nhsuk-table__cell">{formatDateTime(h.startedAt)}</td>
                        <td className="nhsuk-table__cell">
                          {h.open
                            ? 'Active now'
                            : `${formatDateTime(h.endedAt)}${h.state === 'terminated' ? ' (ended early)' : ''}`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
          {state && (
            <section aria-labelledby="variables-heading">
              <h2 id="variables-heading">Variables</h2>
              <pre className="chis-pre" tabIndex={0} aria-labelledby="variables-heading" data-testid="variables">
                {JSON.stringify(state.variables, null, 2)}
              </pre>
            </section>
          )}
        </div>
        {ready && (
          <ElementsTable
            caption="Elements and their state"
            rows={ready.elements}
            onSelect={select}
            columns={[{ header: 'State', cell: (row) => stateText(states.get(row.id)) }]}
          />
        )}
      </div>
      {dialog === 'cancel' && <CancelDialog id={instance.id} onDone={after} onCancel={() => setDialog(null)} />}
      {dialog === 'message' && (
        <MessageDialog
          id={instance.id}
          businessKey={instance.businessKey}
          onDone={after}
          onCancel={() => setDialog(null)}
        />
      )}
      {dialog && typeof dialog === 'object' && (
        <RetryDialog
          id={instance.id}
          incident={dialog.retry}
          elementName={nameOf(dialog.retry.elementId)}
          onDone={after}
          onCancel={() => setDialog(null)}
        />
      )}
    </div>
  );
}

function RetryDialog({
  id,
  incident,
  elementName,
  onDone,
  onCancel,
}: {
  id: string;
  incident: Incident;
  elementName: string;
  onDone(message: string): void;
  onCancel(): void;
}) {
  const [variables, setVariables] = useState('');
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseVariables(variables);
    if (!parsed.ok) return setErrors([{ fieldId: 'retry-variables', text: parsed.error }]);
    try {
      await processApi.retry(id, incident.id, Object.keys(parsed.value).length ? parsed.value : undefined);
      onDone(`Retried ${elementName}.`);
    } catch (e) {
      setErrors([{ fieldId: null, text: problemText(e) }]);
    }
  };
  return (
    <Dialog title={`Retry ${elementName}`} onCancel={onCancel}>
      <ErrorSummary errors={errors} />
      <p className="nhsuk-body">
        The engine runs the failed step again. If the error came from the process's data, set the corrected values here
        first.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Textarea
          id="retry-variables"
          label="Variables to set before the retry (optional)"
          hint='A JSON object, for example {"postcode": "B15 2TT"}'
          value={variables}
          onChange={setVariables}
          error={errors.find((e) => e.fieldId === 'retry-variables')?.text}
          rows={4}
        />
        <div className="nhsuk-button-group">
          <button type="submit" className="nhsuk-button">
            Retry now
          </button>
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CancelDialog({ id, onDone, onCancel }: { id: string; onDone(m: string): void; onCancel(): void }) {
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 3)
      return setErrors([{ fieldId: 'cancel-reason', text: 'Enter why the instance is cancelled' }]);
    try {
      await processApi.cancel(id, reason.trim());
      onDone('The instance is being cancelled: its open tasks close and it stops.');
    } catch (e) {
      setErrors([{ fieldId: null, text: problemText(e) }]);
    }
  };
  return (
    <Dialog title="Cancel this instance?" onCancel={onCancel}>
      <ErrorSummary errors={errors} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Textarea
          id="cancel-reason"
          label="Why is it cancelled?"
          hint="Recorded in the audit trail"
          value={reason}
          onChange={setReason}
          error={errors.find((e) => e.fieldId === 'cancel-reason')?.text}
          rows={3}
        />
        <div className="nhsuk-button-group">
          <button type="submit" className="nhsuk-button nhsuk-button--warning">
            Cancel the instance
          </button>
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
            Keep it running
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function MessageDialog({
  id,
  businessKey,
  onDone,
  onCancel,
}: {
  id: string;
  businessKey: string | null;
  onDone(m: string): void;
  onCancel(): void;
}) {
  const [name, setName] = useState('');
  const [key, setKey] = useState(businessKey ?? '');
  const [variables, setVariables] = useState('');
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: SummaryError[] = [];
    if (!name.trim()) found.push({ fieldId: 'message-name', text: 'Enter the message name' });
    const parsed = parseVariables(variables);
    if (!parsed.ok) found.push({ fieldId: 'message-variables', text: parsed.error });
    if (found.length || !parsed.ok) return setErrors(found);
    try {
      await processApi.message(id, {
        name: name.trim(),
        correlationKey: key.trim() || null,
        variables: parsed.value,
      });
      onDone(`Message ${name.trim()} sent to the instance.`);
    } catch (e) {
      if (e instanceof ApiProblem && e.errors.length)
        setErrors(e.errors.map((x) => ({ fieldId: null, text: `${x.field.replace('body.', '')} ${x.message}` })));
      else setErrors([{ fieldId: null, text: problemText(e) }]);
    }
  };
  const errorOf = (fieldId: string) => errors.find((e) => e.fieldId === fieldId)?.text;
  return (
    <Dialog title="Send a message to this instance" onCancel={onCancel}>
      <ErrorSummary errors={errors} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextInput
          id="message-name"
          label="Message name"
          value={name}
          onChange={setName}
          error={errorOf('message-name')}
        />
        <TextInput
          id="message-key"
          label="Correlation key"
          hint="The instance's business key unless the waiting event uses another"
          value={key}
          onChange={setKey}
        />
        <Textarea
          id="message-variables"
          label="Variables (optional)"
          hint="A JSON object"
          value={variables}
          onChange={setVariables}
          error={errorOf('message-variables')}
          rows={3}
        />
        <div className="nhsuk-button-group">
          <button type="submit" className="nhsuk-button">
            Send the message
          </button>
          <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
