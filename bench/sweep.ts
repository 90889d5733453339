/**
 * The overdue sweep over the synthetic region: starts an embedded PostgreSQL, migrates,
 * seeds N children (default 100,000; the full region is 1,400,000) with db/seed, and prints
 * the time of the sweep's one set-based statement (activities/immunisation/overdue-query.ts):
 * the daily run (doses that became overdue in the lookback window), the same run again
 * (idempotent: nothing new), and a catch-up over every dose still offered (rolled back).
 *
 *   npx tsx bench/sweep.ts [--children 1400000] [--lookback 28] [--explain] [--no-catch-up] [--data-dir DIR]
 *
 * The catch-up (every overdue dose still offered, as a first run over a region with a history
 * would do) is a one-off and much slower; --no-catch-up leaves it out.
 * --data-dir keeps the cluster in DIR and reuses a region seeded there before (same size),
 * so that repeated runs skip the seed. Target: the daily sweep ≤ 10 s over 1.4 M on 2 cores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  CATCH_UP_LOOKBACK_DAYS,
  DEFAULT_LOOKBACK_DAYS,
  RECORD_OVERDUE_FOLLOW_UPS_SQL,
} from '../activities/immunisation/overdue-query';
import { freePort } from '../core/free-port';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { connect } from '../db/database';
import { migrate } from '../db/migrate';
import { seedRegion } from '../db/seed';

const AS_OF = '2026-11-24';

interface Args {
  children: number;
  lookback: number;
  explain: boolean;
  catchUp: boolean;
  dataDir: string | null;
}

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: npx tsx bench/sweep.ts [--children N] [--lookback DAYS] [--explain] [--no-catch-up] [--data-dir DIR]`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    children: 100_000,
    lookback: DEFAULT_LOOKBACK_DAYS,
    explain: false,
    catchUp: true,
    dataDir: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--explain') args.explain = true;
    else if (flag === '--no-catch-up') args.catchUp = false;
    else if (flag === '--data-dir') args.dataDir = argv[++i] ?? usage('--data-dir needs a folder');
    else if (flag === '--children' || flag === '--lookback') {
      const value = Number(argv[++i]);
      if (!Number.isSafeInteger(value) || value < 1) usage(`${flag} needs a whole number above 0, got ${argv[i]}`);
      args[flag === '--children' ? 'children' : 'lookback'] = value;
    } else usage(`unknown argument ${JSON.stringify(flag)}`);
  }
  return args;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

async function newSweep(client: Client, key: string, lookback: number): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    'INSERT INTO immunisation_sweeps (idempotency_key, as_of, lookback_days) VALUES ($1, $2, $3) RETURNING id',
    [key, AS_OF, lookback],
  );
  return rows[0].id;
}

async function runSweep(client: Client, sweepId: string, lookback: number): Promise<number> {
  const { rows } = await client.query<{ found: number }>(RECORD_OVERDUE_FOLLOW_UPS_SQL, [AS_OF, lookback, sweepId]);
  return rows[0].found;
}

async function explain(client: Client, lookback: number, label: string): Promise<void> {
  await client.query('BEGIN');
  try {
    const sweepId = await newSweep(client, `explain-${label}`, lookback);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${RECORD_OVERDUE_FOLLOW_UPS_SQL}`,
      [AS_OF, lookback, sweepId],
    );
    console.log(`\nEXPLAIN ANALYZE, ${label} (rolled back):`);
    for (const r of rows) console.log(`  ${r['QUERY PLAN']}`);
  } finally {
    await client.query('ROLLBACK');
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = args.dataDir ?? (await mkdtemp(join(tmpdir(), 'chis-bench-sweep-')));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: args.dataDir !== null });
  try {
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = 'bench'")).rowCount! > 0;
    if (!exists) await admin.query('CREATE DATABASE bench');
    await admin.end();

    const db = connect(postgres.urlFor('bench'));
    await migrate(db.sequelize);
    const [[{ n }]] = (await db.sequelize.query('SELECT count(*)::int AS n FROM children')) as [
      [{ n: number }],
      unknown,
    ];
    if (n === 0) {
      console.log(`seeding ${args.children} children (reference date ${AS_OF}) ...`);
      const seeded = await seedRegion(db.sequelize, { children: args.children, referenceDate: AS_OF });
      console.log(`  seeded in ${seconds(seeded.durationMs)}`);
    } else if (n !== args.children) {
      throw new Error(`${dataDir} holds ${n} children, not ${args.children}: use another --data-dir`);
    } else console.log(`reusing the ${n} children in ${dataDir}`);
    await db.close();

    const client = new Client({ connectionString: postgres.urlFor('bench') });
    await client.connect();
    // Follow-ups of an earlier run in a kept cluster would make the "first run" a repeat.
    await client.query('TRUNCATE immunisation_follow_ups, immunisation_sweeps CASCADE');
    const vacuum = await timed(() => client.query('VACUUM ANALYZE'));
    const counts = (
      await client.query<{ children: number; events: number }>(
        'SELECT (SELECT count(*)::int FROM children) AS children, (SELECT count(*)::int FROM immunisation_events) AS events',
      )
    ).rows[0];
    const settings = (
      await client.query<{ name: string; setting: string; unit: string | null }>(
        "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')",
      )
    ).rows
      .map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`)
      .join(', ');
    console.log(
      `${counts.children} children, ${counts.events} immunisation events; VACUUM ANALYZE ${seconds(vacuum.ms)}`,
    );
    console.log(`${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}; ${settings}`);

    console.log('');
    console.log(`overdue sweep as of ${AS_OF} over ${counts.children} children:`);
    const daily1 = await timed(async () =>
      runSweep(client, await newSweep(client, 'daily-1', args.lookback), args.lookback),
    );
    console.log(
      `  daily sweep (became overdue in the last ${args.lookback} days): ${seconds(daily1.ms)}, ${daily1.value} follow-ups recorded   (target ≤ 10 s for 1.4 M)`,
    );
    const daily2 = await timed(async () =>
      runSweep(client, await newSweep(client, 'daily-2', args.lookback), args.lookback),
    );
    console.log(
      `  the same sweep again (idempotent):                 ${seconds(daily2.ms)}, ${daily2.value} follow-ups recorded`,
    );
    if (args.catchUp) {
      await client.query('BEGIN');
      const catchUp = await timed(async () =>
        runSweep(client, await newSweep(client, 'catch-up', CATCH_UP_LOOKBACK_DAYS), CATCH_UP_LOOKBACK_DAYS),
      );
      await client.query('ROLLBACK');
      console.log(
        `  catch-up, every overdue dose still offered:        ${seconds(catchUp.ms)}, ${catchUp.value} follow-ups (rolled back)`,
      );
    }
    console.log(`load average at the end: ${loadavg()[0].toFixed(1)} (other work on the machine slows the run down)`);

    if (args.explain) {
      await client.query('TRUNCATE immunisation_follow_ups, immunisation_sweeps CASCADE');
      await explain(client, args.lookback, `daily sweep, lookback ${args.lookback} days`);
      if (args.catchUp) await explain(client, CATCH_UP_LOOKBACK_DAYS, 'catch-up');
    }
    await client.end();
  } finally {
    await postgres.stop();
    if (args.dataDir === null) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
