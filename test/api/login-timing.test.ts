/**
 * Sign-in time does not tell real usernames from unknown ones (issue 11, finding 5): seeded
 * accounts are hashed with the same argon2 parameters as the dummy hash an unknown username is
 * checked against. Medians of interleaved attempts in one run, so machine load affects both
 * sides alike. A hash made with other parameters is made again at the next successful sign-in.
 */
import argon2 from 'argon2';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { PASSWORD_HASH_OPTIONS } from '../../core/password-hashing';
import { selectOne } from '../../records/sql';
import { DEMO_PASSWORD, seedRegion } from '../../db/seed';
import { startCaseWork, type CaseWorkHarness } from './support/case-work';
import { createStaff } from '../../records/staff';

let h: CaseWorkHarness;
beforeAll(async () => {
  // Many failed attempts on purpose: keep the rate limit out of the way.
  h = await startCaseWork('api_login_timing', { auth: { loginMaxFailures: 10_000 } });
  await seedRegion(h.database.sequelize, { children: 5, concurrency: 1 });
}, 120_000);
afterAll(() => h.close());

async function timed(username: string, password: string): Promise<number> {
  const start = performance.now();
  const res = await request(h.app).post('/api/auth/login').send({ username, password });
  const ms = performance.now() - start;
  if (res.status !== 401) throw new Error(`expected 401 for ${username}, got ${res.status}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('a seeded (real) username and an unknown one take the same time to refuse: medians within 20%', async () => {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 3; i++) {
    await timed('cw.birmingham.hv', 'not-the-password');
    await timed('cw.nobody.hv', 'not-the-password');
  }
  // 41 pairs: on a loaded machine the median of fewer moves by more than the 20% asked.
  for (let i = 0; i < 41; i++) {
    // Alternating which goes first, so a drift in load falls on both.
    if (i % 2) {
      known.push(await timed('cw.birmingham.hv', `wrong-${i}`));
      unknown.push(await timed(`cw.nobody${i}.hv`, `wrong-${i}`));
    } else {
      unknown.push(await timed(`cw.nobody${i}.hv`, `wrong-${i}`));
      known.push(await timed('cw.birmingham.hv', `wrong-${i}`));
    }
  }
  const [k, u] = [median(known), median(unknown)];
  expect({ known: Math.round(k), unknown: Math.round(u), withinTwentyPercent: Math.abs(u - k) <= 0.2 * k }).toEqual({
    known: Math.round(k),
    unknown: Math.round(u),
    withinTwentyPercent: true,
  });
}, 120_000);

test('the seed hashes with the common parameters; an older hash is made again at the next sign-in', async () => {
  const seeded = await selectOne<{ passwordHash: string }>(
    h.db,
    "SELECT password_hash FROM staff_users WHERE username = 'cw.birmingham.hv'",
  );
  expect(argon2.needsRehash(seeded!.passwordHash, PASSWORD_HASH_OPTIONS)).toBe(false);

  const older = await createStaff(h.db, {
    username: 'cw.older.hv',
    displayName: 'Older hash',
    role: 'caseworker',
    passwordHash: await argon2.hash(DEMO_PASSWORD), // argon2's defaults, as earlier seeds made them
    localityIds: [1],
    teamCodes: [],
  });
  const res = await request(h.app).post('/api/auth/login').send({ username: older.username, password: DEMO_PASSWORD });
  expect(res.status).toBe(200);
  const after = await selectOne<{ passwordHash: string }>(h.db, 'SELECT password_hash FROM staff_users WHERE id = $1', [
    older.id,
  ]);
  expect(argon2.needsRehash(after!.passwordHash, PASSWORD_HASH_OPTIONS)).toBe(false);
  expect(await argon2.verify(after!.passwordHash, DEMO_PASSWORD)).toBe(true);
});
