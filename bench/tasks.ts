/**
 * Queue and task-action latency at scale: seeds a throwaway embedded PostgreSQL with
 * BENCH_TASKS tasks (default 1,000,000, of which BENCH_OPEN = 100,000 open or claimed), then
 * times the main queue pages, claim and complete through the real HTTP API.
 *
 *   npx tsx bench/tasks.ts            # BENCH_TASKS=200000 BENCH_OPEN=20000 for a quick run
 *
 * Completion is timed twice: with the database completer on the seeded tasks, and with the
 * Temporal completer on BENCH_TEMPORAL_SAMPLES processes run on the embedded Temporal server.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../core/free-port';
import { connect } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrations/run';
import { select, type Db } from '../records/sql';
import { queuePage, queueQuery, type QueueCursor, type QueueScope } from '../records/tasks/rows';
import { encodeCursor } from '../api/routes/tasks-schemas';
import { benchTemporalCompletion } from './task-completion-temporal';
import { benchWorkerAndApp, seedTaskFixture } from './task-fixture';

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

const TOTAL = Number(process.env.BENCH_TASKS ?? 1_000_000);
const OPEN = Number(process.env.BENCH_OPEN ?? 100_000);
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
/** Processes run to a user task and completed through the workflow update; 0 skips the Temporal phase. */
const TEMPORAL_SAMPLES = Number(process.env.BENCH_TEMPORAL_SAMPLES ?? 100);
const PASSWORD = 'bench-password';
function listen(handler: Parameters<typeof createServer>[1], port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.keepAliveTimeout = 60_000;
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-bench-tasks-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const admin = new Client({ connectionString: pg.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const database = connect(pg.urlFor('bench'), { poolMax: 10 });
  let server: Server | undefined;
  try {
    const db: Db = { sequelize: database.sequelize };
    await migrate(database.sequelize);
    console.log(`Seeding ${TOTAL} tasks, ${OPEN} active, ${CHILDREN} children`);
    await seedTaskFixture(db, { total: TOTAL, open: OPEN, children: CHILDREN });

    const { worker, app } = await benchWorkerAndApp(db, PASSWORD);
    const port = await freePort();
    server = await listen(app, port);
    const base = `http://127.0.0.1:${port}/api`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: worker.username, password: PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };

    const [someChild] = await select<{ id: string; nhsNumber: string }>(
      db,
      'SELECT id, nhs_number FROM children WHERE locality_id = 1 ORDER BY id LIMIT 1',
    );
    const viewer = {
      username: worker.username,
      groups: [...worker.teamCodes, worker.role],
      localityIds: worker.localityIds,
    };
    const now = new Date();
    const unclaimed: QueueScope = { kind: 'unclaimed', viewer };
    const page2 = (await queuePage(db, unclaimed, 25, null)).next;
    if (!page2)
      throw new Error(
        `the bench worker's unclaimed queue has one page only: raise BENCH_TASKS/BENCH_OPEN (now ${TOTAL}/${OPEN})`,
      );

    const queues: Array<[string, string, QueueScope, QueueCursor | null]> = [
      ['my tasks', '/tasks/queues/mine?limit=25', { kind: 'mine', username: worker.username }, null],
      ["my teams' unclaimed", '/tasks/queues/unclaimed?limit=25', unclaimed, null],
      [
        "my teams' unclaimed, page 2",
        `/tasks/queues/unclaimed?limit=25&cursor=${encodeCursor(page2)}`,
        unclaimed,
        page2,
      ],
      ['overdue', '/tasks/queues/overdue?limit=25', { kind: 'overdue', viewer, now }, null],
      ['due today', '/tasks/queues/due-today?limit=25', { kind: 'dueToday', viewer, now }, null],
      ['by locality', '/tasks/queues/locality/birmingham?limit=25', { kind: 'locality', localityId: 1 }, null],
      [
        'by process',
        '/tasks/queues/process/new-birth?limit=25',
        { kind: 'process', processKey: 'new-birth', viewer },
        null,
      ],
      ['by child', `/children/${someChild.nhsNumber}/tasks?limit=25`, { kind: 'child', childId: someChild.id }, null],
    ];
    const results: Array<[string, number[]]> = [];
    const plans: string[] = [];
    for (const [label, path, scope, after] of queues) {
      for (let i = 0; i < 10; i++) await fetch(`${base}${path}`, { headers }).then((r) => r.arrayBuffer()); // warm-up
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const started = process.hrtime.bigint();
        const res = await fetch(`${base}${path}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}`);
        times.push(elapsed(started));
      }
      results.push([label, times]);
      // The database's own time for the same page, and the plan it used.
      const { sql, bind } = queueQuery(scope, 25, after);
      const [explained] = await select<Record<string, unknown>>(db, `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, bind);
      const plan = (
        Object.values(explained)[0] as Array<{ Plan: Record<string, unknown>; 'Execution Time': number }>
      )[0];
      const indexes = JSON.stringify(plan.Plan)
        .match(/"Index Name":"[^"]+"/g)
        ?.map((m) => m.slice(14, -1)) ?? ['(no index)'];
      plans.push(
        `${label.padEnd(30)} ${plan['Execution Time'].toFixed(2).padStart(7)} ms  ${[...new Set(indexes)].join(', ')}`,
      );
    }

    const claimTimes: number[] = [];
    const completeTimes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const page = (await (await fetch(`${base}/tasks/queues/unclaimed?limit=1`, { headers })).json()) as {
        tasks: Array<{ id: string }>;
      };
      const id = page.tasks[0].id;
      let started = process.hrtime.bigint();
      const claim = await fetch(`${base}/tasks/${id}/claim`, { method: 'POST', headers, body: '{}' });
      await claim.arrayBuffer();
      claimTimes.push(elapsed(started));
      started = process.hrtime.bigint();
      const complete = await fetch(`${base}/tasks/${id}/complete`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ outcome: 'done', data: { note: 'bench' } }),
      });
      await complete.arrayBuffer();
      completeTimes.push(elapsed(started));
      if (claim.status !== 200 || complete.status !== 200)
        throw new Error(`claim ${claim.status} / complete ${complete.status}`);
    }
    results.push(['claim', claimTimes], ['complete (database completer, no Temporal)', completeTimes]);

    if (TEMPORAL_SAMPLES > 0) {
      console.log(`  running ${TEMPORAL_SAMPLES} processes on the embedded Temporal server to their user task`);
      const signIn = async (at: string) => {
        const res = await fetch(`${at}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: worker.username, password: PASSWORD }),
        });
        const token = ((await res.json()) as { csrfToken: string }).csrfToken;
        return {
          cookie: res.headers.get('set-cookie')!.split(';')[0],
          'x-csrf-token': token,
          'content-type': 'application/json',
        };
      };
      const temporal = await benchTemporalCompletion(db, pg.urlFor('bench'), signIn, listen, TEMPORAL_SAMPLES);
      results.push(
        ['claim (task of a running process)', temporal.claim],
        ['complete (Temporal update + row)', temporal.complete],
      );
    }

    console.log(
      `\nMachine load average (1/5/15 min): ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} on ${cpus().length} CPUs`,
    );
    console.log('\nSQL execution time of one queue page (EXPLAIN ANALYZE) and the indexes used:');
    for (const line of plans) console.log(`  ${line}`);
    console.log(`\nLatency through HTTP, ${SAMPLES} requests each (${TEMPORAL_SAMPLES} for the Temporal rows) (ms):`);
    console.log(`${'request'.padEnd(46)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}`);
    for (const [label, times] of results) {
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `${label.padEnd(46)} ${percentile(sorted, 50).toFixed(2).padStart(7)} ${percentile(sorted, 95).toFixed(2).padStart(7)} ${sorted[sorted.length - 1].toFixed(2).padStart(7)}`,
      );
    }
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database.close();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
