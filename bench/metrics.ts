/**
 * What /metrics' task figures cost the database: seeds a throwaway embedded PostgreSQL with
 * BENCH_TASKS tasks (default 1,000,000, of which BENCH_OPEN = 100,000 open or claimed, as
 * bench/tasks.ts) and times the task queue and SLA readings (records/tasks/operational-figures.ts),
 * which /metrics makes at most once per CHIS_METRICS_REFRESH_SECONDS. Prints p50/p95 of
 * BENCH_SAMPLES readings each.
 *
 *   npx tsx bench/metrics.ts            # BENCH_TASKS=200000 BENCH_OPEN=20000 for a quick run
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../core/free-port';
import { connect } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrations/run';
import type { Db } from '../records/sql';
import { taskQueueFigures, taskSlaFigures } from '../records/tasks/operational-figures';
import { seedTaskFixture } from './task-fixture';

const TOTAL = Number(process.env.BENCH_TASKS ?? 1_000_000);
const OPEN = Number(process.env.BENCH_OPEN ?? 100_000);
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function time(label: string, read: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = process.hrtime.bigint();
    await read();
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} p50 ${percentile(ms, 50).toFixed(1)} ms   p95 ${percentile(ms, 95).toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-bench-metrics-'));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const admin = new Client({ connectionString: pg.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const database = connect(pg.urlFor('bench'), { poolMax: 4 });
  try {
    const db: Db = { sequelize: database.sequelize };
    await migrate(database.sequelize);
    console.log(`Seeding ${TOTAL} tasks, ${OPEN} active, ${CHILDREN} children`);
    await seedTaskFixture(db, { total: TOTAL, open: OPEN, children: CHILDREN });
    await database.sequelize.query('VACUUM ANALYZE');
    console.log(`${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}; ${SAMPLES} readings each`);
    const queues = await taskQueueFigures(db, new Date());
    console.log(`${queues.length} queues, ${queues.reduce((n, q) => n + q.depth, 0)} queued task entries`);
    await time('task queues (depth, oldest, overdue)', () => taskQueueFigures(db, new Date()));
    await time('SLA by locality (overdue, escalated)', () => taskSlaFigures(db, new Date()));
  } finally {
    await database.close();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
