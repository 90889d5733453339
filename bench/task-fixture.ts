/**
 * The queue benchmarks' data: teams of every locality, four process keys, synthetic children,
 * and `total` tasks of which `open` are open or claimed (every tenth claimed by one of 200
 * bench workers), the rest completed history. Written with set-based SQL: a million rows in
 * about a minute. Used by bench/tasks.ts and bench/ui.ts.
 */
import pino from 'pino';
import { createApp, type AppDependencies } from '../api/app';
import { hashPassword } from '../api/auth/passwords';
import { select, type Db } from '../records/sql';
import { createStaff } from '../records/staff';
import { caseWorkDependencies } from '../system/composition';

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await work();
  console.log(`  ${label}: ${(elapsed(started) / 1000).toFixed(1)} s`);
  return result;
}

export const KINDS = ['records', 'health-visiting', 'immunisation', 'safeguarding'];
export const PROCESSES = ['new-birth', 'movers-in', 'missed-immunisation', 'was-not-brought'];

export async function seedTaskFixture(db: Db, f: { total: number; open: number; children: number }): Promise<void> {
  const [TOTAL, OPEN, CHILDREN] = [f.total, f.open, f.children];
  await step('teams and process instances', async () => {
    await select(
      db,
      `INSERT INTO teams (code, name, kind, locality_id)
      SELECT l.code || '-' || k, l.name || ' ' || k, replace(k, '-', '_'), l.id FROM localities l, unnest($1::text[]) k RETURNING id`,
      [KINDS],
    );
    await select(
      db,
      `INSERT INTO process_definitions (key, version, xml, compiled, checksum)
      SELECT k, 1, '<definitions/>', '{}', repeat('0', 64) FROM unnest($1::text[]) k RETURNING id`,
      [PROCESSES],
    );
    await select(
      db,
      `INSERT INTO process_instances (id, definition_id, status)
      SELECT 'bench-' || g, 1 + g % 4, 'running' FROM generate_series(0, $1 - 1) g RETURNING 1`,
      [Math.ceil(TOTAL / 5)],
    );
  });
  await step(`${CHILDREN} children`, async () => {
    // 999-range synthetic NHS numbers; candidates whose check value is 10 are skipped.
    await select(
      db,
      `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, postcode, locality_id)
      SELECT n, 'Bench', 'Child' || g, date '2020-01-01' + (g % 2000), 'unknown', '1 Bench Road', 'B1 1AA', 1 + g % 14
      FROM (SELECT g, '999' || lpad(g::text, 6, '0') AS nine FROM generate_series(1, $1 * 11 / 10) g) s,
      LATERAL (SELECT 11 - (sum(substr(nine, i, 1)::int * (11 - i)) % 11) AS c FROM generate_series(1, 9) i) x,
      LATERAL (SELECT nine || CASE WHEN c = 11 THEN 0 ELSE c END AS n) y
      WHERE c <> 10 LIMIT $1 RETURNING 1`,
      [CHILDREN],
    );
  });
  await step(`${TOTAL} tasks (${OPEN} open or claimed)`, async () => {
    // Every tenth active task is claimed; the rest of the table is history (completed).
    await db.sequelize.query(
      `INSERT INTO human_tasks (id, process_instance_id, process_key, element_id, name, child_id, locality_id,
        candidate_groups, assignee, priority, due_at, status, claimed_at, completed_at, completed_by, form)
      SELECT gen_random_uuid(), 'bench-' || (g % $4), p.key, 'task', 'Bench task ' || g, c.id, c.locality_id,
        ARRAY[l.code || '-' || ($5::text[])[1 + g % 4]],
        CASE WHEN g <= $2 AND g % 10 = 0 THEN 'bench.worker.' || (g % 200) END,
        (ARRAY[10, 25, 50, 50, 75, 90])[1 + g % 6],
        CASE WHEN g % 7 = 0 THEN NULL ELSE now() + ((g * 7919) % 86400 - 43200) * interval '1 minute' END,
        CASE WHEN g > $2 THEN 'completed' WHEN g % 10 = 0 THEN 'claimed' ELSE 'open' END,
        CASE WHEN g <= $2 AND g % 10 = 0 THEN now() END,
        CASE WHEN g > $2 THEN now() - (g % 1000) * interval '1 hour' END,
        CASE WHEN g > $2 THEN 'bench.worker.' || (g % 200) END,
        '{"fields": [{"key": "note", "type": "text", "required": false}]}'
      FROM generate_series(1::bigint, $1::bigint) g
      JOIN children c ON c.id = 1 + (g * 31) % $3
      JOIN localities l ON l.id = c.locality_id
      JOIN process_definitions p ON p.id = 1 + (g % $4) % 4`,
      { bind: [TOTAL, OPEN, CHILDREN, Math.ceil(TOTAL / 5), KINDS] },
    );
  });
  await step('ANALYZE', () => db.sequelize.query('ANALYZE'));
}

/** Sign-in settings of the benches' API (as the defaults of `npm start`). */
export const BENCH_AUTH = {
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
  cookieSecure: false,
  loginMaxFailures: 5,
  loginWindowMinutes: 15,
};

/**
 * The benches' caseworker (a Birmingham health visitor: their team's queue, their locality and
 * the tasks the fixture claimed for them) and the case-work API over the fixture's database.
 */
export async function benchWorkerAndApp(db: Db, password: string, extra: Partial<AppDependencies> = {}) {
  const worker = await createStaff(db, {
    username: 'bench.worker.0',
    displayName: 'Bench worker',
    role: 'caseworker',
    passwordHash: await hashPassword(password),
    teamCodes: ['birmingham-health-visiting'],
  });
  const app = createApp({
    logger: pino({ level: 'silent' }),
    health: {},
    caseWork: caseWorkDependencies({ db, auth: BENCH_AUTH }),
    ...extra,
  });
  return { worker, app };
}
