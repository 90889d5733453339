import { temporal } from '@temporalio/proto';
import { parseServerArgs } from '../../embedded-temporal/cli-args';
import { systemInfoBytes, SYSTEM_INFO_CAPABILITY_FIELDS, SERVER_VERSION } from '../../embedded-temporal/grpc/bind';
import { compileQuery } from '../../embedded-temporal/visibility/query';
import { reviveBytes, toJson, toJsonWithReplacer } from '../../embedded-temporal/json';
import { CallCancellation } from '../../embedded-temporal/call-signal';
import { Deadlines } from '../../embedded-temporal/engine/deadlines';
import { encodeToken, decodeToken } from '../../embedded-temporal/engine/task-token';
import { applyDynamicConfig, DEFAULT_LIMITS } from '../../embedded-temporal/engine/limits';
import { CompiledSpec, canonicalSpec } from '../../embedded-temporal/schedules/spec';

describe('command line', () => {
  test('accepts the dev-server arguments the SDK passes', () => {
    const args = parseServerArgs([
      'server',
      'start-dev',
      '--port',
      '7300',
      '--namespace',
      'default',
      '--namespace',
      'chis',
      '--ip',
      '127.0.0.1',
      '--log-format',
      'pretty',
      '--log-level',
      'warn',
      '--dynamic-config-value',
      'a=b',
      '--db-filename',
      '/tmp/x',
      '--headless',
      '--search-attribute',
      'ChildId=Keyword',
      '--frobnicate',
    ]);
    expect(args).toMatchObject({
      mode: 'dev',
      port: 7300,
      ip: '127.0.0.1',
      namespaces: ['default', 'chis'],
      dbFilename: '/tmp/x',
      logLevel: 'warn',
      logFormat: 'pretty',
    });
    expect(args.searchAttributes).toEqual([{ name: 'ChildId', type: 'Keyword' }]);
    expect(args.warnings).toEqual(['ignoring unknown flag --frobnicate']);
    expect(args.dynamicConfig).toEqual(['a=b']);
    expect(args.ignored).toEqual([]);
  });

  test('accepts the test-server form and rejects nonsense with a clear message', () => {
    expect(parseServerArgs(['7301'])).toMatchObject({ mode: 'test', port: 7301 });
    expect(parseServerArgs(['7301', '--database-url', 'postgres://x/y'])).toMatchObject({
      databaseUrl: 'postgres://x/y',
    });
    expect(() => parseServerArgs(['server', 'start-dev', '--port', 'abc'])).toThrow(
      '--port must be a TCP port, got "abc"',
    );
    expect(() => parseServerArgs(['nonsense'])).toThrow(/expected "server start-dev \.\.\." or a port number/);
    expect(() => parseServerArgs(['server', 'start-dev', '--search-attribute', 'NoType'])).toThrow(
      '--search-attribute must be NAME=Type',
    );
  });
});

test('the hand-encoded GetSystemInfo answer equals the generated encoding', () => {
  const capabilities = Object.fromEntries(Object.keys(SYSTEM_INFO_CAPABILITY_FIELDS).map((k) => [k, true]));
  const expected = temporal.api.workflowservice.v1.GetSystemInfoResponse.encode({
    serverVersion: SERVER_VERSION,
    capabilities,
  }).finish();
  expect(systemInfoBytes().equals(Buffer.from(expected))).toBe(true);
  const decoded = temporal.api.workflowservice.v1.GetSystemInfoResponse.decode(systemInfoBytes());
  expect(decoded.capabilities?.sdkMetadata).toBe(true);
});

describe('visibility query language', () => {
  const types = new Map([
    ['ChildId', 2],
    ['Priority', 3],
    ['Tags', 7],
  ]);

  test('compiles predicates, AND/OR, IN, BETWEEN and custom attributes to parameterised SQL', () => {
    const q = compileQuery(
      `WorkflowType = 'screening' AND (ExecutionStatus = 'Running' OR ExecutionStatus="Completed") AND ChildId IN ('a','b') AND Priority >= 2 AND StartTime BETWEEN '2024-01-01T00:00:00Z' AND '2024-02-01T00:00:00Z' ORDER BY StartTime DESC`,
      types,
    );
    expect(q.where).toBe(
      `workflow_type = $1 AND ((status = $2) OR (status = $3)) AND (search_attributes->$4) ?| $5::text[] AND (search_attributes->>$6)::numeric >= $7::numeric AND start_time BETWEEN $8::timestamptz AND $9::timestamptz`,
    );
    expect(q.params).toEqual([
      'screening',
      1,
      2,
      'ChildId',
      ['a', 'b'],
      'Priority',
      2,
      '2024-01-01T00:00:00.000Z',
      '2024-02-01T00:00:00.000Z',
    ]);
    expect(compileQuery('', types)).toEqual({ where: 'TRUE', params: [] });
    expect(compileQuery(`Tags = 'x'`, types).where).toBe(`(search_attributes->$1) ? $2`);
  });

  test('refuses unknown attributes, bad statuses and broken syntax', () => {
    expect(() => compileQuery(`Nope = 'x'`, types)).toThrow('invalid query: unknown search attribute Nope');
    expect(() => compileQuery(`ExecutionStatus = 'Sleeping'`, types)).toThrow('invalid ExecutionStatus "Sleeping"');
    expect(() => compileQuery(`WorkflowId = 'x`, types)).toThrow(/unterminated string/);
    expect(() => compileQuery(`WorkflowId = 'x' AND`, types)).toThrow(/unexpected end/);
    expect(() => compileQuery(`StartTime > 'yesterday'`, types)).toThrow('invalid query: "yesterday" is not a time');
  });
});

test('state JSON keeps byte arrays', () => {
  const state = { a: Buffer.from([1, 2, 3]), nested: [{ b: new Uint8Array([255]) }], s: 'x' };
  const back = reviveBytes(JSON.parse(toJson(state)) as typeof state);
  expect(Buffer.from(back.a)).toEqual(Buffer.from([1, 2, 3]));
  expect(Buffer.from(back.nested[0].b)).toEqual(Buffer.from([255]));
  expect(back.s).toBe('x');
});

test('state JSON is exactly what JSON.stringify with the bytes replacer writes', () => {
  const bytes = Buffer.from('payload');
  const shared = { encoding: Buffer.from('json/plain') };
  // An own member named __proto__ (JSON.parse makes one) that holds bytes.
  const withProto = JSON.parse('{"__proto__": {"b": "x"}, "plain": 1}') as object;
  (Object.getOwnPropertyDescriptor(withProto, '__proto__')!.value as Record<string, unknown>).bytes = bytes;
  const sparse: unknown[] = [bytes];
  sparse[2] = 3;
  const values: unknown[] = [
    { a: 1, b: 'two', c: [1, 'x', null, undefined, () => 1, Symbol('s')], d: undefined, e: null, f: true },
    { n: [NaN, Infinity, -0, 1e21, 0.1], nested: { deeper: { bytes, list: [bytes, { bytes }] } } },
    { metadata: shared, again: shared, empty: Buffer.alloc(0), slice: Buffer.from('abcdef').subarray(2, 4) },
    { sparse },
    { typed: new Int32Array([1, 2]) },
    { date: new Date(0), bytesInDate: [new Date(1), bytes] },
    { custom: { toJSON: () => ({ bytes }) } },
    { arrayLike: Object.assign([bytes], { toJSON: () => 'array' }) },
    { noProto: Object.assign(Object.create(null) as object, { bytes }), fn: () => 1 },
    { withProto },
    bytes,
    [bytes, 'x'],
    'text "quoted" \u2028 \ud800',
    42,
    null,
    { unicode: '\u00e9\ud83d\ude00', key: { 'k"ey\n': bytes } },
  ];
  for (const value of values) expect(toJson(value)).toBe(toJsonWithReplacer(value));
  expect(toJson(undefined)).toBe(toJsonWithReplacer(undefined));
  const cyclic: Record<string, unknown> = { bytes };
  cyclic.self = cyclic;
  expect(() => toJson(cyclic)).toThrow(TypeError);
});

test('a call cancellation runs its listeners once, as an AbortSignal would', () => {
  for (const make of [() => new AbortController(), () => new CallCancellation()]) {
    const c = make();
    const signal = c instanceof AbortController ? c.signal : c;
    const calls: string[] = [];
    const once = () => calls.push('once');
    const removedMeanwhile = () => calls.push('removed');
    const removing = () => {
      calls.push('removing');
      signal.removeEventListener('abort', removedMeanwhile);
    };
    const removedBefore = () => calls.push('removed before');
    signal.addEventListener('abort', once);
    signal.addEventListener('abort', once);
    signal.addEventListener('abort', removing);
    signal.addEventListener('abort', removedMeanwhile);
    signal.addEventListener('abort', removedBefore);
    signal.removeEventListener('abort', removedBefore);
    expect(signal.aborted).toBe(false);
    c.abort();
    c.abort();
    signal.addEventListener('abort', () => calls.push('after'));
    expect(signal.aborted).toBe(true);
    expect(calls).toEqual(['once', 'removing']);
  }
});

test('deadlines come out in time order and a run keeps only its latest deadline', () => {
  const d = new Deadlines();
  d.set('a', 30);
  d.set('b', 10);
  d.set('c', 20);
  d.set('a', 5);
  d.set('c', undefined);
  expect(d.peek()).toBe(5);
  expect(d.takeDue(25)).toEqual(['a', 'b']);
  expect(d.peek()).toBeUndefined();
});

test('task tokens round-trip and garbage is refused', () => {
  const t = {
    kind: 'activity' as const,
    namespace: 'n',
    workflowId: 'w',
    runId: 'r',
    scheduledEventId: 5,
    dispatch: 'd',
    attempt: 2,
    queryId: '',
    activityId: 'a1',
  };
  expect(decodeToken(encodeToken(t))).toEqual(t);
  expect(() => decodeToken(Buffer.from('garbage'))).toThrow('Error deserializing task token.');
});

describe('dynamic config limits', () => {
  test('known keys set limits, unknown ones are returned, a bad value is refused naming the key', () => {
    const limits = { ...DEFAULT_LIMITS };
    expect(
      applyDynamicConfig(limits, ['limit.historyCount.suggestContinueAsNew=50', 'frontend.enableUpdate=true']),
    ).toEqual(['frontend.enableUpdate=true']);
    expect(limits.historyCountSuggestContinueAsNew).toBe(50);
    expect(limits.historySizeSuggestContinueAsNew).toBe(DEFAULT_LIMITS.historySizeSuggestContinueAsNew);
    expect(() => applyDynamicConfig(limits, ['limit.blobSize.error=lots'])).toThrow(/limit\.blobSize\.error/);
  });
});

describe('schedule specs', () => {
  const at = (iso: string) => Date.parse(iso);
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const nexts = (spec: ConstructorParameters<typeof CompiledSpec>[0], fromIso: string, n: number) => {
    const compiled = new CompiledSpec(canonicalSpec(spec));
    const out: (string | undefined)[] = [];
    let t = at(fromIso);
    for (let i = 0; i < n; i++) {
      const next = compiled.next(t, 'seed');
      out.push(iso(next?.actual));
      if (!next) break;
      t = next.actual;
    }
    return out;
  };

  test('cron strings become calendars; weekday names, steps and the time zone prefix are understood', () => {
    const spec = canonicalSpec({ cronString: ['CRON_TZ=Europe/London 0 9-17/4 * * mon-fri # office hours'] });
    expect(spec.timezoneName).toBe('Europe/London');
    expect(spec.structuredCalendar?.[0]).toMatchObject({
      hour: [{ start: 9, end: 17, step: 4 }],
      dayOfWeek: [{ start: 1, end: 5, step: 0 }],
      comment: 'office hours',
    });
    // Friday 17:00 in winter (UTC), then Monday 09:00.
    expect(nexts({ cronString: ['0 9-17/4 * * mon-fri'] }, '2024-01-05T16:00:00Z', 2)).toEqual([
      '2024-01-05T17:00:00.000Z',
      '2024-01-08T09:00:00.000Z',
    ]);
    expect(() => canonicalSpec({ cronString: ['0 25 * * *'] })).toThrow(/Hour is not in range/);
    expect(() => canonicalSpec({ cronString: ['* *'] })).toThrow(/5-7 fields/);
    expect(() => canonicalSpec({ timezoneName: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
  });

  test('local times follow daylight saving: a skipped 01:30 does not happen, a repeated one happens twice', () => {
    const daily = { calendar: [{ hour: '1', minute: '30' }], timezoneName: 'Europe/London' };
    // Clocks go forward at 01:00 UTC on 2024-03-31: 01:30 London does not exist that day.
    expect(nexts(daily, '2024-03-30T12:00:00Z', 2)).toEqual(['2024-04-01T00:30:00.000Z', '2024-04-02T00:30:00.000Z']);
    // Clocks go back at 01:00 UTC on 2024-10-27: 01:30 London happens at 00:30 and at 01:30 UTC.
    expect(nexts(daily, '2024-10-26T12:00:00Z', 3)).toEqual([
      '2024-10-27T00:30:00.000Z',
      '2024-10-27T01:30:00.000Z',
      '2024-10-28T01:30:00.000Z',
    ]);
  });

  test('intervals with a phase, exclusions, an end time, and jitter that stays before the next time', () => {
    expect(
      nexts({ interval: [{ interval: { seconds: 3600 }, phase: { seconds: 900 } }] }, '2024-01-01T00:20:00Z', 2),
    ).toEqual(['2024-01-01T01:15:00.000Z', '2024-01-01T02:15:00.000Z']);
    const weekdaysOnly = {
      calendar: [{ hour: '12' }],
      excludeCalendar: [{ dayOfWeek: 'sat,sun', hour: '*', minute: '*', second: '*' }],
      endTime: { seconds: at('2024-01-09T00:00:00Z') / 1000 },
    };
    expect(nexts(weekdaysOnly, '2024-01-05T13:00:00Z', 3)).toEqual(['2024-01-08T12:00:00.000Z', undefined]);
    const jittered = new CompiledSpec(
      canonicalSpec({ interval: [{ interval: { seconds: 60 } }], jitter: { seconds: 3600 } }),
    );
    for (let t = at('2024-01-01T00:00:00Z'); t < at('2024-01-01T01:00:00Z'); t += 60_000) {
      const next = jittered.next(t, 'seed')!;
      expect(next.actual - next.nominal).toBeGreaterThanOrEqual(0);
      expect(next.actual - next.nominal).toBeLessThan(60_000);
      expect(jittered.next(t, 'seed')).toEqual(next); // deterministic
    }
  });
});
