/**
 * S14 Instances, as Operate lists them: filters (process, version, status, business key,
 * started between, open incident) kept in the address so a list can be shared, cursor paging.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type DefinitionSummary, type InstanceRow } from '../../api/processes';
import { Loading } from '../../app/App';
import { Link, navigate, useLocation } from '../../app/router';
import { Select, TextInput } from '../../components/Fields';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { formatDateTime } from '../../format/dates';
import { formatNhsNumber } from '../../format/nhs-number';
import '../../manager/manager.css';
import { StatusTag, STATUS_CHOICES } from './status';
import { TableHead } from '../../components/TableHead';

const FILTERS = ['key', 'version', 'status', 'businessKey', 'startedFrom', 'startedTo', 'hasIncident'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const fieldIds: Record<string, string> = {
  'query.key': 'key',
  'query.version': 'version',
  'query.status': 'status',
  'query.businessKey': 'businessKey',
  'query.startedFrom': 'startedFrom',
  'query.startedTo': 'startedTo',
  'query.hasIncident': 'hasIncident',
};

export function BusinessKey({ value }: { value: string | null }) {
  if (!value) return <>None</>;
  return /^\d{10}$/.test(value) ? (
    <>
      <span className="nhsuk-u-visually-hidden">NHS number </span>
      {formatNhsNumber(value)}
    </>
  ) : (
    <>{value}</>
  );
}

export default function InstancesPage() {
  const { search } = useLocation();
  const applied = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Filters;
  const [form, setForm] = useState<Filters>(applied);
  const [definitions, setDefinitions] = useState<DefinitionSummary[]>([]);
  const [rows, setRows] = useState<InstanceRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  const queryKey = search.toString();

  useEffect(() => {
    processApi
      .definitions()
      .then((r) => setDefinitions(r.definitions))
      .catch(() => setDefinitions([]));
  }, []);

  useEffect(() => {
    setForm(Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Filters);
    setRows(null);
    setErrors([]);
    processApi
      .instances({ ...Object.fromEntries(FILTERS.map((f) => [f, search.get(f)])), limit: 25 })
      .then((r) => {
        setRows(r.instances);
        setNext(r.next);
      })
      .catch((e: unknown) => {
        setRows([]);
        setNext(null);
        if (e instanceof ApiProblem && e.errors.length)
          setErrors(
            e.errors.map((x) => ({
              fieldId: fieldIds[x.field] ?? null,
              text: `${x.field.replace('query.', '')} ${x.message}`,
            })),
          );
        else setErrors([{ fieldId: null, text: e instanceof ApiProblem ? e.detail || e.title : String(e) }]);
      });
  }, [queryKey]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const f of FILTERS) if (form[f].trim()) params.set(f, form[f].trim());
    if (!params.get('key')) params.delete('version');
    navigate(`/instances${params.size ? `?${params}` : ''}`);
  };

  const more = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const r = await processApi.instances({
        ...Object.fromEntries(FILTERS.map((f) => [f, search.get(f)])),
        limit: 25,
        cursor: next,
      });
      setRows((current) => [...(current ?? []), ...r.instances]);
      setNext(r.next);
    } finally {
      setLoadingMore(false);
    }
  };

  const set = (name: keyof Filters) => (value: string) => setForm((f) => ({ ...f, [name]: value }));
  const chosen = definitions.find((d) => d.key === form.key);
  const versionChoices = chosen
    ? Array.from({ length: chosen.version }, (_, i) => chosen.version - i).map((v) => ({
        value: String(v),
        label: `Version ${v}`,
      }))
    : [];

  return (
    <>
      <h1>Instances</h1>
      <ErrorSummary errors={errors} />
      <form onSubmit={submit} noValidate aria-label="Filter instances">
        <div className="chis-filters">
          <Select
            id="key"
            label="Process"
            value={form.key}
            placeholder="Any process"
            choices={definitions.map((d) => ({ value: d.key, label: d.name ?? d.key }))}
            onChange={(v) => setForm((f) => ({ ...f, key: v, version: '' }))}
          />
          <Select
            id="version"
            label="Version"
            value={form.version}
            placeholder="Any version"
            choices={versionChoices}
            onChange={set('version')}
          />
          <Select
            id="status"
            label="Status"
            value={form.status}
            placeholder="Any status"
            choices={STATUS_CHOICES}
            onChange={set('status')}
          />
          <Select
            id="hasIncident"
            label="Open incident"
            value={form.hasIncident}
            placeholder="Either"
            choices={[
              { value: 'true', label: 'Has an incident' },
              { value: 'false', label: 'No incident' },
            ]}
            onChange={set('hasIncident')}
          />
        </div>
        <div className="chis-filters">
          <TextInput
            id="businessKey"
            label="Business key"
            hint="Usually the child's NHS number"
            value={form.businessKey}
            onChange={set('businessKey')}
            width={10}
          />
          <DayInput
            id="startedFrom"
            label="Started on or after"
            value={form.startedFrom}
            onChange={set('startedFrom')}
          />
          <DayInput id="startedTo" label="Started on or before" value={form.startedTo} onChange={set('startedTo')} />
        </div>
        <div className="nhsuk-button-group">
          <button type="submit" className="nhsuk-button">
            Show instances
          </button>
          <Link className="nhsuk-button nhsuk-button--secondary" to="/instances">
            Clear filters
          </Link>
        </div>
      </form>
      {rows === null && <Loading />}
      {rows && (
        <>
          <p className="nhsuk-body" role="status" data-testid="instance-count">
            {rows.length === 0
              ? 'No instances match.'
              : `Showing ${rows.length} instance${rows.length === 1 ? '' : 's'}${next ? ', newest first; more below' : ''}.`}
          </p>
          {rows.length > 0 && (
            <table className="nhsuk-table" data-testid="instances">
              <TableHead
                caption="Process instances, newest first"
                columns={['Started', 'Process', 'Version', 'Business key', 'Status', 'Ended']}
              />
              <tbody className="nhsuk-table__body">
                {rows.map((r) => (
                  <tr className="nhsuk-table__row" key={r.id} data-instance-id={r.id}>
                    <td className="nhsuk-table__cell">
                      <Link to={`/instances/${encodeURIComponent(r.id)}`}>
                        {formatDateTime(r.startedAt)}
                        <span className="nhsuk-u-visually-hidden">, open the instance</span>
                      </Link>
                      {r.startedBy && <span className="chis-element-id">by {r.startedBy}</span>}
                    </td>
                    <td className="nhsuk-table__cell">{r.definitionName ?? r.key}</td>
                    <td className="nhsuk-table__cell" data-testid="version">
                      {r.version}
                    </td>
                    <td className="nhsuk-table__cell">
                      <BusinessKey value={r.businessKey} />
                    </td>
                    <td className="nhsuk-table__cell">
                      <StatusTag status={r.status} />
                    </td>
                    <td className="nhsuk-table__cell">{r.endedAt ? formatDateTime(r.endedAt) : 'Not ended'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {next && (
            <button
              type="button"
              className="nhsuk-button nhsuk-button--secondary"
              onClick={() => void more()}
              disabled={loadingMore}
            >
              Show more instances
            </button>
          )}
        </>
      )}
    </>
  );
}

/** A day as YYYY-MM-DD through the browser's date picker (labelled, keyboard usable). */
function DayInput({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
}) {
  return (
    <div className="nhsuk-form-group">
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      <input
        className="nhsuk-input nhsuk-input--width-10"
        id={id}
        name={id}
        type="date"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
