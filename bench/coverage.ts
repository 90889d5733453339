/**
 * The coverage report over the synthetic region: starts an embedded PostgreSQL, migrates, seeds
 * N children (default the full region, 1,400,000) with db/seed — realistic immunisation
 * histories by cohort — and times GET /api/reports/coverage through the real express app, signed
 * in as a service manager:
 *
 * - the whole region, all three birthdays (12 months, 24 months, 5 years) of a quarter;
 * - the whole region, one birthday;
 * - one locality (Birmingham, the largest), all three birthdays.
 *
 * Each is requested --runs times (default 20) after one warm-up; p50 and p95 are printed.
 *
 *   npx tsx bench/coverage.ts [--children 1400000] [--runs 20] [--quarter 2026-Q3] [--data-dir DIR]
 *
 * --data-dir keeps the cluster in DIR and reuses a region seeded there before (same size; the
 * sweep bench's folders work too). Targets: ≤ 2 s for the region, ≤ 300 ms for one locality.
 */
import { cpus, loadavg } from 'node:os';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { hashPassword } from '../api/auth/passwords';
import { selectOne } from '../records/sql';
import { createStaff } from '../records/staff';
import { isCoverQuarter } from '../schedule/cover';
import { caseWorkDependencies } from '../system/composition';
import { withSeededRegion } from './seeded-region';

const AS_OF = '2026-11-24';
const PASSWORD = 'bench-coverage-password';

interface Args {
  children: number;
  runs: number;
  quarter: string;
  dataDir: string | null;
}

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: npx tsx bench/coverage.ts [--children N] [--runs N] [--quarter YYYY-Qn] [--data-dir DIR]`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { children: 1_400_000, runs: 20, quarter: '2026-Q3', dataDir: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--data-dir') args.dataDir = value;
    else if (flag === '--quarter') {
      if (!isCoverQuarter(value)) usage(`--quarter needs a quarter as YYYY-Qn, got ${value}`);
      args.quarter = value;
    } else if (flag === '--children' || flag === '--runs') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 1) usage(`${flag} needs a whole number above 0, got ${value}`);
      args[flag === '--children' ? 'children' : 'runs'] = n;
    } else usage(`unknown argument ${JSON.stringify(flag)}`);
  }
  return args;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const region = {
    dataDir: args.dataDir,
    tempPrefix: 'chis-bench-coverage-',
    children: args.children,
    referenceDate: AS_OF,
  };
  await withSeededRegion(region, async ({ db, seeded }) => {
    if (seeded) await db.sequelize.query('VACUUM ANALYZE');
    const events = (await selectOne<{ n: number }>(db, 'SELECT count(*)::int AS n FROM immunisation_events'))!.n;

    const username = 'bench.manager';
    if (!(await selectOne(db, 'SELECT 1 FROM staff_users WHERE username = $1', [username]))) {
      await createStaff(db, {
        username,
        displayName: 'Bench service manager',
        role: 'service_manager',
        passwordHash: await hashPassword(PASSWORD),
        localityIds: [],
        teamCodes: [],
      });
    }
    const app = createApp({
      logger: pino({ level: 'silent' }),
      health: {},
      caseWork: caseWorkDependencies({
        db,
        auth: {
          sessionIdleMinutes: 30,
          sessionMaxHours: 12,
          cookieSecure: false,
          loginMaxFailures: 5,
          loginWindowMinutes: 15,
        },
      }),
    });
    const agent = request.agent(app);
    const login = await agent.post('/api/auth/login').send({ username, password: PASSWORD });
    if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${JSON.stringify(login.body)}`);

    console.log(
      `${args.children} children, ${events} immunisation events; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`,
    );
    const cases = [
      { name: 'region, all three birthdays', query: `quarter=${args.quarter}`, target: '≤ 2 s' },
      { name: 'region, 12 months only', query: `quarter=${args.quarter}&cohort=12m`, target: '≤ 2 s' },
      {
        name: 'Birmingham, all three birthdays',
        query: `quarter=${args.quarter}&locality=birmingham`,
        target: '≤ 300 ms',
      },
    ];
    for (const c of cases) {
      const times: number[] = [];
      let eligible = 0;
      for (let i = 0; i <= args.runs; i++) {
        const t0 = process.hrtime.bigint();
        const res = await agent.get(`/api/reports/coverage?${c.query}`);
        const took = Number(process.hrtime.bigint() - t0) / 1e6;
        if (res.status !== 200) throw new Error(`${c.name}: ${res.status} ${JSON.stringify(res.body)}`);
        eligible = (res.body.cohorts as { measures: { total: { eligible: number } }[] }[]).reduce(
          (sum, cohort) => sum + (cohort.measures[0]?.total.eligible ?? 0),
          0,
        );
        if (i > 0) times.push(took); // the first request warms the caches
      }
      times.sort((a, b) => a - b);
      console.log(
        `${c.name.padEnd(32)} p50 ${ms(percentile(times, 0.5))}  p95 ${ms(percentile(times, 0.95))}  (${eligible} children in the cohorts; target ${c.target})`,
      );
    }
    console.log(`load average at the end: ${loadavg()[0].toFixed(1)} (other work on the machine slows the run down)`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
