/**
 * Births and the GP practice email when the mail server is down (issue 11): the email is
 * written to the outbox and the process moves on, so a long SMTP outage holds up no visit task
 * or screening step and raises no incident; each email goes once when the server is back. An
 * incident retry of the email step writes no second email (same outbox row, same Message-ID).
 *
 * The stack sends to an SMTP server this file starts and stops on a fixed port (the embedded
 * server, storing into the stack's database).
 */
import { ApplicationFailure } from '@temporalio/activity';
import pino from 'pino';
import { freePort } from '../../core/free-port';
import { formatNhsNumber } from '../../core/nhs-number';
import { select } from '../../records/sql';
import { createNotifyActivities } from '../../activities/notify';
import type { ActivityInput } from '../../activities/catalogue';
import { startEmbeddedSmtpServer, type EmbeddedSmtpServer } from '../../mail';
import { instanceStateQuery, type InstanceStateView, type JobContext } from '../../workflows/contract';
import { startChisStack, type ChisStack } from '../support/chis-stack';

const silent = pino({ level: 'silent' });
let stack: ChisStack;
let smtpPort: number;
let smtp: EmbeddedSmtpServer | undefined;
/** Set by a test: the next GP email step writes its row and then fails (the result is lost). */
let failNextGpEmailAfterWriting = false;
const gpEmailResults: Array<{ messageId: string; notificationId: string; elementInstanceId?: string }> = [];

type GpEmailInput = ActivityInput<'notify.emailGpPractice'>;

beforeAll(async () => {
  smtpPort = await freePort();
  stack = await startChisStack({
    children: 20,
    definitions: ['new-birth-registration.bpmn'],
    mail: {
      smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
      // A backoff grown to 10 minutes, as after a long outage: only the relay's probe brings the mail back in time.
      delivery: { baseRetryMs: 600_000, maxRetryMs: 600_000, failedAfterAttempts: 1 },
      relay: { intervalMs: 250, probeEveryMs: 5_000 },
    },
    extraActivities: {
      // The real activity, with a fault injected after it: the row is written, the result lost.
      'notify.emailGpPractice': (async (input: GpEmailInput, job?: JobContext) => {
        const real = createNotifyActivities(stack.activityDeps)['notify.emailGpPractice']!;
        const result = await real(input, job);
        gpEmailResults.push({ ...result, elementInstanceId: job?.elementInstanceId });
        if (failNextGpEmailAfterWriting) {
          failNextGpEmailAfterWriting = false;
          throw ApplicationFailure.nonRetryable('injected: the worker lost the result after writing the email');
        }
        return result;
      }) as (input: never) => Promise<unknown>,
    },
  });
  smtp = await startEmbeddedSmtpServer({
    host: '127.0.0.1',
    port: smtpPort,
    sequelize: stack.database.sequelize,
    logger: silent,
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await smtp?.stop();
}, 120_000);

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

async function notifyBirth(nhsNumber: string, gpPracticeCode: string): Promise<void> {
  const dateOfBirth = isoDay(stack.now());
  stack.pds.addPatient({ nhsNumber, givenName: 'Ada', familyName: 'Outage-Test', dateOfBirth, sex: 'female' });
  const res = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber,
    givenName: 'Ada',
    familyName: 'Outage-Test',
    dateOfBirth,
    timeOfBirth: '07:10',
    sex: 'female',
    mother: { name: 'Grace Outage-Test' },
    address: { lines: ['2 Test Street'], postcode: 'CV1 2AB' },
    gpPracticeCode,
    maternityUnit: 'University Hospital Coventry',
  });
  expect([res.status, res.body?.processesStarted]).toEqual([202, 1]);
}

async function stateOf(nhsNumber: string): Promise<InstanceStateView> {
  const [instance] = await stack.instancesFor(nhsNumber);
  return stack.engine.env.client.workflow.getHandle(instance.id).query(instanceStateQuery);
}

/** The GP emails the server received about this child (by its NHS number in the text). */
async function gpEmailsAbout(nhsNumber: string) {
  return (await stack.receivedMail()).filter(
    (m) =>
      m.subject === 'CHIS: new birth registered at your practice' && m.textBody?.includes(formatNhsNumber(nhsNumber)),
  );
}

/** The new birth visit task is open and the three screening checks wait for their outcomes or deadlines. */
async function waitForVisitAndScreening(nhsNumber: string): Promise<void> {
  await stack.waitFor(
    async () => (await stack.tasksFor(nhsNumber)).some((t) => t.name === 'New birth visit' && t.status === 'open'),
    `the new birth visit task for ${nhsNumber}`,
    30_000,
  );
  const active = (await stateOf(nhsNumber)).active.map((a) => a.elementId);
  expect(active).toEqual(
    expect.arrayContaining(['Task_NewBirthVisit', 'Gateway_NipeRace', 'Gateway_BloodSpotRace', 'Gateway_HearingRace']),
  );
}

test('SMTP down for longer than every retry budget: births go on at once, no incident, each GP email once within a minute of the server returning', async () => {
  const practice = await stack.practiceOf('coventry');
  // The server is up: a first birth's email goes at once.
  const before = stack.newNhsNumber();
  await notifyBirth(before, practice.odsCode);
  await waitForVisitAndScreening(before);
  await stack.waitFor(async () => (await gpEmailsAbout(before)).length === 1, 'the first GP email', 30_000);

  await smtp!.stop(); // the outage begins
  smtp = undefined;
  const births = [stack.newNhsNumber(), stack.newNhsNumber(), stack.newNhsNumber()];
  for (const nhs of births) await notifyBirth(nhs, practice.odsCode);
  for (const nhs of births) await waitForVisitAndScreening(nhs);
  // The relay tried each email once, found the server gone, and now probes it.
  await stack.waitFor(async () => stack.relay.status().smtp === 'unreachable', 'the relay to find the server gone');
  const rows = await select<{ status: string; attempts: number }>(
    stack.db,
    `SELECT status, attempts FROM notifications WHERE template = 'gp-new-birth'
     AND child_id IN (SELECT id FROM children WHERE nhs_number = ANY($1::text[]))`,
    [births],
  );
  expect(rows).toHaveLength(3);
  for (const r of rows) expect(r.status).not.toBe('sent');

  // Longer than the email step's old retry budget (MESSAGING: 8 attempts over ~21 minutes) in workflow time.
  await stack.skip('1 hour');
  for (const nhs of births) {
    const state = await stateOf(nhs);
    expect(state.incidents).toEqual([]);
    expect(state.status).toBe('running');
    expect((await stack.instancesFor(nhs))[0].status).toBe('running');
    expect(await gpEmailsAbout(nhs)).toEqual([]);
  }

  smtp = await startEmbeddedSmtpServer({
    host: '127.0.0.1',
    port: smtpPort,
    sequelize: stack.database.sequelize,
    logger: silent,
  }); // the outage ends
  const back = Date.now();
  await stack.waitFor(
    async () => {
      for (const nhs of births) if ((await gpEmailsAbout(nhs)).length === 0) return false;
      return true;
    },
    'every GP email after the server came back',
    60_000,
  );
  expect(Date.now() - back).toBeLessThan(60_000);
  await new Promise((r) => setTimeout(r, 2_000)); // a duplicate would arrive now
  for (const nhs of [before, ...births]) {
    const emails = await gpEmailsAbout(nhs);
    expect(emails).toHaveLength(1);
    expect(emails[0].timesReceived).toBe(1);
  }
}, 240_000);

test('an incident on the GP email step, retried by an administrator: the same outbox row, one email, one Message-ID', async () => {
  const practice = await stack.practiceOf('coventry');
  const nhs = stack.newNhsNumber();
  gpEmailResults.length = 0;
  failNextGpEmailAfterWriting = true;
  await notifyBirth(nhs, practice.odsCode);
  const stuck = await stack.waitFor(async () => {
    const s = await stateOf(nhs);
    return s.incidents.length === 1 ? s : null;
  }, 'the incident on the email step');
  expect(stuck.incidents[0]).toMatchObject({ elementId: 'Task_EmailGp' });

  const admin = await stack.signIn('admin');
  const [instance] = await stack.instancesFor(nhs);
  const retried = await admin.post(`/api/process-instances/${instance.id}/incidents/${stuck.incidents[0].id}/retry`);
  expect(retried.status).toBe(200);
  await waitForVisitAndScreening(nhs);

  // Two activities ran the step; both found one row.
  expect(gpEmailResults).toHaveLength(2);
  expect(gpEmailResults[1]).toEqual(gpEmailResults[0]);
  const rows = await select<{ id: string; idempotencyKey: string }>(
    stack.db,
    `SELECT id, idempotency_key FROM notifications WHERE template = 'gp-new-birth'
     AND child_id = (SELECT id FROM children WHERE nhs_number = $1)`,
    [nhs],
  );
  expect(rows).toEqual([
    {
      id: gpEmailResults[0].notificationId,
      idempotencyKey: `notify:${instance.id}/${gpEmailResults[0].elementInstanceId}`,
    },
  ]);
  await stack.waitFor(async () => (await gpEmailsAbout(nhs)).length === 1, 'the GP email', 30_000);
  await new Promise((r) => setTimeout(r, 1_000));
  const emails = await gpEmailsAbout(nhs);
  expect(emails).toHaveLength(1);
  expect(emails[0]).toMatchObject({ messageId: gpEmailResults[0].messageId, timesReceived: 1 });
}, 120_000);
