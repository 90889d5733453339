/**
 * The child-health-reviews enrolment's read over the synthetic region (records/children/
 * review-enrolment.ts, what child.enrolReviews pages through): starts an embedded PostgreSQL,
 * migrates, seeds N children (default 100,000; the full region is 1,400,000) unless --data-dir
 * holds a region already, and times
 *
 * 1. the first run: every active child under 2½ years found, 1,000 at a time, none enrolled yet;
 * 2. the daily run once they all have an instance (a stand-in process_instances row each, as the
 *    engine's mirror writes them): nobody to enrol, the read that runs every night.
 *
 * Starting the instances is the engine's work (maxStarts per night), not timed here.
 *
 *   npx tsx bench/reviews-enrolment.ts [--children 1400000] [--runs 3] [--data-dir DIR]
 *
 * Measured at 1.4 M (2 CPUs, load ~17 from other work): first run 7.5 s (175,172 children), daily
 * run 1.23 s (median of 3).
 */
import { cpus, loadavg } from 'node:os';
import { Client } from 'pg';
import { childrenToEnrolInReviews } from '../records/children/review-enrolment';
import { addAge, addDays } from '../schedule';
import { withSeededRegion } from './seeded-region';

const AS_OF = '2026-11-24';

function usage(problem: string): never {
  console.error(`${problem}\nusage: npx tsx bench/reviews-enrolment.ts [--children N] [--runs N] [--data-dir DIR]`);
  process.exit(2);
}

function parseArgs(argv: string[]): { children: number; runs: number; dataDir: string | null } {
  const args = { children: 100_000, runs: 3, dataDir: null as string | null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--data-dir') args.dataDir = argv[++i] ?? usage('--data-dir needs a folder');
    else if (flag === '--children' || flag === '--runs') {
      const value = Number(argv[++i]);
      if (!Number.isSafeInteger(value) || value < 1) usage(`${flag} needs a whole number above 0, got ${argv[i]}`);
      if (flag === '--children') args.children = value;
      else args.runs = value;
    } else usage(`unknown argument ${JSON.stringify(flag)}`);
  }
  return args;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const region = {
    dataDir: args.dataDir,
    tempPrefix: 'chis-bench-enrol-',
    children: args.children,
    referenceDate: AS_OF,
    poolMax: 5,
  };
  await withSeededRegion(region, async ({ postgres, db }) => {
    const client = new Client({ connectionString: postgres.urlFor('bench') });
    await client.connect();
    // A stand-in reviews definition whose instance rows play the engine's mirror; none at first.
    await client.query(`DELETE FROM process_instances WHERE id LIKE 'bench-reviews-%'`);
    await client.query(`DELETE FROM process_definitions WHERE key = 'child-health-reviews' AND name = 'bench'`);
    const definitionId = (
      await client.query<{ id: number }>(
        `INSERT INTO process_definitions (key, version, name, xml, compiled, checksum)
         VALUES ('child-health-reviews', 100000, 'bench', '<bench/>', '{}', repeat('0', 64)) RETURNING id`,
      )
    ).rows[0].id;
    await client.query('VACUUM ANALYZE');
    console.log(`${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`);

    const bornAfter = addDays(addAge(AS_OF, { years: -2, months: -6 }), -2);
    const pass = async (): Promise<{ ms: number; found: string[] }> => {
      const t0 = Date.now();
      const found: string[] = [];
      let after = '0';
      for (;;) {
        const batch = await childrenToEnrolInReviews(db, { bornAfter, after, limit: 1000 });
        if (batch.length === 0) break;
        for (const c of batch) found.push(c.nhsNumber);
        after = batch[batch.length - 1].childId;
      }
      return { ms: Date.now() - t0, found };
    };
    const first: number[] = [];
    let candidates: string[] = [];
    for (let r = 0; r < args.runs; r++) {
      const p = await pass();
      first.push(p.ms);
      candidates = p.found;
      console.log(`  first run ${r + 1}: ${seconds(p.ms)}, ${p.found.length} children to enrol`);
    }
    console.log(`first run (nobody enrolled), median of ${args.runs}: ${seconds(median(first))}`);

    await client.query(
      `INSERT INTO process_instances (id, definition_id, business_key, status)
       SELECT 'bench-reviews-' || k, $1, k, 'running' FROM unnest($2::text[]) AS k`,
      [definitionId, candidates],
    );
    await client.query('ANALYZE process_instances');
    const daily: number[] = [];
    for (let r = 0; r < args.runs; r++) {
      const p = await pass();
      daily.push(p.ms);
      console.log(`  daily run ${r + 1}: ${seconds(p.ms)}, ${p.found.length} children to enrol`);
    }
    console.log(
      `daily run (all ${candidates.length} enrolled), median of ${args.runs}: ${seconds(median(daily))}; load average ${loadavg()[0].toFixed(1)}`,
    );
    await client.query(`DELETE FROM process_instances WHERE id LIKE 'bench-reviews-%'`);
    await client.query(`DELETE FROM process_definitions WHERE id = $1`, [definitionId]);
    await client.end();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
