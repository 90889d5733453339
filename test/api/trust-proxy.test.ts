/**
 * X-Forwarded-For is believed only from proxies named in CHIS_TRUST_PROXY (issue 11, finding 5):
 * by default not even from loopback, so a client cannot write another address into the audit
 * trail or pass for a TLS connection; with the proxy configured (addresses/CIDR ranges or a
 * number of hops) its forwarded client address is what the audit records.
 */
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { ConfigError, loadConfig, parseTrustProxy, type TrustProxy } from '../../core/config';
import { select } from '../../records/sql';
import { makeStaff, PASSWORD, startCaseWork, type CaseWorkHarness } from './support/case-work';

let h: CaseWorkHarness;
beforeAll(async () => {
  h = await startCaseWork('api_trust_proxy');
});
afterAll(() => h.close());

async function loginThrough(trustProxy: TrustProxy | undefined) {
  const app = createApp({
    logger: pino({ level: 'silent' }),
    health: {},
    ...(trustProxy === undefined ? {} : { trustProxy }),
    caseWork: h.deps,
  });
  const user = await makeStaff(h.db, 'caseworker');
  const res = await request(app)
    .post('/api/auth/login')
    .set('X-Forwarded-For', '203.0.113.9')
    .set('X-Forwarded-Proto', 'https')
    .send({ username: user.username, password: PASSWORD });
  expect(res.status).toBe(200);
  const [row] = await select<{ sourceIp: string }>(
    h.db,
    `SELECT source_ip::text AS source_ip FROM audit_events WHERE actor_username = $1 AND action = 'auth.login' ORDER BY id DESC LIMIT 1`,
    [user.username],
  );
  return { sourceIp: row?.sourceIp ?? null, secure: /; Secure/.test(String(res.headers['set-cookie']?.[0])) };
}

test('by default X-Forwarded-For from loopback is not believed: the socket address is audited, the cookie is not Secure', async () => {
  const { sourceIp, secure } = await loginThrough(undefined);
  expect(sourceIp).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)(\/\d+)?$/);
  expect(secure).toBe(false);
  expect(await loginThrough(false)).toEqual({ sourceIp, secure: false });
});

test.each<[string, TrustProxy]>([
  ['a CIDR list', ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.1/128']],
  ['one hop', 1],
])('a trusted proxy (%s): the forwarded client address is audited, the cookie is Secure', async (_what, trust) => {
  const { sourceIp, secure } = await loginThrough(trust);
  expect(sourceIp).toMatch(/^203\.0\.113\.9(\/32)?$/);
  expect(secure).toBe(true);
});

test('CHIS_TRUST_PROXY: none by default; hops or a list of addresses/CIDR ranges; anything else names the variable', () => {
  expect(loadConfig({}, '/').trustProxy).toBe(false);
  expect(parseTrustProxy('none')).toBe(false);
  expect(parseTrustProxy('2')).toBe(2);
  expect(parseTrustProxy('10.0.0.0/8, 192.0.2.7,fd00::/8')).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
  for (const bad of ['0', '11', 'yes', '10.0.0.0/33', '10.0.0/8', 'proxy.example', '::1/129'])
    expect({ bad, parsed: parseTrustProxy(bad) }).toEqual({ bad, parsed: null });
  expect(() => loadConfig({ CHIS_TRUST_PROXY: 'everyone' }, '/')).toThrow(ConfigError);
  expect(() => loadConfig({ CHIS_TRUST_PROXY: 'everyone' }, '/')).toThrow(/CHIS_TRUST_PROXY/);
});
