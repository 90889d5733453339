/**
 * Forged process starts and messages (issue 11, finding 1) on the whole stack with the real
 * definitions: a caseworker starting new-birth-registration at its message start with invented
 * variables, staff starting region-wide or message-started processes, and inbound-event
 * messages published by hand are refused (403/422) and write nothing: no child, no email, no
 * task, no instance, no inbound event. The legitimate path (the inbound-event route) still works.
 */
import type { ChisStack, SignedInCaller } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import { select } from '../../records/sql';

let stack: ChisStack;
chisStackPerFile(
  {
    children: 20,
    definitions: [
      'new-birth-registration.bpmn',
      'immunisation-overdue-sweep.bpmn',
      'child-mover.bpmn',
      'safeguarding-escalation.bpmn',
    ],
  },
  (started) => (stack = started),
);

const TABLES = [
  'children',
  'contacts',
  'notifications',
  'human_tasks',
  'process_instances',
  'inbound_events',
  'transfers',
  'safeguarding_concerns',
  'break_glass_alerts',
];

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [row] = await select<{ n: string }>(stack.db, `SELECT count(*) AS n FROM ${t}`);
    out[t] = Number(row.n);
  }
  return out;
}

/** Sends, then checks the status and that nothing was written (given the engine time to act on a start). */
async function refusedAndNothingWritten(
  send: () => PromiseLike<{ status: number; body: { detail?: string } }>,
  status: 403 | 422,
  detail: RegExp,
): Promise<void> {
  const before = await counts();
  const res = await send();
  expect({ status: res.status, detail: res.body.detail }).toEqual({ status, detail: expect.stringMatching(detail) });
  await new Promise((r) => setTimeout(r, 500));
  expect(await counts()).toEqual(before);
}

async function birminghamChild(): Promise<{ id: string; nhsNumber: string }> {
  const [c] = await select<{ id: string; nhsNumber: string }>(
    stack.db,
    `SELECT c.id, c.nhs_number FROM children c JOIN localities l ON l.id = c.locality_id WHERE l.code = 'birmingham' ORDER BY c.id LIMIT 1`,
  );
  return c;
}

const invented = async (nhsNumber: string) => {
  const coventry = await stack.practiceOf('coventry');
  return {
    nhsNumber,
    birth: {
      nhsNumber,
      givenName: 'Forged',
      familyName: 'Baby',
      dateOfBirth: '2031-01-01',
      sex: 'female',
      mother: { name: 'Forged Mother' },
      address: { lines: ['1 Forged Road'], postcode: 'CV1 1AA' },
      gpPracticeCode: coventry.odsCode,
      maternityUnit: 'Forged Hospital',
    },
  };
};

describe('process starts follow the start contract', () => {
  let caseworker: SignedInCaller;
  let manager: SignedInCaller;
  let admin: SignedInCaller;
  beforeAll(async () => {
    caseworker = await stack.signIn('cw.birmingham.hv');
    manager = await stack.signIn('manager');
    admin = await stack.signIn('admin');
  });

  test('the forged birth: a caseworker starting new-birth-registration at its message start with invented variables → 403, nothing written', async () => {
    const child = await birminghamChild();
    const variables = await invented(stack.newNhsNumber());
    for (const body of [
      { key: 'new-birth-registration', startEventId: 'Start_BirthNotified', businessKey: child.nhsNumber, variables },
      // Without startEventId the only start event (the message start) is meant: the same refusal.
      { key: 'new-birth-registration', businessKey: child.nhsNumber, variables },
    ]) {
      await refusedAndNothingWritten(
        () => caseworker.post('/api/process-instances').send(body),
        403,
        /^Your role \(caseworker\) may not start new-birth-registration at Start_BirthNotified \(a message start event\): its message birthNotified comes only from POST \/api\/events\/birth-notifications/,
      );
    }
    // No role may: the birth comes only through the inbound-event route, which validates and records it.
    for (const caller of [manager, admin, stack.events])
      await refusedAndNothingWritten(
        () =>
          caller
            .post('/api/process-instances')
            .send({ key: 'new-birth-registration', businessKey: variables.nhsNumber, variables }),
        403,
        /comes only from POST \/api\/events\/birth-notifications/,
      );
  });

  test('region-wide and message-started processes: refused to staff who may not start them', async () => {
    const child = await birminghamChild();
    for (const caller of [caseworker, manager])
      await refusedAndNothingWritten(
        () => caller.post('/api/process-instances').send({ key: 'immunisation-overdue-sweep' }),
        403,
        /may not start immunisation-overdue-sweep at Start_Daily \(a timer start event\): a process with a timer start event works over the whole region: only administrator may/,
      );
    await refusedAndNothingWritten(
      () =>
        caseworker.post('/api/process-instances').send({
          key: 'child-mover',
          startEventId: 'Start_AddressChanged',
          businessKey: child.nhsNumber,
          variables: { address: { lines: ['1 Forged Road'], postcode: 'CV1 1AA' } },
        }),
      403,
      /comes only from POST \/api\/events\/address-changes/,
    );
  });
});

describe('messages follow the message contract', () => {
  test('birthNotified published by hand (service manager, administrator, integration) → 403, nothing written', async () => {
    const variables = await invented(stack.newNhsNumber());
    for (const username of ['manager', 'admin'])
      await refusedAndNothingWritten(
        async () =>
          (await stack.signIn(username))
            .post('/api/messages')
            .send({ name: 'birthNotified', correlationKey: variables.nhsNumber, variables }),
        403,
        /may not publish birthNotified: it comes only from POST \/api\/events\/birth-notifications/,
      );
    await refusedAndNothingWritten(
      () =>
        stack.events
          .post('/api/messages')
          .send({ name: 'birthNotified', correlationKey: variables.nhsNumber, variables }),
      403,
      /may not publish birthNotified/,
    );
  });

  test('a running instance: inbound-event messages and a changed identity are refused; the instance carries on', async () => {
    const nhsNumber = stack.newNhsNumber();
    const practice = await stack.practiceOf('birmingham');
    const notified = await stack.events.post('/api/events/birth-notifications').send({
      nhsNumber,
      givenName: 'Real',
      familyName: 'Baby',
      dateOfBirth: stack.now().toISOString().slice(0, 10),
      sex: 'male',
      mother: { name: 'Real Mother' },
      address: { lines: ['2 Real Road'], postcode: 'B15 2TT' },
      gpPracticeCode: practice.odsCode,
      timeOfBirth: '08:30',
      maternityUnit: 'Birmingham Womens Hospital',
    });
    expect(notified.status).toBe(202);
    const [instance] = await stack.waitFor(async () => {
      const rows = await stack.instancesFor(nhsNumber);
      return rows.length > 0 && (await stack.tasksFor(nhsNumber)).length > 0 ? rows : null;
    }, 'the registration and its first task');
    const manager = await stack.signIn('manager');
    const toInstance = (body: object) => manager.post(`/api/process-instances/${instance.id}/messages`).send(body);
    await refusedAndNothingWritten(
      () => toInstance({ name: 'childDied', variables: { dateOfDeath: '2026-01-01' } }),
      403,
      /may not publish childDied: it comes only from POST \/api\/events\/death-notifications/,
    );
    await refusedAndNothingWritten(
      () => toInstance({ name: 'nipeOutcomeRecorded', variables: { screening: { outcome: 'normal' } } }),
      403,
      /comes only from POST \/api\/events\/screening-outcomes/,
    );
    await refusedAndNothingWritten(
      () => toInstance({ name: 'anythingElse', variables: { nhsNumber: stack.newNhsNumber() } }),
      422,
      /may not change who the instance is about/,
    );
    expect((await stack.instancesFor(nhsNumber))[0].status).toBe('running');
    // The legitimate start names who caused it: the inbound event and the account that sent it.
    const child = await stack.child(nhsNumber);
    const [created] = await select<{ detail: Record<string, unknown> }>(
      stack.db,
      `SELECT detail FROM audit_events WHERE child_id = $1 AND action = 'child.create'`,
      [child!.id],
    );
    expect(created.detail).toMatchObject({ inboundEventId: notified.body.eventId, receivedBy: stack.events.username });
  });
});
