/**
 * The overdue sweep over the synthetic region: starts an embedded PostgreSQL, migrates, seeds
 * N children (default 100,000; the full region is 1,400,000) with db/seed, and times the sweep
 * (activities/immunisation/sweep-overdue.ts), which evaluates with schedule/evaluate.ts the
 * children whose schedule can have changed:
 *
 * 1. the first evaluation of every child (a one-off after seeding, or after a new version of the
 *    rules; it records the doses that became overdue in the look-back window), as of the day
 *    before;
 * 2. for each of --days days (default 3) from the reference day: a day's new immunisations
 *    recorded (--events-per-day, default 5,000: about what 1.4 M children receive in a day),
 *    which mark their children, then the daily sweep as of that day: the children with new
 *    immunisations and those with a dose becoming overdue (on the first day, the same sweep
 *    again: nothing new); the median of the days is printed;
 * 3. with --catch-up, last: every child with every dose still offered (its follow-ups stay).
 *
 *   npx tsx bench/sweep.ts [--children 1400000] [--lookback 28] [--events-per-day 5000] [--days 3] [--catch-up] [--data-dir DIR]
 *
 * --data-dir keeps the cluster in DIR and reuses a region seeded there before (same size),
 * so that repeated runs skip the seed. Target: the daily sweep ≤ 10 s over 1.4 M on 2 cores.
 */
import { cpus, loadavg } from 'node:os';
import { Client } from 'pg';
import { CATCH_UP_LOOKBACK_DAYS, DEFAULT_LOOKBACK_DAYS } from '../activities/immunisation/lookback';
import { recordOverdueFollowUps } from '../activities/immunisation/sweep-overdue';
import { connect } from '../db/database';
import { addDays } from '../schedule';
import { withSeededRegion } from './seeded-region';

const AS_OF = '2026-11-24';

interface Args {
  children: number;
  lookback: number;
  eventsPerDay: number;
  days: number;
  catchUp: boolean;
  dataDir: string | null;
}

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: npx tsx bench/sweep.ts [--children N] [--lookback DAYS] [--events-per-day N] [--days N] [--catch-up] [--data-dir DIR]`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    children: 100_000,
    lookback: DEFAULT_LOOKBACK_DAYS,
    eventsPerDay: 5_000,
    days: 3,
    catchUp: false,
    dataDir: null,
  };
  const numeric = {
    '--children': 'children',
    '--lookback': 'lookback',
    '--events-per-day': 'eventsPerDay',
    '--days': 'days',
  } as const;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--catch-up') args.catchUp = true;
    else if (flag === '--data-dir') args.dataDir = argv[++i] ?? usage('--data-dir needs a folder');
    else if (flag in numeric) {
      const value = Number(argv[++i]);
      if (!Number.isSafeInteger(value) || value < 1) usage(`${flag} needs a whole number above 0, got ${argv[i]}`);
      args[numeric[flag as keyof typeof numeric]] = value;
    } else usage(`unknown argument ${JSON.stringify(flag)}`);
  }
  // Each day's doses go to distinct children (a sample of the register): there cannot be more than children.
  if (args.eventsPerDay > args.children)
    usage(
      `--events-per-day (${args.eventsPerDay}) cannot exceed --children (${args.children}): one dose per child and day`,
    );
  return args;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

/**
 * A day's new immunisations: a seasonal flu dose for randomly chosen children (the n-th day's
 * dose n, so one per child and day), which marks each child for the next sweep exactly as any
 * recorded immunisation does.
 */
async function recordDaysImmunisations(client: Client, count: number, day: string, n: number): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO immunisation_events (child_id, vaccine, dose, given_on, given_by, source)
     SELECT id, 'flu', $3, $2::date, 'bench', 'bench' FROM children TABLESAMPLE BERNOULLI (100 * $1::float / (SELECT count(*) FROM children))
     WHERE status = 'active' AND date_of_birth <= $2::date
     ON CONFLICT (child_id, vaccine, dose) DO NOTHING`,
    [count, day, n],
  );
  return rowCount ?? 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const region = {
    dataDir: args.dataDir,
    tempPrefix: 'chis-bench-sweep-',
    children: args.children,
    referenceDate: AS_OF,
  };
  await withSeededRegion(region, async ({ postgres }) => {
    const client = new Client({ connectionString: postgres.urlFor('bench') });
    // Without a listener a dropped connection's error would crash the process and hide the real failure.
    client.on('error', (err) => console.error(`bench database connection: ${err.message}`));
    await client.connect();
    // A kept cluster: start again from "never evaluated", as after seeding.
    await client.query('TRUNCATE immunisation_follow_ups, immunisation_sweeps CASCADE');
    await client.query(`DELETE FROM immunisation_events WHERE source = 'bench'`);
    await client.query(`UPDATE immunisation_schedule_checks SET next_check_on = '-infinity', checked_at = NULL`);
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

    const sweepDb = connect(postgres.urlFor('bench'), { poolMax: 5 });
    const sweep = (key: string, asOf: string, lookbackDays: number) =>
      timed(() => recordOverdueFollowUps(sweepDb.sequelize, { idempotencyKey: key, asOf, lookbackDays }));
    const yesterday = addDays(AS_OF, -1);
    console.log('');
    const first = await sweep('first', yesterday, args.lookback);
    console.log(
      `first evaluation of every child as of ${yesterday} (one-off): ${seconds(first.ms)}, ${first.value.evaluated} children, ${first.value.found} follow-ups recorded`,
    );
    const dailyMs: number[] = [];
    for (let d = 0; d < args.days; d++) {
      const day = addDays(AS_OF, d);
      const events = await recordDaysImmunisations(client, args.eventsPerDay, day, d + 1);
      await client.query('ANALYZE immunisation_schedule_checks');
      const marked = (
        await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM immunisation_schedule_checks WHERE next_check_on <= $1::date`,
          [day],
        )
      ).rows[0].n;
      const daily = await sweep(`daily-${day}`, day, args.lookback);
      dailyMs.push(daily.ms);
      console.log(
        `  ${day}: ${events} immunisations recorded, ${marked} children to evaluate; daily sweep ${seconds(daily.ms)}, ${daily.value.evaluated} evaluated, ${daily.value.found} follow-ups recorded`,
      );
      if (d === 0) {
        const again = await sweep(`daily-${day}-again`, day, args.lookback);
        console.log(
          `  ${day} again (idempotent): ${seconds(again.ms)}, ${again.value.evaluated} evaluated, ${again.value.found} follow-ups recorded`,
        );
      }
    }
    const sorted = [...dailyMs].sort((a, b) => a - b);
    console.log(
      `daily sweep, median of ${sorted.length} days: ${seconds(sorted[Math.floor(sorted.length / 2)])}   (target ≤ 10 s for 1.4 M)`,
    );
    if (args.catchUp) {
      const catchUp = await sweep('catch-up', AS_OF, CATCH_UP_LOOKBACK_DAYS);
      console.log(
        `  catch-up, every child and every overdue dose still offered: ${seconds(catchUp.ms)}, ${catchUp.value.found} follow-ups`,
      );
    }
    console.log(`load average at the end: ${loadavg()[0].toFixed(1)} (other work on the machine slows the run down)`);
    await sweepDb.close();
    await client.end();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
