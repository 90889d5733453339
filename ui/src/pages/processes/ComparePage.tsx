/**
 * S13 Two versions side by side: added, removed and changed elements marked on both diagrams
 * (bpmn-js-differ), and a list of what changed in each element's settings.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type VersionRow } from '../../api/processes';
import { Loading } from '../../app/App';
import { Link, setSearch, useLocation, useParams } from '../../app/router';
import { compareVersions, type ChangeKind, type ElementChange } from '../../bpmn/version-diff';
import { servicesOf, useViewer, type Viewer } from '../../bpmn/viewer';
import { Select } from '../../components/Fields';
import { ElementsTable } from '../../manager/ElementsTable';
import '../../manager/manager.css';
import { TableHead } from '../../components/TableHead';

const KIND_TEXT: Record<ChangeKind, string> = {
  added: 'Added',
  removed: 'Removed',
  changed: 'Changed',
  layout: 'Moved only',
};
const MARKER: Record<ChangeKind, string> = {
  added: 'chis-diff-added',
  removed: 'chis-diff-removed',
  changed: 'chis-diff-changed',
  layout: 'chis-diff-layout',
};

function mark(viewer: Viewer, changes: ElementChange[], side: 'from' | 'to') {
  const { canvas, registry } = servicesOf(viewer);
  for (const c of changes) {
    if ((side === 'from' && c.kind === 'added') || (side === 'to' && c.kind === 'removed')) continue;
    if (registry.get(c.id)) canvas.addMarker(c.id, MARKER[c.kind]);
  }
}

export default function ComparePage() {
  const { key } = useParams<'key'>();
  const { search } = useLocation();
  const [versions, setVersions] = useState<VersionRow[] | null>(null);
  const [xml, setXml] = useState<{ from: string; to: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = versions?.[0]?.version ?? null;
  const to = Number(search.get('to')) || latest;
  const from = Number(search.get('from')) || (to ? to - 1 : null);
  const left = useRef<HTMLDivElement>(null);
  const right = useRef<HTMLDivElement>(null);

  useEffect(() => {
    processApi
      .versions(key)
      .then((r) => setVersions(r.versions))
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, [key]);
  useEffect(() => {
    if (!from || !to) return;
    setXml(null);
    Promise.all([processApi.xml(key, from), processApi.xml(key, to)])
      .then(([a, b]) => setXml({ from: a, to: b }))
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, [key, from, to]);

  const a = useViewer(left, xml?.from ?? null);
  const b = useViewer(right, xml?.to ?? null);
  const changes = useMemo(
    () =>
      a.ready && b.ready ? compareVersions(a.ready.viewer.getDefinitions(), b.ready.viewer.getDefinitions()) : null,
    [a.ready, b.ready],
  );
  useEffect(() => {
    if (!changes || !a.ready || !b.ready) return;
    mark(a.ready.viewer, changes, 'from');
    mark(b.ready.viewer, changes, 'to');
  }, [changes, a.ready, b.ready]);

  const choices = (versions ?? []).map((v) => ({ value: String(v.version), label: `Version ${v.version}` }));
  const byId = new Map((changes ?? []).map((c) => [c.id, c]));
  const select = (viewer: Viewer | undefined, id: string) => {
    const el = viewer && servicesOf(viewer).registry.get(id);
    if (el && viewer) servicesOf(viewer).canvas.scrollToElement(el);
  };

  return (
    <div className="chis-wide">
      <span className="nhsuk-caption-l">
        <Link to={`/processes/${encodeURIComponent(key)}`}>{key}</Link>
      </span>
      <h1 className="nhsuk-heading-l">
        Compare version {from ?? '…'} with version {to ?? '…'}
      </h1>
      {problem && (
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body">{problem}</p>
        </div>
      )}
      {versions && (
        <div className="chis-filters">
          <Select
            id="from"
            label="Earlier version"
            value={String(from ?? '')}
            choices={choices}
            onChange={(v) => setSearch({ from: v }, { replace: true })}
          />
          <Select
            id="to"
            label="Later version"
            value={String(to ?? '')}
            choices={choices}
            onChange={(v) => setSearch({ to: v }, { replace: true })}
          />
        </div>
      )}
      <ul className="chis-legend" aria-label="Key to the colours">
        <li>
          <span className="chis-swatch" style={{ borderColor: '#007f3b' }} aria-hidden="true" />
          Added
        </li>
        <li>
          <span className="chis-swatch" style={{ borderColor: '#d5281b' }} aria-hidden="true" />
          Removed
        </li>
        <li>
          <span className="chis-swatch" style={{ borderColor: '#7a5c00' }} aria-hidden="true" />
          Changed
        </li>
        <li>
          <span className="chis-swatch" style={{ borderColor: '#005eb8' }} aria-hidden="true" />
          Moved only
        </li>
      </ul>
      {!xml && !problem && <Loading />}
      <div className="chis-compare">
        <section aria-labelledby="from-heading">
          <h2 className="nhsuk-heading-s" id="from-heading">
            Version {from}
          </h2>
          <div
            ref={left}
            className="chis-diagram"
            role="application"
            aria-label={`Diagram of version ${from}; the list of changes below says what is marked`}
            data-testid="diagram-from"
          />
        </section>
        <section aria-labelledby="to-heading">
          <h2 className="nhsuk-heading-s" id="to-heading">
            Version {to}
          </h2>
          <div
            ref={right}
            className="chis-diagram"
            role="application"
            aria-label={`Diagram of version ${to}; the list of changes below says what is marked`}
            data-testid="diagram-to"
          />
        </section>
      </div>
      {(a.error || b.error) && <p className="nhsuk-error-message">{a.error ?? b.error}</p>}
      {changes && (
        <div className="chis-two-columns">
          <section aria-labelledby="changes-heading" data-testid="changes">
            <h2 className="nhsuk-heading-m" id="changes-heading">
              What changed
            </h2>
            {changes.length === 0 ? (
              <p className="nhsuk-body">The two versions are the same.</p>
            ) : (
              <table className="nhsuk-table">
                <TableHead caption="Changed elements and settings" columns={['Element', 'Change', 'Settings']} />
                <tbody className="nhsuk-table__body">
                  {changes.map((c) => (
                    <tr className="nhsuk-table__row" key={c.id} data-element-id={c.id}>
                      <td className="nhsuk-table__cell">
                        <button
                          type="button"
                          className="chis-link-button"
                          onClick={() => (select(a.ready?.viewer, c.id), select(b.ready?.viewer, c.id))}
                        >
                          {c.name || c.id}
                        </button>
                        {c.name && <span className="chis-element-id">{c.id}</span>}
                      </td>
                      <td className="nhsuk-table__cell">{KIND_TEXT[c.kind]}</td>
                      <td className="nhsuk-table__cell">
                        {c.properties.length === 0 ? (
                          c.kind === 'changed' ? (
                            'Changed inside (elements it contains)'
                          ) : (
                            '—'
                          )
                        ) : (
                          <dl className="chis-changes">
                            {c.properties.map((p) => (
                              <div key={p.property} data-property={p.property}>
                                <dt>{p.property}</dt>
                                <dd>
                                  <del>{p.before ?? '(not set)'}</del>
                                  <span aria-hidden="true"> → </span>
                                  <span className="nhsuk-u-visually-hidden"> changed to </span>
                                  <ins>{p.after ?? '(not set)'}</ins>
                                </dd>
                              </div>
                            ))}
                          </dl>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          {b.ready && (
            <ElementsTable
              caption={`Elements of version ${to}`}
              rows={b.ready.elements}
              onSelect={(id) => (select(a.ready?.viewer, id), select(b.ready?.viewer, id))}
              columns={[
                { header: 'Change', cell: (row) => (byId.get(row.id) ? KIND_TEXT[byId.get(row.id)!.kind] : 'None') },
              ]}
            />
          )}
        </div>
      )}
    </div>
  );
}
