/**
 * Inbound-event endpoints refuse bad input with problem+json naming the field, and write
 * nothing: no event row, no record change, no audit event. Also: who may call them.
 */
import request from 'supertest';
import { DEMO_PASSWORD } from '../../db/seed';
import { freshNhsNumber } from '../support/chis-stack';
import {
  birthBody,
  isoDaysAgo,
  practiceIn,
  signInAgent,
  someChild,
  startEventsHarness,
  writtenRows,
  type EventsHarness,
} from './support';

let h: EventsHarness;
let practice: string;
let child: Awaited<ReturnType<typeof someChild>>;

beforeAll(async () => {
  h = await startEventsHarness();
  practice = await practiceIn(h.db, 'birmingham');
  child = await someChild(h.db);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const tomorrow = () => isoDaysAgo(-2);
const INVALID_NHS = '9434765918'; // 9434765919 with a wrong check digit

/** Sends the body, expects the status and a problem naming `field`, and checks nothing was written. */
async function refused(path: string, body: unknown, status: number, field: string): Promise<void> {
  const before = await writtenRows(h.db);
  const res = await h.post(path).send(body as object);
  expect({ status: res.status, type: res.type }).toEqual({ status, type: 'application/problem+json' });
  expect(res.body.errors?.map((e: { field: string }) => e.field) ?? []).toContain(field);
  expect(await writtenRows(h.db)).toEqual(before);
}

function validBodies(): Record<string, Record<string, unknown>> {
  return {
    '/api/events/birth-notifications': birthBody({ gpPracticeCode: practice }),
    '/api/events/address-changes': {
      nhsNumber: child.nhsNumber,
      address: { lines: ['2 New Road'], postcode: 'CV1 2AB' },
    },
    '/api/events/gp-changes': { nhsNumber: child.nhsNumber, gpPracticeCode: practice },
    '/api/events/inbound-transfers': {
      nhsNumber: freshNhsNumber(),
      fromChis: 'North West CHIS',
      givenName: 'Tom',
      familyName: 'Mover',
      dateOfBirth: isoDaysAgo(400),
      sex: 'male',
      address: { lines: ['3 Arrival Road'], postcode: 'WS1 1AA' },
    },
    '/api/events/immunisations': {
      nhsNumber: child.nhsNumber,
      vaccine: 'menb',
      dose: 1,
      givenOn: isoDaysAgo(1),
      givenBy: 'Practice nurse',
    },
    '/api/events/screening-outcomes': {
      nhsNumber: child.nhsNumber,
      programme: 'hearing',
      outcome: 'clear_response',
      recordedOn: isoDaysAgo(1),
    },
    '/api/events/appointment-outcomes': {
      nhsNumber: child.nhsNumber,
      kind: 'immunisation',
      date: isoDaysAgo(1),
      outcome: 'was_not_brought',
      vaccine: 'menb',
    },
    '/api/events/child-protection-alerts': {
      nhsNumber: child.nhsNumber,
      type: 'child_protection_plan',
      startDate: isoDaysAgo(3),
      localAuthority: 'Birmingham City Council',
    },
    '/api/events/death-notifications': { nhsNumber: child.nhsNumber, dateOfDeath: isoDaysAgo(1) },
  };
}
const PATHS = [
  '/api/events/birth-notifications',
  '/api/events/address-changes',
  '/api/events/gp-changes',
  '/api/events/inbound-transfers',
  '/api/events/immunisations',
  '/api/events/screening-outcomes',
  '/api/events/appointment-outcomes',
  '/api/events/child-protection-alerts',
  '/api/events/death-notifications',
];

describe.each(PATHS)('%s', (path) => {
  test('an invalid NHS number (check digit) → 400 naming body.nhsNumber', async () => {
    await refused(path, { ...validBodies()[path], nhsNumber: INVALID_NHS }, 400, 'body.nhsNumber');
  });
  test('an unknown field → 400 naming it', async () => {
    await refused(path, { ...validBodies()[path], favouriteColour: 'blue' }, 400, 'body.favouriteColour');
  });
  test('a missing required field → 400 naming it', async () => {
    const { nhsNumber: _dropped, ...rest } = validBodies()[path];
    await refused(path, rest, 400, 'body.nhsNumber');
  });
  test('malformed JSON → 400 problem+json', async () => {
    const before = await writtenRows(h.db);
    const res = await h.post(path).set('content-type', 'application/json').send('{"nhsNumber": "943');
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/not valid JSON/);
    expect(await writtenRows(h.db)).toEqual(before);
  });
});

const DATE_FIELDS: Array<[string, string]> = [
  ['/api/events/birth-notifications', 'dateOfBirth'],
  ['/api/events/address-changes', 'effectiveFrom'],
  ['/api/events/gp-changes', 'effectiveFrom'],
  ['/api/events/inbound-transfers', 'dateOfBirth'],
  ['/api/events/immunisations', 'givenOn'],
  ['/api/events/screening-outcomes', 'recordedOn'],
  ['/api/events/appointment-outcomes', 'date'],
  ['/api/events/child-protection-alerts', 'startDate'],
  ['/api/events/death-notifications', 'dateOfDeath'],
];

test.each(DATE_FIELDS)('%s: %s in the future → 400 naming it', async (path, field) => {
  await refused(path, { ...validBodies()[path], [field]: tomorrow() }, 400, `body.${field}`);
});

test.each(DATE_FIELDS.filter(([, f]) => f !== 'dateOfBirth' && f !== 'startDate'))(
  "%s: %s before the child's birth → 400 naming it",
  async (path, field) => {
    await refused(path, { ...validBodies()[path], [field]: '2001-01-01' }, 400, `body.${field}`);
  },
);

test.each(['2026-02-30', '24/11/2025', 'yesterday'])('an impossible or malformed date (%s) → 400', async (date) => {
  await refused(
    '/api/events/birth-notifications',
    { ...validBodies()['/api/events/birth-notifications'], dateOfBirth: date },
    400,
    'body.dateOfBirth',
  );
});

test.each([['/api/events/birth-notifications'], ['/api/events/gp-changes'], ['/api/events/inbound-transfers']])(
  '%s: an unknown GP practice → 422 naming body.gpPracticeCode',
  async (path) => {
    await refused(path, { ...validBodies()[path], gpPracticeCode: 'Z99999' }, 422, 'body.gpPracticeCode');
  },
);

test.each(['B15', 'NOT A POSTCODE', '12345', 'B15 2T'])(
  'a malformed postcode (%s) → 400 naming body.address.postcode',
  async (postcode) => {
    await refused(
      '/api/events/birth-notifications',
      { ...validBodies()['/api/events/birth-notifications'], address: { lines: ['1 Road'], postcode } },
      400,
      'body.address.postcode',
    );
  },
);

test.each(PATHS.filter((p) => !/birth-notifications|inbound-transfers/.test(p)))(
  '%s: an NHS number with no record → 422 naming body.nhsNumber',
  async (path) => {
    await refused(path, { ...validBodies()[path], nhsNumber: freshNhsNumber() }, 422, 'body.nhsNumber');
  },
);

test('an inbound transfer with neither address nor GP practice in the region → 422 naming body.address.postcode', async () => {
  await refused(
    '/api/events/inbound-transfers',
    { ...validBodies()['/api/events/inbound-transfers'], address: { lines: ['1 Briggate'], postcode: 'LS1 6HB' } },
    422,
    'body.address.postcode',
  );
});

test("a birth whose mother's NHS number is the baby's → 422", async () => {
  const body = validBodies()['/api/events/birth-notifications'];
  await refused(
    '/api/events/birth-notifications',
    { ...body, mother: { name: 'M', nhsNumber: body.nhsNumber } },
    422,
    'body.mother.nhsNumber',
  );
});

test('a SNOMED CT code the schedule does not know, or naming another product than vaccine → 422 naming body.snomedCode', async () => {
  const { vaccine: _vaccine, ...bySnomed } = validBodies()['/api/events/immunisations'];
  await refused('/api/events/immunisations', { ...bySnomed, snomedCode: '123456789' }, 422, 'body.snomedCode');
  // 38598009 is the MMR vaccination procedure: not MenB.
  await refused(
    '/api/events/immunisations',
    { ...validBodies()['/api/events/immunisations'], snomedCode: '38598009' },
    422,
    'body.snomedCode',
  );
  // Neither a product code nor a SNOMED CT code.
  await refused('/api/events/immunisations', bySnomed, 400, 'body.vaccine');
});

test('an unknown vaccine → 422 naming body.vaccine; a wrong dose type → 400', async () => {
  await refused(
    '/api/events/immunisations',
    { ...validBodies()['/api/events/immunisations'], vaccine: 'smallpox' },
    422,
    'body.vaccine',
  );
  await refused(
    '/api/events/immunisations',
    { ...validBodies()['/api/events/immunisations'], dose: 'first' },
    400,
    'body.dose',
  );
});

test('a malformed date of death → 400 naming body.dateOfDeath; a child already recorded as deceased → 409, nothing written', async () => {
  const path = '/api/events/death-notifications';
  await refused(path, { ...validBodies()[path], dateOfDeath: '2026-02-30' }, 400, 'body.dateOfDeath');
  const deceased = await someChild(h.db, 'coventry');
  await h.db.sequelize.query("UPDATE children SET status = 'deceased' WHERE id = $1", { bind: [deceased.id] });
  const before = await writtenRows(h.db);
  const res = await h.post(path).send({ nhsNumber: deceased.nhsNumber, dateOfDeath: isoDaysAgo(1) });
  expect({ status: res.status, type: res.type }).toEqual({ status: 409, type: 'application/problem+json' });
  expect(res.body.detail).toMatch(/already recorded as deceased/);
  expect(await writtenRows(h.db)).toEqual(before);
});

test('an unknown screening programme and a vaccine on a health-visit appointment → 400', async () => {
  await refused(
    '/api/events/screening-outcomes',
    { ...validBodies()['/api/events/screening-outcomes'], programme: 'eyesight' },
    400,
    'body.programme',
  );
  await refused(
    '/api/events/appointment-outcomes',
    { ...validBodies()['/api/events/appointment-outcomes'], kind: 'health_visit' },
    400,
    'body.vaccine',
  );
});

test('without an engine, a valid event is refused with 503 before anything is written', async () => {
  const before = await writtenRows(h.db);
  const res = await h.post('/api/events/appointment-outcomes').send(validBodies()['/api/events/appointment-outcomes']);
  expect(res.status).toBe(503);
  expect(res.type).toBe('application/problem+json');
  expect(res.body.detail).toMatch(/process engine is not connected/);
  expect(await writtenRows(h.db)).toEqual(before);
});

describe('who may send events', () => {
  const path = '/api/events/gp-changes';
  test('nobody signed in → 401', async () => {
    const res = await request(h.app).post(path).send(validBodies()[path]);
    expect(res.status).toBe(401);
  });
  test.each(['cw.birmingham.hv', 'sl.birmingham', 'manager'])(
    '%s (staff without the integration role) → 403, nothing written',
    async (username) => {
      const staff = await signInAgent(h.app, username, DEMO_PASSWORD);
      const before = await writtenRows(h.db);
      const res = await staff.post(path).send(validBodies()[path]);
      expect(res.status).toBe(403);
      expect(await writtenRows(h.db)).toEqual(before);
    },
  );
  test('an administrator passes the access check (503 here only because this harness has no engine)', async () => {
    const admin = await signInAgent(h.app, 'admin', DEMO_PASSWORD);
    const res = await admin
      .post('/api/events/screening-outcomes')
      .send(validBodies()['/api/events/screening-outcomes']);
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/process engine is not connected/);
  });
});
