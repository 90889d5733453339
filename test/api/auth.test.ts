import { createApp } from '../../api/app';
import pino from 'pino';
import request from 'supertest';
import { createHash } from 'node:crypto';
import { deactivateStaff } from '../../records/staff';
import { select } from '../../records/sql';
import {
  PASSWORD,
  auditRows,
  countRows,
  makeStaff,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
} from './support/case-work';

describe('authentication: local accounts, sessions, CSRF, rate limiting', () => {
  let h: CaseWorkHarness;
  beforeAll(async () => {
    h = await startCaseWork('api_auth');
  });
  afterAll(() => h.close());

  test('login sets an HttpOnly SameSite=Strict session cookie; me returns the user and CSRF token; only a hash is stored', async () => {
    const user = await makeStaff(h.db, 'caseworker');
    const agent = request.agent(h.app);
    const res = await agent.post('/api/auth/login').send({ username: user.username, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      username: user.username,
      role: 'caseworker',
      localityIds: [1],
      localities: [{ id: 1, code: 'birmingham', name: 'Birmingham' }],
    });
    expect(res.body.sessionIdleMinutes).toBe(30);
    expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers['set-cookie'][0] as string;
    expect(cookie).toMatch(/^chis_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP in the test, CHIS_COOKIE_SECURE=auto

    const id = /^chis_session=([^;]+)/.exec(cookie)![1];
    const stored = await select<{ idHash: string }>(h.db, 'SELECT id_hash FROM sessions WHERE staff_id = $1', [
      user.id,
    ]);
    expect(stored).toEqual([{ idHash: createHash('sha256').update(id).digest('hex') }]);

    const me = await agent.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: res.body.user, csrfToken: res.body.csrfToken, sessionIdleMinutes: 30 });
  });

  test('GET /auth/options tells a signed-out browser how to sign in', async () => {
    const res = await request(h.app).get('/api/auth/options');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      oidc: { enabled: false, label: 'Sign in with NHS Care Identity' },
      sessionIdleMinutes: 30,
    });
  });

  test('signing in again replaces the session (a new id, the old one ends)', async () => {
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
    const again = await s.agent.post('/api/auth/login').send({ username: s.user.username, password: PASSWORD });
    expect(again.status).toBe(200);
    expect(again.body.csrfToken).not.toBe(s.csrf);
    const rows = await select(h.db, 'SELECT id_hash FROM sessions WHERE staff_id = $1', [s.user.id]);
    expect(rows).toHaveLength(1);
    expect((await s.agent.get('/api/auth/me')).body.csrfToken).toBe(again.body.csrfToken);
  });

  test('behind a TLS-terminating proxy (trusted through CHIS_TRUST_PROXY) the cookie is Secure', async () => {
    const user = await makeStaff(h.db, 'caseworker');
    const behindProxy = createApp({
      logger: pino({ level: 'silent' }),
      health: {},
      trustProxy: ['loopback'],
      caseWork: h.deps,
    });
    const res = await request(behindProxy)
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: user.username, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie'][0]).toMatch(/; Secure/);
  });

  test('wrong password and unknown user get the same generic 401; attempts are audited', async () => {
    const user = await makeStaff(h.db, 'caseworker');
    const wrong = await request(h.app).post('/api/auth/login').send({ username: user.username, password: 'not it' });
    const unknown = await request(h.app).post('/api/auth/login').send({ username: 'nobody.here', password: 'not it' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const events = await auditRows(h.db, { actor: user.username });
    expect(events.map((e) => e.action)).toEqual(['auth.login_failed']);
  });

  test('without a session every non-public route is 401; a forged cookie is no session', async () => {
    expect((await request(h.app).get('/api/auth/me')).status).toBe(401);
    const forged = await request(h.app)
      .get('/api/auth/me')
      .set('Cookie', `chis_session=${'a'.repeat(43)}`);
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  test('five failures in the window lock the username from that address (429), even with the right password', async () => {
    const user = await makeStaff(h.db, 'caseworker');
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await request(h.app)
            .post('/api/auth/login')
            .send({ username: user.username, password: `wrong ${i}` })
        ).status,
      ).toBe(401);
    }
    const locked = await request(h.app).post('/api/auth/login').send({ username: user.username, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toMatchObject({
      type: 'urn:chis-flow:problem:too-many-sign-in-attempts',
      retryAfterSeconds: Number(locked.headers['retry-after']),
    });
    expect(locked.headers['set-cookie']).toBeUndefined();
    // Another username from the same address is not affected.
    const other = await makeStaff(h.db, 'caseworker');
    expect(
      (await request(h.app).post('/api/auth/login').send({ username: other.username, password: PASSWORD })).status,
    ).toBe(200);
  });

  test('a success resets the failure count', async () => {
    const user = await makeStaff(h.db, 'caseworker');
    for (let i = 0; i < 4; i++)
      await request(h.app).post('/api/auth/login').send({ username: user.username, password: 'wrong' });
    expect(
      (await request(h.app).post('/api/auth/login').send({ username: user.username, password: PASSWORD })).status,
    ).toBe(200);
    for (let i = 0; i < 4; i++)
      await request(h.app).post('/api/auth/login').send({ username: user.username, password: 'wrong' });
    expect(
      (await request(h.app).post('/api/auth/login').send({ username: user.username, password: PASSWORD })).status,
    ).toBe(200);
  });

  test('state-changing requests need the session CSRF token in X-CSRF-Token', async () => {
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
    const sessions = await countRows(h.db, 'sessions');
    const none = await s.agent.post('/api/auth/logout');
    expect(none.status).toBe(403);
    expect(none.body.detail).toMatch(/x-csrf-token/i);
    const wrong = await s.agent.post('/api/auth/logout').set('X-CSRF-Token', 'x'.repeat(43));
    expect(wrong.status).toBe(403);
    expect(await countRows(h.db, 'sessions')).toBe(sessions);
    const right = await s.agent.post('/api/auth/logout').set('X-CSRF-Token', s.csrf);
    expect(right.status).toBe(204);
    expect(right.headers['set-cookie'][0]).toMatch(/^chis_session=;/);
    expect(await countRows(h.db, 'sessions')).toBe(sessions - 1);
    expect((await s.agent.get('/api/auth/me')).status).toBe(401);
  });

  test('deactivating an account ends its sessions', async () => {
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
    expect((await s.agent.get('/api/auth/me')).status).toBe(200);
    await deactivateStaff(h.db, s.user.id);
    expect((await s.agent.get('/api/auth/me')).status).toBe(401);
    const again = await request(h.app).post('/api/auth/login').send({ username: s.user.username, password: PASSWORD });
    expect(again.status).toBe(401);
  });

  test('a session past its idle expiry is refused', async () => {
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
    await select(
      h.db,
      "UPDATE sessions SET idle_expires_at = now() - interval '1 second' WHERE staff_id = $1 RETURNING staff_id",
      [s.user.id],
    );
    expect((await s.agent.get('/api/auth/me')).status).toBe(401);
  });
});
