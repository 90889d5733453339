/**
 * The metrics the provisioned Grafana dashboard (docker/grafana/dashboards/chis-flow.json) asks
 * Prometheus for, so tests can check each is one that /metrics really exports.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DASHBOARD_FILE = join(resolve(__dirname, '../../..'), 'docker/grafana/dashboards/chis-flow.json');

type Panel = { type: string; targets?: Array<{ expr?: string }>; datasource?: { uid?: string } };
export type Dashboard = { uid: string; title: string; panels: Panel[] };

export const dashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

export const dashboardQueries = (d = dashboard()): string[] =>
  d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

/** Metric names in the queries: ours (chis_), the SDK's (temporal_) and the process's (process_, nodejs_). */
export function dashboardMetricNames(d = dashboard()): string[] {
  const names = dashboardQueries(d).flatMap((q) =>
    [...q.matchAll(/\b(?:chis|temporal|process|nodejs)_\w+/g)].map((m) => m[0]),
  );
  return [...new Set(names)].sort();
}

/** Whether a scrape (Prometheus text) declares the metric; a histogram's _bucket/_sum/_count are its series. */
export function scrapeExports(text: string, name: string): boolean {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return [name, base].some((n) => new RegExp(`^# TYPE ${n} `, 'm').test(text));
}
