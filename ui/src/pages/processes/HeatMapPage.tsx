/** S16 Where the running instances of a version are now: a count on each element, and the same in a table. */
import { useEffect, useRef, useState } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type ElementStats, type VersionRow } from '../../api/processes';
import { Loading } from '../../app/App';
import { Link, setSearch, useLocation, useParams } from '../../app/router';
import { badge, servicesOf, useViewer } from '../../bpmn/viewer';
import { Select } from '../../components/Fields';
import { ElementsTable } from '../../manager/ElementsTable';
import '../../manager/manager.css';

export default function HeatMapPage() {
  const { key } = useParams<'key'>();
  const { search } = useLocation();
  const [versions, setVersions] = useState<VersionRow[] | null>(null);
  const [stats, setStats] = useState<ElementStats | null>(null);
  const [xml, setXml] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const version = Number(search.get('version')) || versions?.[0]?.version || null;
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    processApi
      .versions(key)
      .then((r) => setVersions(r.versions))
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, [key]);
  useEffect(() => {
    if (!version) return;
    setStats(null);
    Promise.all([processApi.xml(key, version), processApi.elementStats(key, version)])
      .then(([x, s]) => {
        setXml(x);
        setStats(s);
      })
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, [key, version]);

  const { ready } = useViewer(host, xml);
  const byId = new Map((stats?.elements ?? []).map((e) => [e.elementId, e]));
  useEffect(() => {
    if (!ready || !stats) return;
    const { canvas, overlays, registry } = servicesOf(ready.viewer);
    overlays.remove({ type: 'chis-heat' });
    for (const e of stats.elements) {
      if (!registry.get(e.elementId)) continue;
      canvas.addMarker(e.elementId, e.incidents ? 'chis-incident' : 'chis-active');
      overlays.add(e.elementId, 'chis-heat', {
        position: { top: -10, right: 10 },
        scale: false,
        html: badge(String(e.active), e.incidents ? 'incident' : 'active', `${e.active} here now`),
      });
    }
  }, [ready, stats]);

  return (
    <div className="chis-wide">
      <span className="nhsuk-caption-l">
        <Link to={`/processes/${encodeURIComponent(key)}`}>{key}</Link>
      </span>
      <h1 className="nhsuk-heading-l">Where running instances are now</h1>
      {problem && (
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body">{problem}</p>
        </div>
      )}
      {versions && (
        <Select
          id="version"
          label="Version"
          value={String(version ?? '')}
          choices={versions.map((v) => ({
            value: String(v.version),
            label: `Version ${v.version} (${v.instances.running} running)`,
          }))}
          onChange={(v) => setSearch({ version: v }, { replace: true })}
        />
      )}
      {!stats && !problem && <Loading />}
      {stats && (
        <p className="nhsuk-body" role="status" data-testid="heat-summary">
          {stats.running === 0
            ? `No instances are running on version ${stats.version}.`
            : `${stats.running} instance${stats.running === 1 ? ' is' : 's are'} running on version ${stats.version}` +
              (stats.counted < stats.running ? `; the newest ${stats.counted} are counted below.` : '.') +
              (stats.unavailable ? ` The engine did not answer for ${stats.unavailable}.` : '')}
        </p>
      )}
      <div
        ref={host}
        className="chis-diagram"
        role="application"
        aria-label="Diagram with the number of instances at each element; the table below gives the same numbers"
        data-testid="heat-diagram"
      />
      {ready && stats && (
        <ElementsTable
          caption="Instances at each element now"
          rows={ready.elements}
          columns={[
            { header: 'Instances here now', cell: (row) => byId.get(row.id)?.active ?? 0 },
            { header: 'Incidents', cell: (row) => byId.get(row.id)?.incidents ?? 0 },
          ]}
        />
      )}
    </div>
  );
}
