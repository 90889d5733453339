/**
 * No 5xx for any client input (issue 11, findings 3 and 5): badly percent-encoded path
 * parameters (sent over a raw socket, since HTTP clients normalise URLs), bodies nested deeper
 * than the limit, invalid UTF-8, `[]` where no body is expected, and paths outside /api all
 * answer problem+json 4xx naming what is wrong, and write nothing.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MAX_DEPTH } from '../../api/body-limits';
import {
  BIRMINGHAM,
  countRows,
  makeStaff,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

let h: CaseWorkHarness;
let server: Server;
let manager: SignedIn;
let lead: SignedIn;

beforeAll(async () => {
  h = await startCaseWork('api_malformed');
  manager = await signIn(h.app, await makeStaff(h.db, 'service_manager', { localityIds: [BIRMINGHAM] }));
  lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

/** One HTTP/1.1 request written byte for byte; the status and the parsed problem back. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; contentType: string; body: { status?: number; errors?: Array<{ field: string }> } }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const contentType = /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1] ?? '';
      let parsed = {};
      try {
        parsed = JSON.parse(rest.join('\r\n\r\n'));
      } catch {
        /* not JSON: the assertion on the content type says so */
      }
      resolve({ status, contentType, body: parsed });
    });
    const lines = [
      `${method} ${path} HTTP/1.1`,
      'Host: localhost',
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ...(body ? [`Content-Length: ${body.length}`] : []),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (body) socket.write(body);
  });
}

const cookieOf = (s: SignedIn) =>
  // supertest's agent keeps the cookie: read it back for the raw requests.
  (s.agent as unknown as { jar: { getCookies(o: object): Array<{ name: string; value: string }> } }).jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');

test.each([
  '/api/concerns/%FF',
  '/api/concerns/%E0%A4%A',
  '/api/children/%C0%AF/timeline',
  '/api/tasks/%ZZ',
  '/api/process-instances/%FF%FE',
])('GET %s (invalid percent-encoding) → 400 problem+json naming params', async (path) => {
  const variants: Array<Record<string, string>> = [{}, { Cookie: cookieOf(lead) }];
  for (const headers of variants) {
    const res = await raw('GET', path, headers);
    expect({ status: res.status, contentType: res.contentType }).toEqual({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
    });
    expect(res.body.errors).toEqual([{ field: 'params', message: 'is not valid percent-encoded UTF-8' }]);
  }
});

test('paths outside /api answer a problem+json 404, whatever the method', async () => {
  for (const [method, path] of [
    ['GET', '/'],
    ['GET', '/nowhere/%FF'],
    ['POST', '/index.html'],
    ['DELETE', '/api'],
  ] as const) {
    const res = await raw(method, path);
    expect({ method, path, status: res.status, contentType: res.contentType }).toEqual({
      method,
      path,
      status: 404,
      contentType: expect.stringMatching(/^application\/problem\+json/),
    });
  }
});

test(`a body nested deeper than ${MAX_DEPTH} levels (inside the size limit) is a 400 naming where, before any route`, async () => {
  const before = await countRows(h.db, 'audit_events');
  const deep = `{"key":"x","variables":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
  for (const path of ['/api/process-instances', '/api/messages', '/api/children/9434765919/concerns']) {
    const res = await manager.agent
      .post(path)
      .set('X-CSRF-Token', manager.csrf)
      .set('Content-Type', 'application/json')
      .send(deep);
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
    expect(res.body.errors).toEqual([
      { field: 'body.variables.a.0.0.…', message: `nests deeper than ${MAX_DEPTH} levels` },
    ]);
  }
  // Just inside the limit is not refused for its depth.
  const ok = await manager.agent
    .post('/api/messages')
    .set('X-CSRF-Token', manager.csrf)
    .send({
      name: 'x',
      correlationKey: null,
      variables: { a: JSON.parse(`${'['.repeat(MAX_DEPTH - 2)}${']'.repeat(MAX_DEPTH - 2)}`) },
    });
  expect(ok.body.errors ?? []).not.toContainEqual(expect.objectContaining({ message: expect.stringMatching(/nests/) }));
  expect(await countRows(h.db, 'audit_events')).toBe(before);
});

test('invalid UTF-8 in a JSON body is a 400, not replacement characters', async () => {
  const before = await countRows(h.db, 'safeguarding_concerns');
  const body = Buffer.concat([
    Buffer.from('{"reason":"Bruises seen '),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('","severity":"high"}'),
  ]);
  const res = await raw(
    'POST',
    '/api/children/9434765919/concerns',
    { 'Content-Type': 'application/json', Cookie: cookieOf(lead), 'X-CSRF-Token': lead.csrf },
    body,
  );
  expect(res.status).toBe(400);
  expect(res.body.errors).toEqual([{ field: 'body', message: 'is not valid UTF-8' }]);
  const latin1 = await raw(
    'POST',
    '/api/auth/logout',
    { 'Content-Type': 'application/json; charset=latin1', Cookie: cookieOf(lead), 'X-CSRF-Token': lead.csrf },
    Buffer.from('{}'),
  );
  expect(latin1.status).toBe(415);
  expect(await countRows(h.db, 'safeguarding_concerns')).toBe(before);
});

test('`[]` where no body is expected, or where an object is, is a 400', async () => {
  const sessions = await countRows(h.db, 'sessions');
  const list = await lead.agent.post('/api/auth/logout').set('X-CSRF-Token', lead.csrf).send([]);
  expect(list.status).toBe(400);
  expect(list.body.errors).toEqual([{ field: 'body', message: 'must be an object or absent, not a list' }]);
  const asObject = await lead.agent.post('/api/children/9434765919/concerns').set('X-CSRF-Token', lead.csrf).send([]);
  expect(asObject.status).toBe(400);
  expect(await countRows(h.db, 'sessions')).toBe(sessions);
});
