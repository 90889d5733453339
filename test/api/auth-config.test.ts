import { ConfigError, loadConfig } from '../../core/config';

const OIDC = {
  CHIS_OIDC_ISSUER: 'https://idp.example.nhs.uk/realms/cis2',
  CHIS_OIDC_CLIENT_ID: 'chis-flow',
  CHIS_OIDC_CLIENT_SECRET: 'secret',
  CHIS_OIDC_REDIRECT_URI: 'https://chis.example.nhs.uk/api/auth/oidc/callback',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('sign-in settings in the one config loader', () => {
  test('defaults: 30-minute idle sessions, 12-hour maximum, Secure cookie when over TLS, 5 failures per 15 minutes, no OIDC', () => {
    expect(loadConfig({}, '/srv').auth).toEqual({
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      cookieSecure: 'auto',
      loginMaxFailures: 5,
      loginWindowMinutes: 15,
    });
  });

  test('explicit values and a complete OIDC client', () => {
    const auth = loadConfig({ CHIS_COOKIE_SECURE: 'true', CHIS_LOGIN_MAX_FAILURES: '3', ...OIDC }, '/srv').auth;
    expect(auth.cookieSecure).toBe(true);
    expect(auth.loginMaxFailures).toBe(3);
    expect(auth.oidc).toEqual({
      issuer: OIDC.CHIS_OIDC_ISSUER,
      clientId: 'chis-flow',
      clientSecret: 'secret',
      redirectUri: OIDC.CHIS_OIDC_REDIRECT_URI,
    });
  });

  test('a partial OIDC client and bad values are named', () => {
    expect(problemsOf({ CHIS_OIDC_ISSUER: OIDC.CHIS_OIDC_ISSUER })).toEqual([
      'OpenID Connect needs all of CHIS_OIDC_ISSUER, CHIS_OIDC_CLIENT_ID, CHIS_OIDC_CLIENT_SECRET, CHIS_OIDC_REDIRECT_URI: missing CHIS_OIDC_CLIENT_ID, CHIS_OIDC_CLIENT_SECRET, CHIS_OIDC_REDIRECT_URI',
    ]);
    expect(problemsOf({ CHIS_COOKIE_SECURE: 'yes' })).toEqual([
      expect.stringMatching(/^CHIS_COOKIE_SECURE: expected auto, true or false/),
    ]);
    expect(problemsOf({ ...OIDC, CHIS_OIDC_ISSUER: 'not a url' })).toEqual([
      expect.stringMatching(/^CHIS_OIDC_ISSUER: expected the issuer URL/),
    ]);
  });
});
