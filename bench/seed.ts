/**
 * Seed throughput: starts its own embedded PostgreSQL in a temporary folder, migrates,
 * seeds N children (default 100,000) and prints children per second, rows per table, CPU
 * time of this process and of PostgreSQL, and the time the full region (1.4 M) would take.
 *
 *   npx tsx bench/seed.ts [--children 100000] [--batch 10000] [--concurrency 2] [--seed 1]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../core/free-port';
import { connect } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrations/run';
import { seedRegion, type SeededTable } from '../db/seed';

const FULL_REGION = 1_400_000;
const TABLES: SeededTable[] = [
  'children',
  'contacts',
  'immunisation_events',
  'screening_results',
  'safeguarding_concerns',
  'gp_practices',
  'staff_users',
  'teams',
];

function parseArgs(argv: string[]): Record<string, number> {
  const values: Record<string, number> = { children: 100_000, batch: 10_000, concurrency: 2, seed: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!(name in values) || !Number.isSafeInteger(value) || value < 0) {
      console.error(
        `usage: npx tsx bench/seed.ts [--children N] [--batch B] [--concurrency C] [--seed S] (bad: ${argv[i]} ${argv[i + 1] ?? ''})`,
      );
      process.exit(2);
    }
    values[name] = value;
  }
  return values;
}

/** CPU milliseconds of a process and of its reaped children (PostgreSQL's exited backends). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return ticks * 10; // USER_HZ is 100 on Linux
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-bench-seed-'));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  try {
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const db = connect(postgres.urlFor('bench'));
    await migrate(db.sequelize);
    const postmasterPid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

    console.log(
      `seeding ${args.children} children (batch ${args.batch}, concurrency ${args.concurrency}, seed ${args.seed}); ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`,
    );
    const pgCpuBefore = await cpuMs(postmasterPid);
    const nodeCpuBefore = process.cpuUsage();
    let reported = 0;
    const summary = await seedRegion(db.sequelize, {
      children: args.children,
      batchSize: args.batch,
      concurrency: args.concurrency,
      seed: args.seed,
      referenceDate: '2026-11-24',
      onProgress: (done, total) => {
        const tenths = Math.floor((done * 10) / total);
        if (tenths > reported) {
          console.log(`  ${done} / ${total}`);
          reported = tenths;
        }
      },
    });
    const seconds = summary.durationMs / 1000;
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    await db.close(); // ends the backends, so that their CPU time reaches the postmaster's children total
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pgCpu = (await cpuMs(postmasterPid)) - pgCpuBefore;

    const counter = connect(postgres.urlFor('bench'));
    const [counts] = (await counter.sequelize.query(
      `SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}, pg_size_pretty(pg_database_size('bench')) AS size`,
    )) as [Record<string, number | string>[], unknown];
    await counter.close();

    const perSecond = args.children / seconds;
    const rowsWritten = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    console.log('');
    console.log(`children inserted per second: ${Math.round(perSecond)}`);
    console.log(
      `rows inserted per second:     ${Math.round(rowsWritten / seconds)} (${rowsWritten} rows in ${seconds.toFixed(1)} s)`,
    );
    console.log(`load average at the end: ${loadavg()[0].toFixed(1)} (other work on the machine slows the run down)`);
    console.log(
      `CPU: seed process ${((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(1)} s, PostgreSQL ${(pgCpu / 1000).toFixed(1)} s`,
    );
    console.log(`database size: ${counts[0].size}`);
    console.log('rows per table:');
    for (const t of TABLES) console.log(`  ${t.padEnd(22)} ${String(counts[0][t]).padStart(10)}`);
    const fullSeconds = FULL_REGION / perSecond;
    console.log(
      `extrapolated for ${FULL_REGION.toLocaleString('en-GB')} children: ${Math.floor(fullSeconds / 60)} min ${Math.round(fullSeconds % 60)} s (target: under 5 min)`,
    );
  } finally {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
