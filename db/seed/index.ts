import { hashPassword } from '../../core/password-hashing';
import type { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import {
  countChildren,
  highestNhsNumberBetween,
  inBulkTransaction,
  releaseBulkLock,
  reserveChildIds,
  tryBulkLock,
  writeChildBatch,
} from '../../records/bulk/region';
import { ChildFactory, emptyBatch, type BatchRows, type SeededRowTable } from './child-factory';
import { DateFormatter, addInterval, civil, dayFromIso, todayUtc } from './dates';
import { NhsNumberAllocator, SYNTHETIC_RANGES, syntheticPosition } from './nhs-numbers';
import { ensurePractices, practicesByLocality } from './practices';
import { LOCALITY_PROFILES } from './region-profile';
import { concernRaisersByLocality, ensureStaff, type DemoLogin } from './staff';

export { DEMO_PASSWORD, demoLogins, type DemoLogin } from './staff';
export { regionIsEmpty } from '../../records/bulk/region';

/**
 * The synthetic region: children over the 14 localities with contacts, immunisation
 * histories, newborn screening and safeguarding, plus GP practices, teams and demo staff.
 * Used by `npm run seed` and by `npm start` (a small demo region on an empty database).
 *
 * Deterministic: the same seed and reference date give the same children (NHS numbers,
 * names, dates, addresses, histories), whatever the batch size. Ages and histories are
 * relative to the reference date, today (UTC) unless given; pass one to reproduce a region.
 * Children are written in batches, one transaction each, with COPY.
 */

export interface SeedOptions {
  /** How many children to add. */
  children: number;
  /** PRNG seed, an integer 0 to 4294967295 (default 1). */
  seed?: number;
  /** Children per transaction (default 10,000). */
  batchSize?: number;
  /** Batches written at once, each on its own connection (default 2). */
  concurrency?: number;
  /** YYYY-MM-DD the ages are measured at (default today, UTC). */
  referenceDate?: string;
  /** Add to a database that already holds children, continuing the NHS number sequence. */
  append?: boolean;
  /** Called after each committed batch. */
  onProgress?: (done: number, total: number) => void;
  /** Stops after the batch in progress (committed batches stay). */
  signal?: AbortSignal;
}

export type SeededTable =
  | 'gp_practices'
  | 'teams'
  | 'staff_users'
  | 'children'
  | 'contacts'
  | 'immunisation_events'
  | 'screening_results'
  | 'safeguarding_concerns';

export interface SeedSummary {
  seed: number;
  referenceDate: string;
  appended: boolean;
  /** Rows this run inserted, per table. */
  rows: Record<SeededTable, number>;
  childrenByLocality: Record<string, number>;
  nhsNumbers: { first: string | null; last: string | null; ranges: string[] };
  logins: DemoLogin[];
  durationMs: number;
  /** True when the signal stopped the run before every child was written. */
  stopped: boolean;
}

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

export const DEFAULT_SEED = 1;
export const DEFAULT_BATCH_SIZE = 10_000;
export const DEFAULT_CONCURRENCY = 2;
// Any constant shared by every process that seeds this database (migrations use 727_000_001).
const SEED_LOCK_KEY = 727_000_002;
/** Children whose rows are joined into one COPY chunk (see BatchRows). */
const CHILDREN_PER_CHUNK = 250;

function checkOptions(options: SeedOptions): {
  seed: number;
  batchSize: number;
  referenceDate: string;
  concurrency: number;
} {
  const { children } = options;
  if (!Number.isSafeInteger(children) || children < 0)
    throw new SeedError(`children must be a whole number, 0 or more, got ${children}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new SeedError(`seed must be a whole number from 0 to 4294967295, got ${seed}`);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 200_000)
    throw new SeedError(`batch size must be a whole number from 1 to 200000, got ${batchSize}`);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 8)
    throw new SeedError(`concurrency must be a whole number from 1 to 8, got ${concurrency}`);
  const referenceDate = options.referenceDate ?? todayUtc();
  try {
    dayFromIso(referenceDate);
  } catch (error) {
    throw new SeedError(`reference date: ${(error as Error).message}`);
  }
  return { seed, batchSize, referenceDate, concurrency };
}

/** Where the NHS number sequence stands: after the highest synthetic number already stored. */
async function lastSyntheticNumber(client: Client): Promise<{ range: string; base: number } | undefined> {
  for (const range of [...SYNTHETIC_RANGES].reverse()) {
    const max = await highestNhsNumberBetween(client, `${range}0000000`, `${range}9999999`);
    if (max) return syntheticPosition(max)!;
  }
  return undefined;
}

/** The same parameters as every other password hash (a lighter or heavier hash would tell sign-in timings apart). */
function hashDemoPassword(plain: string): Promise<string> {
  return hashPassword(plain);
}

/** Lets the event loop run (socket writes of the COPY in flight) between slices of generation. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Adds `children` synthetic children (and the practices, teams and demo staff they need).
 * Refuses a database that already holds children unless `append` is set. Rows are written
 * with COPY in batches of `batchSize` children, one transaction per batch, `concurrency`
 * batches at a time; a failure or the signal leaves only whole batches behind.
 */
export async function seedRegion(sequelize: Sequelize, options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const { seed, batchSize, referenceDate, concurrency } = checkOptions(options);
  const total = options.children;
  const manager = sequelize.connectionManager;
  const clients: Client[] = [];
  let locked = false;
  try {
    const client = (await manager.getConnection({ type: 'write' })) as Client;
    clients.push(client);
    // One seed at a time per database, so that two first starts cannot both see it empty.
    locked = await tryBulkLock(client, SEED_LOCK_KEY);
    if (!locked) throw new SeedError('another seed is running on this database; wait for it to finish');
    const existing = await countChildren(client);
    if (existing > 0 && !options.append) {
      throw new SeedError(
        `the database already holds ${existing} children: seeding would mix two regions; use append (--append) to add to them`,
      );
    }
    const allocator = new NhsNumberAllocator(options.append ? await lastSyntheticNumber(client) : undefined);
    const capacity = allocator.remaining();
    if (total > capacity) {
      throw new SeedError(
        `only ${capacity} synthetic NHS numbers are left in the ${SYNTHETIC_RANGES.join('/')} ranges, ${total} children were asked for`,
      );
    }

    const rows: Record<SeededTable, number> = {
      gp_practices: 0,
      teams: 0,
      staff_users: 0,
      children: 0,
      contacts: 0,
      immunisation_events: 0,
      screening_results: 0,
      safeguarding_concerns: 0,
    };
    const { logins } = await inBulkTransaction(client, async () => {
      rows.gp_practices = await ensurePractices(client, existing + total);
      const staff = await ensureStaff(client, hashDemoPassword);
      rows.teams = staff.teamsCreated;
      rows.staff_users = staff.staffCreated;
      return staff;
    });

    const referenceDay = dayFromIso(referenceDate);
    const factory = new ChildFactory({
      seed,
      referenceDay,
      dates: new DateFormatter(addInterval(civil(referenceDay), { months: -241, days: 0 }), referenceDay),
      practices: await practicesByLocality(client),
      concernRaisers: await concernRaisersByLocality(client),
    });
    const byLocalityId = new Map<number, number>();
    let first: string | null = null;
    let last: string | null = null;
    const ranges = new Set<string>();
    let stopped = false;

    // Pipeline: while PostgreSQL takes one batch (COPY and indexes), the next is generated
    // here, and with two connections both cores are busy.
    const idle: Client[] = [client];
    // Never more connections than the pool allows (the first one is already held).
    const connections = Math.min(concurrency, Math.ceil(total / batchSize), sequelize.config.pool?.max ?? 1);
    for (let i = 1; i < connections; i++) {
      const extra = (await manager.getConnection({ type: 'write' })) as Client;
      clients.push(extra);
      idle.push(extra);
    }
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    let done = 0;
    for (let generated = 0; generated < total && failure === null;) {
      while (idle.length === 0) await Promise.race(inFlight);
      if (failure !== null) break;
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      const conn = idle.pop()!;
      const size = Math.min(batchSize, total - generated);
      const ids = await reserveChildIds(conn, size);
      const batch: BatchRows = emptyBatch();
      for (let i = 0; i < size; i++) {
        const { nhsNumber, key } = allocator.next();
        first ??= nhsNumber;
        last = nhsNumber;
        ranges.add(nhsNumber.slice(0, 3));
        const localityId = factory.write(ids[i], nhsNumber, key, batch);
        byLocalityId.set(localityId, (byLocalityId.get(localityId) ?? 0) + 1);
        if (i % CHILDREN_PER_CHUNK === CHILDREN_PER_CHUNK - 1) {
          batch.compact();
          await yieldToEventLoop();
        }
      }
      batch.compact();
      generated += size;
      const write: Promise<void> = writeChildBatch(conn, batch.chunks)
        .then(
          () => {
            for (const table of Object.keys(batch.counts) as SeededRowTable[]) rows[table] += batch.counts[table];
            done += size;
            idle.push(conn);
            options.onProgress?.(done, total);
          },
          (error: unknown) => {
            failure ??= error;
            idle.push(conn);
          },
        )
        .finally(() => inFlight.delete(write));
      inFlight.add(write);
    }
    await Promise.all(inFlight);
    if (failure !== null) throw failure;

    return {
      seed,
      referenceDate,
      appended: existing > 0,
      rows,
      childrenByLocality: Object.fromEntries(LOCALITY_PROFILES.map((l) => [l.code, byLocalityId.get(l.id) ?? 0])),
      nhsNumbers: { first, last, ranges: [...ranges] },
      logins,
      durationMs: Date.now() - started,
      stopped,
    };
  } finally {
    if (locked) await releaseBulkLock(clients[0], SEED_LOCK_KEY).catch(() => undefined);
    for (const c of clients) manager.releaseConnection(c);
  }
}
