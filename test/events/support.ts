/**
 * Shared by the inbound-event tests: a seeded database with the API (no engine: requests that
 * fail validation never reach it) and valid request bodies to start from.
 */
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { hashPassword } from '../../api/auth/passwords';
import type { Database } from '../../db/database';
import { select, selectOne, type Db } from '../../records/sql';
import { createStaff } from '../../records/staff';
import { seedRegion } from '../../db/seed';
import { TEST_AUTH } from '../api/support/case-work';
import { createMigratedDatabase } from '../support/databases';
import { freshNhsNumber } from '../support/chis-stack';
import { caseWorkDependencies } from '../../system/composition';

export const CLIENT_PASSWORD = 'inbound-events-test-password';

export interface EventsHarness {
  database: Database;
  db: Db;
  app: Express;
  /** Signed-in agent of an `integration` account; `post` adds the CSRF header. */
  post(path: string): request.Test;
  close(): Promise<void>;
}

export async function signInAgent(
  app: Express,
  username: string,
  password: string,
): Promise<{ post(path: string): request.Test; get(path: string): request.Test }> {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const csrf = String(res.body.csrfToken);
  return { post: (path) => agent.post(path).set('x-csrf-token', csrf), get: (path) => agent.get(path) };
}

export async function startEventsHarness(): Promise<EventsHarness> {
  const database = await createMigratedDatabase('events');
  const db: Db = { sequelize: database.sequelize };
  await seedRegion(database.sequelize, { children: 10, concurrency: 1 });
  await createStaff(db, {
    username: 'integration.maternity',
    displayName: 'Maternity system',
    role: 'integration',
    passwordHash: await hashPassword(CLIENT_PASSWORD),
  });
  const app = createApp({
    logger: pino({ level: 'silent' }),
    health: {},
    caseWork: caseWorkDependencies({ db, auth: { ...TEST_AUTH, loginMaxFailures: 100 } }),
  });
  const client = await signInAgent(app, 'integration.maternity', CLIENT_PASSWORD);
  return { database, db, app, post: client.post, close: () => database.close() };
}

/** A seeded child with its locality, practice and date of birth. */
export async function someChild(
  db: Db,
  localityCode = 'birmingham',
): Promise<{ id: string; nhsNumber: string; dateOfBirth: string; gpPracticeOds: string; postcode: string }> {
  const row = await selectOne<{
    id: string;
    nhsNumber: string;
    dateOfBirth: string;
    gpPracticeOds: string;
    postcode: string;
  }>(
    db,
    `SELECT c.id, c.nhs_number, c.date_of_birth::text AS date_of_birth, c.gp_practice_ods, c.postcode
     FROM children c JOIN localities l ON l.id = c.locality_id WHERE l.code = $1 AND c.gp_practice_ods IS NOT NULL ORDER BY c.id LIMIT 1`,
    [localityCode],
  );
  if (!row) throw new Error(`no seeded child in ${localityCode}`);
  return row;
}

export async function practiceIn(db: Db, localityCode: string): Promise<string> {
  const row = await selectOne<{ odsCode: string }>(
    db,
    'SELECT p.ods_code FROM gp_practices p JOIN localities l ON l.id = p.locality_id WHERE l.code = $1 ORDER BY p.ods_code LIMIT 1',
    [localityCode],
  );
  return row!.odsCode;
}

/** Rows every endpoint may write: counted before and after a refused request. */
export async function writtenRows(db: Db): Promise<Record<string, number>> {
  const [r] = await select<Record<string, string>>(
    db,
    `SELECT (SELECT count(*) FROM inbound_events) AS inbound_events, (SELECT count(*) FROM immunisation_events) AS immunisation_events,
            (SELECT count(*) FROM screening_results) AS screening_results, (SELECT count(*) FROM children) AS children,
            (SELECT sum(row_version) FROM children) AS child_versions, (SELECT count(*) FROM audit_events WHERE action LIKE 'event.%') AS event_audits`,
  );
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
}

export function isoDaysAgo(days: number, from = new Date()): string {
  return new Date(from.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

export function birthBody(over: Record<string, unknown> & { gpPracticeCode: string }): Record<string, unknown> {
  return {
    nhsNumber: freshNhsNumber(),
    givenName: 'Ada',
    familyName: 'Events-Test',
    dateOfBirth: isoDaysAgo(1),
    timeOfBirth: '08:30',
    sex: 'female',
    mother: { name: 'Grace Events-Test' },
    address: { lines: ['1 Test Street', 'Edgbaston', 'Birmingham'], postcode: 'B15 2TT' },
    maternityUnit: 'Birmingham Women’s Hospital',
    ...over,
  };
}
