import request from 'supertest';
import { countRows, makeStaff, startCaseWork, type CaseWorkHarness } from './support/case-work';
import { TestOidcProvider, type Tamper } from './support/oidc-provider';

const REDIRECT_URI = 'http://127.0.0.1/api/auth/oidc/callback';

describe('OpenID Connect sign-in (authorization code + PKCE) against a local provider', () => {
  const provider = new TestOidcProvider('chis-flow', 's3cret/with:odd chars');
  let h: CaseWorkHarness;
  beforeAll(async () => {
    const issuer = await provider.start();
    h = await startCaseWork('api_oidc', {
      auth: {
        oidc: { issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, redirectUri: REDIRECT_URI },
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await provider.stop();
  });

  /** Browser steps: our login → provider → back to our callback with the same cookie jar. */
  async function signInThroughProvider(subject: string, tamper: Tamper = 'none', email?: string) {
    provider.nextSubject = subject;
    provider.nextEmail = email;
    provider.tamper = tamper;
    const agent = request.agent(h.app);
    const start = await agent.get('/api/auth/oidc/login');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.location);
    expect(authorize.origin + authorize.pathname).toBe(`${provider.issuer}/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(start.headers['set-cookie'][0]).toMatch(/^chis_oidc_state=.*HttpOnly.*SameSite=Lax/);
    const atProvider = await fetch(authorize, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const back = new URL(atProvider.headers.get('location')!);
    const callback = await agent.get(`/api/auth/oidc/callback${back.search}`);
    return { agent, callback, callbackPath: `/api/auth/oidc/callback${back.search}` };
  }

  test('a staff member whose username is the subject is signed in with a session cookie', async () => {
    const staff = await makeStaff(h.db, 'safeguarding_lead');
    const { agent, callback } = await signInThroughProvider(staff.username);
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe('/');
    expect(String(callback.headers['set-cookie'])).toMatch(
      /chis_session=[A-Za-z0-9_-]{43};.*HttpOnly.*SameSite=Strict/,
    );
    const me = await agent.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: staff.username, role: 'safeguarding_lead' });
  });

  test('matching by email claim when the subject is an opaque id', async () => {
    const staff = await makeStaff(h.db, 'caseworker');
    await h.db.sequelize.query('UPDATE staff_users SET email = $1 WHERE id = $2', {
      bind: [`${staff.username}@nhs.test`, staff.id],
    });
    const { agent, callback } = await signInThroughProvider(
      '5d1a6b0e-0c8f-4c47-9a43-1f0c7f1b2f6a'.toUpperCase(),
      'none',
      `${staff.username}@NHS.test`,
    );
    expect(callback.status).toBe(302);
    expect((await agent.get('/api/auth/me')).body.user.username).toBe(staff.username);
  });

  test.each(['signature', 'audience', 'expired', 'nonce', 'issuer'] as const)(
    'an ID token spoiled in its %s is refused, no session is made',
    async (tamper) => {
      const staff = await makeStaff(h.db, 'caseworker');
      const sessions = await countRows(h.db, 'sessions');
      const { agent, callback } = await signInThroughProvider(staff.username, tamper);
      expect(callback.status).toBe(401);
      expect(callback.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(callback.body.detail).toMatch(/^OpenID Connect sign-in failed: the ID token/);
      expect(await countRows(h.db, 'sessions')).toBe(sessions);
      expect((await agent.get('/api/auth/me')).status).toBe(401);
    },
  );

  test('unknown identities, replayed callbacks and callbacks from another browser are refused', async () => {
    const unknown = await signInThroughProvider('not.a.member.of.staff');
    expect(unknown.callback.status).toBe(401);
    expect(unknown.callback.body.detail).toMatch(/no active staff account/);

    const staff = await makeStaff(h.db, 'caseworker');
    const { agent, callbackPath } = await signInThroughProvider(staff.username);
    const replay = await agent.get(callbackPath);
    expect(replay.status).toBe(400);
    const otherBrowser = await request(h.app).get(callbackPath);
    expect(otherBrowser.status).toBe(400);
    expect(otherBrowser.body.detail).toMatch(/not started in this browser/);
  });

  test('the sign-in page is told to offer NHS Care Identity', async () => {
    const res = await request(h.app).get('/api/auth/options');
    expect(res.body.oidc).toEqual({ enabled: true, label: 'Sign in with NHS Care Identity' });
  });

  test('when OIDC is not configured the routes say so', async () => {
    const plain = await startCaseWork('api_oidc_off');
    try {
      const res = await request(plain.app).get('/api/auth/oidc/login');
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(/not configured/);
      expect((await request(plain.app).get('/api/auth/options')).body.oidc.enabled).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
