/**
 * The whole of CHIS Flow in one test file's process, for end-to-end process tests (issue 6):
 * a migrated database seeded with a small synthetic region (GP practices, teams, demo staff),
 * the engine worker with every catalogue activity on the time-skipping embedded Temporal
 * server, every `definitions/*.bpmn` deployed, the API app (called with supertest), the PDS
 * simulator and the embedded SMTP server. `close()` replays every closed workflow history.
 *
 *   const stack = await startChisStack();           // in beforeAll (allow ~60 s)
 *   await stack.events.post('/api/events/birth-notifications').send(body);
 *   await stack.skip('10 days');
 *   await stack.waitFor(async () => (await stack.tasksFor(nhs)).length > 0, 'the visit task');
 *   await stack.close();                            // in afterAll
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import type { CatalogueDeps } from '../../activities/deps';
import { createApp } from '../../api/app';
import type { CaseWorkDependencies } from '../../api/case-work-deps';
import { hashPassword } from '../../api/auth/passwords';
import { nhsNumberSequence } from './nhs-numbers';
import type { Database } from '../../db/database';
import { childRowByNhsNumber as findChildByNhsNumber, type ChildDetails } from '../../records/children/child-rows';
import { select, type Db } from '../../records/sql';
import { createStaff, type StaffPrincipal } from '../../records/staff';
import { DEMO_PASSWORD, seedRegion, type SeedSummary } from '../../db/seed';
import type { DefinitionVersion } from '../../records/definition-store';
import { deployDefinition } from '../../deployment/deploy-definition';
import type { FileDeployment } from '../../deployment/deploy-directory';
import {
  startMailFor,
  startOutboxRelay,
  type DeliveryOptions,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RunningMail,
} from '../../mail';
import { FhirPdsClient, startPdsSimulator, type PdsSimulator } from '../../pds';
import type { ActivityImplementations } from '../../workers/engine-worker';
import { withDiagram } from '../workflows/diagram';
import { startEngineTestEnv, type EngineTestEnv } from '../workflows/support';
import { TEST_AUTH } from '../api/support/case-work';
import { UI_DIST } from '../../system/ui-build';
import {
  caseWorkDependencies,
  deployDefinitions,
  deploymentContext,
  engineActivities,
  startEngineLoops,
  type EngineLoops,
} from '../../system/composition';

export const DEFINITIONS_DIR = resolve(__dirname, '../../definitions');

/** Username of the inbound-events client account the stack creates (role `integration`). */
export const EVENTS_CLIENT_USERNAME = 'integration.test';

export interface StackOptions {
  /** Children in the seeded region (default 20). */
  children?: number;
  /** Seed reference date YYYY-MM-DD (default: today, UTC). */
  referenceDate?: string;
  /** Folder of BPMN files to deploy (default definitions/). */
  definitionsDir?: string;
  /** Deploy only these files of the folder (e.g. ['new-birth-registration.bpmn']); default every *.bpmn. */
  definitions?: string[];
  /** Extra activity implementations by type name (test doubles for types no helper has built yet). */
  extraActivities?: Record<string, (input: never) => Promise<unknown>>;
  /** Serve the built web UI (ui/dist) at `/`, as `npm start` does (browser tests). */
  ui?: boolean;
  /**
   * Mail: by default an embedded SMTP server on a free port. `smtpUrl` sends to another server
   * instead (a test that stops and starts its own); `delivery` and `relay` override timings.
   */
  mail?: {
    smtpUrl?: string;
    delivery?: Partial<DeliveryOptions>;
    relay?: Omit<OutboxRelayOptions, 'mail' | 'logger'>;
  };
}

/** A signed-in API caller: the supertest agent keeps the session cookie; send `csrf` on writes. */
export interface SignedInCaller {
  agent: ReturnType<typeof request.agent>;
  csrf: string;
  username: string;
  get(path: string): request.Test;
  post(path: string): request.Test;
}

export interface HumanTaskRow {
  id: string;
  processInstanceId: string;
  elementId: string;
  name: string;
  businessKey: string | null;
  childId: string | null;
  localityId: number | null;
  candidateGroups: string[];
  assignee: string | null;
  priority: number;
  dueAt: Date | null;
  followUpAt: Date | null;
  input: Record<string, unknown>;
  status: 'open' | 'claimed' | 'completed' | 'cancelled';
  outcome: string | null;
  createdAt: Date;
  processKey: string;
}

export interface InstanceRow {
  id: string;
  processKey: string;
  version: number;
  businessKey: string | null;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

/** One email as the embedded SMTP server stored it (mail/mailbox.ts `received_mail`). */
export interface ReceivedMail {
  id: string;
  messageId: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  subject: string;
  textBody: string | null;
  htmlBody: string | null;
  receivedAt: Date;
  /** More than 1: the same Message-ID arrived again. */
  timesReceived: number;
}

export interface ChisStack {
  engine: EngineTestEnv;
  database: Database;
  db: Db;
  taskQueue: string;
  app: Express;
  caseWork: CaseWorkDependencies;
  activityDeps: CatalogueDeps;
  pds: PdsSimulator;
  /** Mail delivery to the embedded SMTP server (port `mail.embeddedSmtpPort`) and its outbox relay. */
  mail: RunningMail;
  relay: OutboxRelay;
  /** The background loops `npm start` runs beside the worker: the process outbox relay, the task reconciliation. */
  loops: EngineLoops;
  seeded: SeedSummary;
  deployed: FileDeployment[];
  /** Deploys one more definition (a test fixture; diagram added when missing), candidate groups checked as at start-up. */
  deploy(xml: string): Promise<DefinitionVersion>;
  /** The inbound-events client (role `integration`), signed in. */
  events: SignedInCaller;
  /** Signs in a demo account (e.g. `cw.birmingham.hv`, `sl.coventry`, `admin`). */
  signIn(username: string): Promise<SignedInCaller>;
  /** "Now" on the workflow clock (moves with skip()); also what the API's `now` returns. */
  now(): Date;
  /** Skips workflow time: timers in the BPMN fire. `ms`-style strings ('10 days', '4h') or milliseconds. */
  skip(duration: string | number): Promise<void>;
  /** Polls until the predicate holds (default 60 s real time: a skip fires every open timer of the file's instances, slow on 2 loaded cores). */
  waitFor<T>(
    predicate: () => Promise<T | false | null | undefined> | T | false | null | undefined,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  /** Human task rows of a child (by business key = NHS number, or the child's id), oldest first. */
  tasksFor(nhsNumber: string): Promise<HumanTaskRow[]>;
  /** Process instances whose business key is this NHS number, oldest first. */
  instancesFor(nhsNumber: string): Promise<InstanceRow[]>;
  /** The child's record (no audit: a test's look behind the API). */
  child(nhsNumber: string): Promise<ChildDetails | null>;
  /** Emails received by the embedded SMTP server so far, oldest first; `to` filters by envelope recipient. */
  receivedMail(to?: string): Promise<ReceivedMail[]>;
  /** A synthetic NHS number (999 range, valid check digit) no seeded child has. */
  newNhsNumber(): string;
  /** A GP practice of a locality (by locality code), from the seeded practices. */
  practiceOf(localityCode: string): Promise<{ odsCode: string; email: string; localityId: number }>;
  close(): Promise<void>;
}

// 999 5xx xxxx: never issued, and above what a seeded region under 500,000 children uses
// (the seed counts up from 999 000 0000).
export const freshNhsNumber = nhsNumberSequence('9995', 90_000);

async function signInAs(app: Express, username: string, password: string): Promise<SignedInCaller> {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/login').send({ username, password });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const csrf = String(res.body.csrfToken);
  return {
    agent,
    csrf,
    username,
    get: (path) => agent.get(path),
    post: (path) => agent.post(path).set('x-csrf-token', csrf),
  };
}

/** An `integration` account for the inbound-event endpoints (created by the stack, not the seed). */
async function createEventsClient(db: Db, password: string): Promise<StaffPrincipal> {
  return createStaff(db, {
    username: EVENTS_CLIENT_USERNAME,
    displayName: 'Test inbound events client',
    role: 'integration',
    passwordHash: await hashPassword(password),
  });
}

const logger = pino({ level: 'silent' });

export async function startChisStack(options: StackOptions = {}): Promise<ChisStack> {
  let pds: PdsSimulator | undefined;
  let mail: RunningMail | undefined;
  let seeded: SeedSummary | undefined;
  let activityDeps: CatalogueDeps | undefined;
  let relay: OutboxRelay | undefined;
  let loops: EngineLoops | undefined;
  const engine = await startEngineTestEnv(
    (ctx) => {
      const deps: CatalogueDeps = {
        sequelize: ctx.db.sequelize,
        client: ctx.client,
        taskQueue: ctx.taskQueue,
        pds: new FhirPdsClient(pds!.url, { timeoutMs: 5_000 }),
        wakeOutboxRelay: () => relay?.wake(),
      };
      activityDeps = deps;
      return {
        ...engineActivities(activityDeps),
        ...(options.extraActivities ?? {}),
      } as ActivityImplementations;
    },
    [],
    {
      dbPrefix: 'chis_stack',
      requireClosedHistory: false,
      prepare: async ({ db }) => {
        seeded = await seedRegion(db.sequelize, {
          children: options.children ?? 20,
          concurrency: 1,
          ...(options.referenceDate ? { referenceDate: options.referenceDate } : {}),
        });
        pds = await startPdsSimulator({ sequelize: db.sequelize });
        mail = await startMailFor(
          {
            host: '127.0.0.1',
            smtp: options.mail?.smtpUrl ? { url: options.mail.smtpUrl } : { embedded: true },
            mail: { from: 'West Midlands CHIS <chis@chis-flow.example.nhs.uk>', embeddedSmtpPort: 0 },
          },
          db.sequelize,
          logger,
          { baseRetryMs: 1_000, maxRetryMs: 5_000, ...options.mail?.delivery },
        );
      },
    },
  );
  const stopServices = async () => {
    await loops?.processRelay.stop();
    await loops?.reconciliation.stop();
    await relay?.stop();
    await mail?.stop();
    await pds?.stop();
  };
  try {
    const database = engine.db;
    const db: Db = { sequelize: database.sequelize };
    const deployed = await deployDefinitions(
      database.sequelize,
      options.definitionsDir ?? DEFINITIONS_DIR,
      options.definitions,
    );

    // The API's clock follows the workflow clock, so due dates and "today" agree with skipped time.
    let clockOffsetMs = (await engine.env.currentTimeMs()) - Date.now();
    const now = () => new Date(Date.now() + clockOffsetMs);
    const client = engine.env.client;
    const caseWork: CaseWorkDependencies = caseWorkDependencies({
      db,
      auth: { ...TEST_AUTH, loginMaxFailures: 100 },
      engine: { client, taskQueue: engine.taskQueue },
      now,
    });
    const app = createApp({ logger, health: {}, caseWork, ...(options.ui ? { ui: { distDir: UI_DIST } } : {}) });

    const eventsPassword = randomBytes(12).toString('hex');
    await createEventsClient(db, eventsPassword);
    const events = await signInAs(app, EVENTS_CLIENT_USERNAME, eventsPassword);

    relay = startOutboxRelay({ mail: mail!.mail, logger, intervalMs: 250, probeEveryMs: 1000, ...options.mail?.relay });
    loops = startEngineLoops({ db, engine: { client, taskQueue: engine.taskQueue }, logger });
    const receivedMail = (to?: string) =>
      select<ReceivedMail>(
        db,
        `SELECT id, message_id, envelope_from, envelope_to, subject, text_body, html_body, received_at, times_received FROM received_mail
         WHERE ($1::text IS NULL OR envelope_to @> ARRAY[lower($1::text)]) ORDER BY id`,
        [to ?? null],
      );

    const stack: ChisStack = {
      engine,
      database,
      db,
      taskQueue: engine.taskQueue,
      app,
      caseWork,
      activityDeps: activityDeps!,
      pds: pds!,
      mail: mail!,
      relay,
      loops,
      seeded: seeded!,
      deployed,
      async deploy(xml) {
        const outcome = await deployDefinition(
          database.sequelize,
          withDiagram(xml),
          await deploymentContext(database.sequelize),
        );
        if (outcome.status === 'refused')
          throw new Error(
            `definition refused: ${outcome.problems.map((p) => `${p.elementId ?? ''} ${p.message}`).join('; ')}`,
          );
        return outcome.definition;
      },
      events,
      signIn: (username) => signInAs(app, username, DEMO_PASSWORD),
      now,
      async skip(duration) {
        await engine.env.sleep(duration as Parameters<typeof engine.env.sleep>[0]);
        clockOffsetMs = (await engine.env.currentTimeMs()) - Date.now();
      },
      async waitFor(predicate, what, timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        let lastError: unknown;
        while (Date.now() < deadline) {
          try {
            const value = await predicate();
            if (value) return value;
          } catch (e) {
            lastError = e;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `; last error: ${(lastError as Error).message}` : ''}`,
        );
      },
      tasksFor: (nhsNumber) =>
        select<HumanTaskRow>(
          db,
          `SELECT t.id, t.process_instance_id, t.element_id, t.name, t.business_key, t.child_id, t.locality_id, t.candidate_groups, t.assignee,
                  t.priority, t.due_at, t.follow_up_at, t.input, t.status, t.outcome, t.created_at, d.key AS process_key
           FROM human_tasks t JOIN process_instances i ON i.id = t.process_instance_id JOIN process_definitions d ON d.id = i.definition_id
           WHERE t.business_key = $1 OR t.child_id = (SELECT id FROM children WHERE nhs_number = $1)
           ORDER BY t.created_at, t.id`,
          [nhsNumber],
        ),
      instancesFor: (nhsNumber) =>
        select<InstanceRow>(
          db,
          `SELECT i.id, d.key AS process_key, d.version, i.business_key, i.status, i.started_at, i.ended_at
           FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
           WHERE i.business_key = $1 ORDER BY i.started_at, i.id`,
          [nhsNumber],
        ),
      child: (nhsNumber) => findChildByNhsNumber(db, nhsNumber),
      receivedMail,
      newNhsNumber: freshNhsNumber,
      async practiceOf(localityCode) {
        const rows = await select<{ odsCode: string; email: string; localityId: number }>(
          db,
          `SELECT p.ods_code, p.email, p.locality_id FROM gp_practices p JOIN localities l ON l.id = p.locality_id WHERE l.code = $1 ORDER BY p.ods_code LIMIT 1`,
          [localityCode],
        );
        if (!rows[0]) throw new Error(`no GP practice in locality ${localityCode}`);
        return rows[0];
      },
      async close() {
        // The relays poll the database: stop them before the engine environment closes the pool.
        await loops?.processRelay.stop();
        await loops?.reconciliation.stop();
        await relay?.stop();
        try {
          await engine.close();
        } finally {
          await stopServices();
        }
      },
    };
    return stack;
  } catch (e) {
    await engine.close().catch(() => undefined);
    await stopServices();
    throw e;
  }
}
