/**
 * Live work for the demo region, so that a fresh `npm start` has something to do in the
 * browser: in every locality a few babies born in the last days (their new birth visits open
 * in the locality's health visiting queue) and one born 16 days ago whose visit is overdue
 * (escalated to the locality's safeguarding lead). They arrive the way real births do: the
 * maternity feed (`feed`, role integration) posts birth notifications to the API, and
 * new-birth-registration does the rest. Runs once, on the start that seeded the region.
 */
import { nhsCheckDigit } from '../core/nhs-number';
import type { Logger } from '../core/logger';
import { nhsNumbersHeld } from '../records/children/child-rows';
import { localityAnchors } from '../records/localities';
import type { Db } from '../records/sql';
import { DEMO_PASSWORD } from '../db/seed';
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES } from '../db/seed/names';

/** Days since birth of each locality's demo babies: three recent, one overdue for its day-14 visit. */
const DAYS_OLD = [2, 5, 9, 16];

interface LocalityFacts {
  code: string;
  postcode: string;
  practice: string;
}

async function localities(db: Db): Promise<LocalityFacts[]> {
  return (await localityAnchors(db)).flatMap((l) =>
    l.district && l.practice ? [{ code: l.code, postcode: `${l.district} 1AB`, practice: l.practice }] : [],
  );
}

/** Valid synthetic NHS numbers (999 7xx xxxx) that no child has yet. */
async function freshNhsNumbers(db: Db, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let serial = 0; out.length < count && serial < 1_000_000; serial++) {
    const nine = `9997${String(serial).padStart(5, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) out.push(`${nine}${check}`);
  }
  const taken = await nhsNumbersHeld(db, out);
  return out.filter((n) => !taken.has(n));
}

const pick = (list: readonly string[], n: number) => list[n % list.length];

const dayInEngland = (at: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);

export async function createDemoCaseWork(o: { apiUrl: string; db: Db; logger: Logger; now?: Date }): Promise<number> {
  const login = await fetch(`${o.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'feed', password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`the demo feed account could not sign in (${login.status})`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const places = await localities(o.db);
  const numbers = await freshNhsNumbers(o.db, places.length * DAYS_OLD.length);
  const now = o.now ?? new Date();
  const births = places.flatMap((place, i) =>
    DAYS_OLD.map((daysOld, j) => ({ place, daysOld, n: i * DAYS_OLD.length + j })),
  );
  let sent = 0;
  const post = async ({ place, daysOld, n }: (typeof births)[number]) => {
    const nhsNumber = numbers[n];
    if (!nhsNumber) return;
    const female = n % 2 === 0;
    const familyName = pick(FAMILY_NAMES, n * 13);
    const res = await fetch(`${o.apiUrl}/events/birth-notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({
        nhsNumber,
        givenName: pick(female ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES, n * 7),
        familyName,
        dateOfBirth: dayInEngland(new Date(now.getTime() - daysOld * 86_400_000)),
        timeOfBirth: '09:15',
        sex: female ? 'female' : 'male',
        mother: { name: `${pick(FEMALE_GIVEN_NAMES, n * 11)} ${familyName}` },
        address: { lines: [`${n + 1} Demo Road`], postcode: place.postcode },
        gpPracticeCode: place.practice,
        maternityUnit: 'City Hospital',
      }),
    });
    if (res.status === 202 || res.status === 200) sent++;
    else o.logger.warn({ status: res.status, body: await res.text() }, 'demo birth notification refused');
  };
  // A few at a time: each starts a process instance, and start-up should not wait long for them.
  for (let k = 0; k < births.length; k += 4) await Promise.all(births.slice(k, k + 4).map(post));
  return sent;
}
