/**
 * The embedded server's own figures in Prometheus's text format: tasks dispatched to pollers,
 * empty polls and poll waits (engine/server-stats.ts), PostgreSQL commits (each a transaction or
 * a group commit) and the in-memory task backlog and waiting pollers. No task queue or workflow
 * names in labels: sticky queues are per worker, and ids may carry business keys.
 */
import type { Engine } from './engine/engine';
import type { DispatchKind, PollKind } from './engine/server-stats';

const PREFIX = 'chis_embedded_temporal';

function metric(name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]): string {
  const lines = [`# HELP ${PREFIX}_${name} ${help}`, `# TYPE ${PREFIX}_${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${PREFIX}_${name}${labels} ${value}`);
  return lines.join('\n');
}

const POLL_KINDS: PollKind[] = ['workflow', 'activity'];
const DISPATCH_KINDS: DispatchKind[] = ['workflow', 'activity', 'query'];

export function embeddedTemporalMetrics(engine: Engine): string {
  const { stats, store, matching } = engine;
  const byKind = <K extends string>(kinds: K[], value: (k: K) => number): [string, number][] =>
    kinds.map((k) => [`{kind="${k}"}`, value(k)]);
  return [
    metric(
      'tasks_dispatched_total',
      'counter',
      'Workflow, activity and query tasks handed to polling workers',
      byKind(DISPATCH_KINDS, (k) => stats.dispatched[k]),
    ),
    metric(
      'polls_empty_total',
      'counter',
      'Worker polls that ended without a task (the long poll timed out or was cancelled)',
      byKind(POLL_KINDS, (k) => stats.emptyPolls[k]),
    ),
    metric(
      'poll_wait_seconds_total',
      'counter',
      'Seconds worker polls waited, with or without a task at the end',
      byKind(POLL_KINDS, (k) => stats.pollWaitSeconds[k]),
    ),
    metric('commits_total', 'counter', 'Transactions committed to PostgreSQL (a group commit counts once)', [
      ['', store.commits],
    ]),
    metric('grouped_batches_total', 'counter', 'Changes of single runs committed as part of a group commit', [
      ['', store.groupedBatches],
    ]),
    metric(
      'task_backlog',
      'gauge',
      'Tasks queued in memory waiting for a poller',
      byKind(POLL_KINDS, (k) => matching.totals(k).backlog),
    ),
    metric(
      'pollers_waiting',
      'gauge',
      'Worker polls waiting for a task now',
      byKind(POLL_KINDS, (k) => matching.totals(k).pollers),
    ),
    '',
  ].join('\n');
}
