import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import type { AuthConfig } from '../../../core/config';
import { nhsNumberSequence } from '../../support/nhs-numbers';
import { createApp } from '../../../api/app';
import type { CaseWorkDependencies } from '../../../api/case-work-deps';
import { hashPassword } from '../../../api/auth/passwords';
import type { TaskCompleter } from '../../../api/tasks/task-completer';
import type { Database } from '../../../db/database';
import type { ChildDetails } from '../../../records/children/child-rows';
import { createChild, type NewChild } from '../../support/fixtures';
import { select, selectOne, type Db } from '../../../records/sql';
import { createStaff, createTeam, type Role, type StaffPrincipal } from '../../../records/staff';
import { insertTask, type HumanTask, type NewTask } from '../../../records/tasks/rows';
import { createMigratedDatabase } from '../../support/databases';
import { caseWorkDependencies } from '../../../system/composition';

export const PASSWORD = 'correct horse battery staple';
export const BIRMINGHAM = 1;
export const COVENTRY = 2;
export const DUDLEY = 3;

export const TEST_AUTH: AuthConfig = {
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
  cookieSecure: 'auto',
  loginMaxFailures: 5,
  loginWindowMinutes: 15,
};

export interface CaseWorkHarness {
  database: Database;
  db: Db;
  app: Express;
  deps: CaseWorkDependencies;
  close(): Promise<void>;
}

/** A migrated database of its own and the app on it, completing tasks with the real row-writing completer. */
export async function startCaseWork(
  prefix: string,
  options: { completer?: (db: Db) => TaskCompleter; now?: () => Date; auth?: Partial<AuthConfig> } = {},
): Promise<CaseWorkHarness> {
  const database = await createMigratedDatabase(prefix);
  const db: Db = { sequelize: database.sequelize };
  // The composition root's wiring without an engine (tasks completed by the database alone).
  const deps: CaseWorkDependencies = {
    ...caseWorkDependencies({
      db,
      auth: { ...TEST_AUTH, ...options.auth },
      ...(options.now ? { now: options.now } : {}),
    }),
    ...(options.completer ? { taskCompleter: options.completer(db) } : {}),
  };
  const app = createApp({ logger: pino({ level: 'silent' }), health: {}, caseWork: deps });
  return { database, db, app, deps, close: () => database.close() };
}

const unique = () => randomBytes(4).toString('hex');

let passwordHash: Promise<string> | null = null;

export async function makeStaff(
  db: Db,
  role: Role,
  options: { localityIds?: number[]; teamCodes?: string[]; username?: string } = {},
): Promise<StaffPrincipal> {
  passwordHash ??= hashPassword(PASSWORD);
  const username = options.username ?? `${role.replace('_', '-')}.${unique()}`;
  return createStaff(db, {
    username,
    displayName: `Test ${role} ${username}`,
    role,
    passwordHash: await passwordHash,
    localityIds: options.localityIds ?? [BIRMINGHAM],
    teamCodes: options.teamCodes ?? [],
  });
}

export async function makeTeam(
  db: Db,
  localityId: number | null,
  kind: 'records' | 'health_visiting' | 'immunisation' | 'safeguarding' = 'health_visiting',
): Promise<string> {
  const code = `team-${unique()}`;
  await createTeam(db, { code, name: `Team ${code}`, kind, localityId });
  return code;
}

/** A synthetic NHS number (999 range, never issued) with a valid check digit, unique in this process. */
export const syntheticNhsNumber = nhsNumberSequence('999', 500_000);

export function makeChild(db: Db, localityId: number, fields: Partial<NewChild> = {}): Promise<ChildDetails> {
  return createChild(db, {
    nhsNumber: syntheticNhsNumber(),
    givenName: 'Ada',
    familyName: `Test${unique()}`,
    dateOfBirth: '2025-03-14',
    sex: 'female',
    addressLine1: '1 Test Street',
    postcode: localityId === BIRMINGHAM ? 'B15 2TT' : 'CV1 1AA',
    localityId,
    ...fields,
  });
}

/** A process instance row for tasks to hang off (the engine writes these in production). */
export async function makeProcessInstance(db: Db, processKey = 'new-birth'): Promise<string> {
  const def = await selectOne<{ id: number }>(
    db,
    `INSERT INTO process_definitions (key, version, xml, compiled, checksum)
     VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM process_definitions WHERE key = $1), '<definitions/>', '{}', repeat('0', 64))
     RETURNING id`,
    [processKey],
  );
  const id = `pi-${randomUUID()}`;
  await select(db, 'INSERT INTO process_instances (id, definition_id) VALUES ($1, $2) RETURNING id', [id, def!.id]);
  return id;
}

export async function makeTask(db: Db, task: Partial<NewTask> & { processInstanceId: string }): Promise<HumanTask> {
  return insertTask(db, { elementId: 'review', name: 'Review', ...task });
}

export interface SignedIn {
  agent: ReturnType<typeof request.agent>;
  csrf: string;
  user: StaffPrincipal;
}

/** Signs in through the API; the agent keeps the session cookie. */
export async function signIn(app: Express, user: StaffPrincipal): Promise<SignedIn> {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/login').send({ username: user.username, password: PASSWORD });
  if (res.status !== 200)
    throw new Error(`sign-in of ${user.username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrfToken, user };
}

export async function countRows(db: Db, table: string): Promise<number> {
  const row = await selectOne<{ n: string }>(db, `SELECT count(*) AS n FROM ${table}`);
  return Number(row!.n);
}

export interface AuditRow {
  action: string;
  actorUsername: string;
  entityId: string | null;
  childId: string | null;
  reason: string | null;
  sourceIp: string | null;
  detail: Record<string, unknown>;
}

export function auditRows(db: Db, where: { childId?: string; actor?: string }): Promise<AuditRow[]> {
  return select<AuditRow>(
    db,
    `SELECT action, actor_username, entity_id, child_id, reason, source_ip, detail FROM audit_events
     WHERE ($1::bigint IS NULL OR child_id = $1) AND ($2::text IS NULL OR actor_username = $2) ORDER BY id`,
    [where.childId ?? null, where.actor ?? null],
  );
}
