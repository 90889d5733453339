/**
 * The set-up the region benches share (coverage, sweep, reviews-enrolment): an embedded
 * PostgreSQL in --data-dir (kept; a region seeded there before is reused when it is the same
 * size) or in a temporary folder (removed afterwards), a migrated database `bench`, and the
 * synthetic region of N children seeded as of the reference date when the database has none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../core/free-port';
import { connect, type Database } from '../db/database';
import { startEmbeddedPostgres, type RunningPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrations/run';
import { seedRegion } from '../db/seed';
import { selectOne } from '../records/sql';

export interface RegionOptions {
  /** --data-dir, or null for a temporary folder. */
  dataDir: string | null;
  /** The temporary folder's name prefix (e.g. `chis-bench-sweep-`). */
  tempPrefix: string;
  children: number;
  referenceDate: string;
  /** The pool size of the database handed to the bench (default that of `connect`). */
  poolMax?: number;
}

export interface SeededRegion {
  postgres: RunningPostgres;
  dataDir: string;
  /** The migrated, seeded database `bench` (closed after the bench's work). */
  db: Database;
  /** Whether this run seeded it (false: a region kept in --data-dir). */
  seeded: boolean;
}

/** Runs `work` on the seeded region, then closes the database and stops PostgreSQL. */
export async function withSeededRegion(
  options: RegionOptions,
  work: (region: SeededRegion) => Promise<void>,
): Promise<void> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), options.tempPrefix)));
  const postgres = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    persistent: options.dataDir !== null,
  });
  try {
    const admin = connect(postgres.adminUrl);
    try {
      if (!(await selectOne(admin, "SELECT 1 FROM pg_database WHERE datname = 'bench'")))
        await admin.sequelize.query('CREATE DATABASE bench');
    } finally {
      await admin.close();
    }
    const db = connect(postgres.urlFor('bench'), { poolMax: options.poolMax });
    try {
      await migrate(db.sequelize);
      const { n } = (await selectOne<{ n: number }>(db, 'SELECT count(*)::int AS n FROM children'))!;
      if (n === 0) {
        console.log(`seeding ${options.children} children (reference date ${options.referenceDate}) ...`);
        const seeded = await seedRegion(db.sequelize, {
          children: options.children,
          referenceDate: options.referenceDate,
        });
        console.log(`  seeded in ${(seeded.durationMs / 1000).toFixed(1)} s`);
      } else if (n !== options.children) {
        throw new Error(`${dataDir} holds ${n} children, not ${options.children}: use another --data-dir`);
      } else console.log(`reusing the ${n} children in ${dataDir}`);
      await work({ postgres, dataDir, db, seeded: n === 0 });
    } finally {
      await db.close();
    }
  } finally {
    await postgres.stop();
    if (options.dataDir === null) await rm(dataDir, { recursive: true, force: true });
  }
}
