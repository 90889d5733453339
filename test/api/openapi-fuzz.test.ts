/**
 * Fuzzing from the OpenAPI document (issue 11): every operation of GET /api/openapi.json, each
 * made malformed in every way the document lets us derive (wrong types, missing required and
 * extra fields, strings past their limit, numbers out of range, deep nesting, lists for
 * objects, invalid JSON and UTF-8, unknown and repeated query parameters, path parameters
 * past their pattern and badly percent-encoded), sent as every role and signed out, over raw
 * sockets (clients normalise URLs). Every answer must be below 500 — a 4xx problem+json for
 * every declared route — and no row of any table may change.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { select } from '../../records/sql';
import { ROLES, type Role } from '../../records/staff';
import { RawHttpConnection, type RawRequest } from './support/raw-http';
import {
  BIRMINGHAM,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  makeTeam,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
} from './support/case-work';
import { raiseConcernAs } from '../support/fixtures';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  examples?: unknown[];
  default?: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: Schema | null;
}

// ------------------------------------------------------------------------------- values

const typeOf = (s: Schema): string | undefined => {
  if (s.anyOf) return typeOf(s.anyOf.find((x) => x.type !== 'null') ?? s.anyOf[0]);
  return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
};
const nonNull = (s: Schema): Schema => (s.anyOf ? (s.anyOf.find((x) => x.type !== 'null') ?? s) : s);

/** A plausible value of the schema (valid or not does not matter: a mutation makes each request wrong). */
function sample(schema: Schema): unknown {
  const s = nonNull(schema);
  if (s.examples?.length) return s.examples[0];
  if (s.enum?.length) return s.enum[0];
  if (s.const !== undefined) return s.const;
  switch (typeOf(s)) {
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date') return '2026-01-15';
      if (s.format === 'date-time') return '2026-01-15T10:00:00Z';
      if (s.format === 'email') return 'someone@example.nhs.uk';
      return 'a'.repeat(Math.max(1, s.minLength ?? 3));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}));
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k] ?? {})]));
    default:
      return 'x';
  }
}

/** Values of the wrong JSON type for the schema. */
function wrongTypes(schema: Schema): unknown[] {
  const t = typeOf(schema);
  const all: Array<[string, unknown]> = [
    ['string', 12345],
    ['integer', 'twelve'],
    ['number', 'twelve'],
    ['boolean', 'yes'],
    ['object', 'an object'],
    ['array', { not: 'a list' }],
  ];
  const out = all.filter(([k]) => k === t).map(([, v]) => v);
  if (t === 'object') out.push([]);
  if (t === 'string') out.push({ nested: 'object' }, ['a', 'list']);
  if (t === 'integer') out.push(1.5);
  return out;
}

/** Values of the right type that break the schema's limits. */
function outOfLimits(schema: Schema): unknown[] {
  const s = nonNull(schema);
  const out: unknown[] = [];
  const t = typeOf(s);
  if (t === 'string') {
    if (s.maxLength !== undefined && s.maxLength < 200_000) out.push('x'.repeat(s.maxLength + 1));
    if (s.minLength) out.push('');
    if (s.pattern || s.format) out.push('\u202e<script>\u0000');
    if (s.enum) out.push('not-one-of-them');
  }
  if (t === 'integer' || t === 'number') {
    if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) out.push(s.maximum + 1);
    if (s.minimum !== undefined) out.push(s.minimum - 1);
    out.push(1e300);
  }
  if (t === 'array' && s.maxItems !== undefined && s.maxItems < 10_000)
    out.push(Array.from({ length: s.maxItems + 1 }, () => sample(s.items ?? {})));
  return out;
}

const deep = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

// ------------------------------------------------------------------------------- requests

interface Fuzz {
  what: string;
  /** A large payload: sent by two callers only (the limits act before sign-in), to keep the run short. */
  heavy?: boolean;
  op: Operation;
  request: Omit<RawRequest, 'headers'> & { headers: Record<string, string> };
}

const BAD_ENCODINGS = ['%FF', '%E0%A4%A', '%', '%C0%AF'];

function pathOf(op: Operation, params: Record<string, string>, rawOverride?: [string, string]): string {
  return `/api${op.path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) =>
    rawOverride && rawOverride[0] === name ? rawOverride[1] : encodeURIComponent(params[name]),
  )}`;
}

function queryString(pairs: Array<[string, string]>): string {
  return pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
}

/** Every malformed variant of one operation. */
function fuzzesOf(op: Operation): Fuzz[] {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const params = Object.fromEntries(pathParams.map((p) => [p.name, String(sample(p.schema))]));
  const baseQuery: Array<[string, string]> = queryParams
    .filter((p) => p.required)
    .map((p) => [p.name, String(sample(p.schema))]);
  const baseBody = op.body ? (sample(op.body) as Record<string, unknown>) : null;
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const out: Fuzz[] = [];
  const add = (
    what: string,
    r: { path?: string; query?: Array<[string, string]>; body?: Buffer | null; type?: string },
  ) => {
    const body = r.body === undefined ? (baseBody ? json(baseBody) : null) : r.body;
    out.push({
      what,
      heavy: (body?.length ?? 0) > 16 * 1024,
      op,
      request: {
        method: op.method.toUpperCase(),
        path: `${r.path ?? pathOf(op, params)}${queryString(r.query ?? baseQuery)}`,
        headers: body ? { 'Content-Type': r.type ?? 'application/json' } : {},
        ...(body ? { body } : {}),
      },
    });
  };

  // Path parameters: past their limits, wrong in shape, badly percent-encoded (raw bytes on the wire).
  for (const p of pathParams) {
    for (const bad of ['x'.repeat(5000), "1'; DROP TABLE audit_events; --", '%00'])
      add(`path ${p.name} = ${bad.slice(0, 20)}`, { path: pathOf(op, { ...params, [p.name]: bad }) });
    for (const enc of BAD_ENCODINGS) add(`path ${p.name} raw ${enc}`, { path: pathOf(op, params, [p.name, enc]) });
  }
  // Query: unknown, repeated, wrong type, out of limits.
  add('unknown query parameter', { query: [...baseQuery, ['zzUnknown', '1']] });
  add('query with bad percent-encoding', { path: `${pathOf(op, params)}?${queryParams[0]?.name ?? 'q'}=%FF%FE` });
  for (const p of queryParams) {
    add(`query ${p.name} repeated`, {
      query: [...baseQuery.filter(([k]) => k !== p.name), [p.name, '1'], [p.name, '2']],
    });
    const t = typeOf(p.schema);
    const bads = [
      ...(t === 'integer' || t === 'number' ? ['abc', '-5', '1e400', '9'.repeat(400)] : []),
      ...outOfLimits(p.schema).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number'),
    ];
    for (const bad of bads)
      add(`query ${p.name} = ${String(bad).slice(0, 20)}`, {
        query: [...baseQuery.filter(([k]) => k !== p.name), [p.name, String(bad)]],
      });
  }
  // Bodies.
  const malformedBodies: Array<[string, Buffer, string?]> = [
    ['a list', json([])],
    ['a string', json('text')],
    ['null', Buffer.from('null')],
    ['invalid JSON', Buffer.from('{"a": ')],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])],
    ['nested 40 deep', json({ ...(baseBody ?? {}), zzDeep: deep(40) })],
    ['nested 20,000 deep', Buffer.from(`{"zzDeep":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)],
    ['over 256 KB', json({ ...(baseBody ?? {}), zzBlob: 'x'.repeat(300 * 1024) })],
    ['JSON as latin1', json(baseBody ?? { zz: 1 }), 'application/json; charset=latin1'],
  ];
  for (const [what, body, type] of malformedBodies) add(`body ${what}`, { body, ...(type ? { type } : {}) });
  if (!op.body) {
    add('a body where none is taken', { body: json({ zzUnexpected: true }) });
    return out;
  }
  const s = op.body;
  if (s.additionalProperties === false) add('body with an extra field', { body: json({ ...baseBody, zzExtra: 1 }) });
  if ((s.required ?? []).length) {
    add('body empty object', { body: json({}) });
    add('no body at all', { body: null });
    add('JSON sent as text/plain', { body: json(baseBody), type: 'text/plain' });
    for (const k of s.required ?? []) {
      const { [k]: _drop, ...rest } = baseBody ?? {};
      add(`body without required ${k}`, { body: json(rest) });
    }
  }
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    for (const bad of wrongTypes(prop).slice(0, 2))
      add(`body ${k} of the wrong type`, { body: json({ ...baseBody, [k]: bad }) });
    for (const bad of outOfLimits(prop)) add(`body ${k} out of limits`, { body: json({ ...baseBody, [k]: bad }) });
    if (typeOf(prop) === 'object' && prop.additionalProperties !== false)
      add(`body ${k} nested 40 deep`, { body: json({ ...baseBody, [k]: { a: deep(40) } }) });
  }
  return out;
}

// ------------------------------------------------------------------------------- the run

let h: CaseWorkHarness;
let server: Server;

beforeAll(async () => {
  h = await startCaseWork('api_fuzz');
  // Some rows in every table a request could touch, so that "nothing changed" means something.
  const team = await makeTeam(h.db, BIRMINGHAM);
  const instance = await makeProcessInstance(h.db, 'fuzz');
  const lead = await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM], teamCodes: [team] });
  for (let i = 0; i < 3; i++) {
    const child = await makeChild(h.db, BIRMINGHAM);
    await makeTask(h.db, {
      processInstanceId: instance,
      childId: child.id,
      localityId: BIRMINGHAM,
      candidateGroups: [team],
    });
    await raiseConcernAs(h.db, lead, child.id, 'Fuzz test concern');
  }
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.close();
});

/** Row count and checksum of every table (a session's last-seen time moves with every request: left out). */
async function snapshot(): Promise<Record<string, string>> {
  const tables = await select<{ name: string }>(
    h.db,
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await select<{ n: string; sum: string }>(
      h.db,
      `SELECT count(*)::text AS n, md5(coalesce(string_agg(x, '|' ORDER BY x), '')) AS sum
       FROM (SELECT (to_jsonb(t) - 'last_seen_at' - 'idle_expires_at')::text AS x FROM "${name}" t) rows`,
    );
    out[name] = `${row.n}:${row.sum}`;
  }
  return out;
}

test('every operation of the OpenAPI document × malformed inputs × every role: no 5xx, a 4xx problem for each, no row changed', async () => {
  const { port } = server.address() as AddressInfo;
  const doc = JSON.parse(
    (await new RawHttpConnection(port).send({ method: 'GET', path: '/api/openapi.json' })).body.toString('utf8'),
  ) as {
    paths: Record<
      string,
      Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>
    >;
  };
  const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method,
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema ?? null,
    })),
  );
  const fuzzes = operations.flatMap(fuzzesOf);

  // Every role signed in (a session and its CSRF token), and nobody.
  const callers: Array<{ role: Role | 'anonymous'; headers: Record<string, string> }> = [
    { role: 'anonymous', headers: {} },
  ];
  for (const role of ROLES) {
    const s = await signIn(h.app, await makeStaff(h.db, role, { localityIds: [BIRMINGHAM] }));
    const cookie = (
      s.agent as unknown as { jar: { getCookies(o: object): Array<{ name: string; value: string }> } }
    ).jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    callers.push({ role, headers: { Cookie: cookie, 'X-CSRF-Token': s.csrf } });
  }

  const before = await snapshot();
  const started = Date.now();
  const failures: string[] = [];
  let sent = 0;
  // One kept-alive connection per caller, all at once.
  await Promise.all(
    callers.map(async (caller) => {
      const connection = new RawHttpConnection(port);
      try {
        for (const f of fuzzes) {
          if (f.heavy && caller.role !== 'anonymous' && caller.role !== 'administrator') continue;
          const res = await connection.send({ ...f.request, headers: { ...f.request.headers, ...caller.headers } });
          sent++;
          const label = `${caller.role} ${f.request.method} ${f.op.path} (${f.what}) → ${res.status}`;
          const health = f.op.path === '/health' || f.op.path.startsWith('/health/');
          if (res.status >= 500 && !(health && res.status === 503))
            failures.push(`${label}: ${res.body.toString('utf8').slice(0, 200)}`);
          else if (!health && (res.status < 400 || res.status >= 500))
            failures.push(`${label}: a malformed request was not refused`);
          else if (!health && !/^application\/problem\+json/.test(res.headers['content-type'] ?? ''))
            failures.push(`${label}: answered ${res.headers['content-type'] ?? 'without a content type'}`);
        }
      } finally {
        connection.close();
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const after = await snapshot();

  process.stdout.write(
    `openapi fuzz: ${operations.length} operations, ${fuzzes.length} malformed variants × ${callers.length} callers = ${sent} requests in ${seconds.toFixed(1)} s\n`,
  );
  expect(failures.slice(0, 20)).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(5000);
  const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
  expect(changed).toEqual([]);
}, 900_000); // ~6,000 requests: minutes on 2 loaded cores (over 300 s at load 15)
