import { Store, ConflictError, DuplicateRunningError } from '../../embedded-temporal/store/store';
import type { ExecutionState } from '../../embedded-temporal/engine/state';
import { createEmptyDatabase } from '../support/databases';

function state(runId: string, status = 1): ExecutionState {
  return {
    namespace: 'default',
    workflowId: 'w',
    runId,
    firstRunId: runId,
    workflowType: 't',
    taskQueue: 'q',
    status,
    startTime: Date.now(),
    executionTime: Date.now(),
    nextEventId: 2,
    lastCompletedStartedId: 0,
    workflowTaskTimeoutMs: 10_000,
    buffered: [],
    activities: {},
    timers: {},
    children: {},
    externals: {},
    updates: {},
    cancelRequested: false,
    requestIds: ['r'],
    startRequestId: 'r',
    searchAttributes: {},
    attempt: 1,
  };
}

let store: Store;
beforeAll(async () => {
  store = new Store(await createEmptyDatabase('temporal_store'));
  await store.init();
  await store.init(); // idempotent
});
afterAll(async () => {
  await store?.close();
});

test('writes are guarded by the version (optimistic concurrency) and history is appended atomically', async () => {
  const event = { eventId: 1, eventType: 1, eventTime: { seconds: 1, nanos: 0 } };
  await store.commit({ runs: [{ state: state('r1'), events: [event], firstEventId: 1 }] });
  const loaded = await store.loadRun('default', 'w', 'r1');
  expect(loaded?.version).toBe(1);
  const s = { ...state('r1'), nextEventId: 3 };
  await store.commit({ runs: [{ state: s, expectedVersion: 1, events: [{ ...event, eventId: 2 }], firstEventId: 2 }] });
  // A second writer holding the old version loses, and its events are not written.
  await expect(
    store.commit({ runs: [{ state: s, expectedVersion: 1, events: [{ ...event, eventId: 3 }], firstEventId: 3 }] }),
  ).rejects.toBeInstanceOf(ConflictError);
  expect((await store.loadHistory('default', 'w', 'r1')).map((e) => e.eventId)).toEqual([1, 2]);
  expect((await store.loadRun('default', 'w', 'r1'))?.version).toBe(2);
});

test('only one run of a workflow id can be running, and a failed multi-run transaction leaves nothing behind', async () => {
  await expect(store.commit({ runs: [{ state: state('r2'), events: [], firstEventId: 1 }] })).rejects.toBeInstanceOf(
    DuplicateRunningError,
  );
  const closed = { ...state('r1', 2), nextEventId: 3 };
  // Closing r1 and starting r3 together (continue-as-new) with a stale version: neither happens.
  await expect(
    store.commit({
      runs: [
        { state: closed, expectedVersion: 1, events: [], firstEventId: 3 },
        { state: state('r3'), events: [], firstEventId: 1 },
      ],
      outboxAdd: [],
    }),
  ).rejects.toBeInstanceOf(ConflictError);
  expect(await store.loadRun('default', 'w', 'r3')).toBeUndefined();
  await store.commit({
    runs: [
      { state: closed, expectedVersion: 2, events: [], firstEventId: 3 },
      { state: state('r3'), events: [], firstEventId: 1 },
    ],
    outboxAdd: [],
  });
  expect(await store.currentRunId('default', 'w')).toBe('r3');
  expect((await store.runningRuns()).map((r) => r.runId)).toEqual(['r3']);
});

test('commits arriving together are grouped, and a stale write in a group fails alone', async () => {
  const runs = ['g1', 'g2', 'g3', 'g4'].map((id) => ({ ...state(id), workflowId: `wg-${id}` }));
  const before = store.commits;
  await Promise.all(
    runs.map((s) =>
      store.commit({
        runs: [
          { state: s, events: [{ eventId: 1, eventType: 1, eventTime: { seconds: 1, nanos: 0 } }], firstEventId: 1 },
        ],
      }),
    ),
  );
  // Two flushes may be in flight at once; the rest wait and share one transaction.
  expect(store.commits - before).toBeLessThan(runs.length);
  const next = (s: ExecutionState) => ({ ...s, nextEventId: 3, status: 2, closeTime: Date.now() });
  const outcomes = await Promise.allSettled(
    runs.map((s, i) =>
      store.commit({
        runs: [
          {
            state: next(s),
            expectedVersion: i === 2 ? 7 : 1,
            events: [{ eventId: 2, eventType: 2, eventTime: { seconds: 2, nanos: 0 } }],
            firstEventId: 2,
          },
        ],
      }),
    ),
  );
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
  for (const [i, s] of runs.entries()) {
    const row = await store.loadRun('default', s.workflowId, s.runId);
    expect(row?.version).toBe(i === 2 ? 1 : 2);
    expect(row?.state.status).toBe(i === 2 ? 1 : 2);
    expect((await store.loadHistory('default', s.workflowId, s.runId)).map((e) => e.eventId)).toEqual(
      i === 2 ? [1] : [1, 2],
    );
  }
  // The grouped statement writes the same column values as the single-run one (g4 was grouped both times).
  const columns = await store.pool.query<{ start_time: Date; close_time: Date | null; history_length: number }>(
    `SELECT start_time, close_time, history_length FROM temporal_server.executions WHERE workflow_id = 'wg-g4'`,
  );
  expect(columns.rows[0].start_time.getTime()).toBe(runs[3].startTime);
  expect(columns.rows[0].history_length).toBe(2);
  expect(columns.rows[0].close_time).toBeInstanceOf(Date);
});

test('a database whose run state column is still jsonb is converted to json at start, its runs kept', async () => {
  const old = new Store(await createEmptyDatabase('temporal_store_jsonb'));
  try {
    await old.init();
    const s = {
      ...state('jsonb-r1'),
      workflowId: 'w-jsonb',
      memo: { fields: { note: { data: Buffer.from('memo') } } },
    };
    await old.commit({ runs: [{ state: s, events: [], firstEventId: 1 }] });
    // As a database written before this change left it.
    await old.pool.query('ALTER TABLE temporal_server.executions ALTER COLUMN state TYPE jsonb USING state::jsonb');
    await old.init();
    const type = await old.pool.query<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns
       WHERE table_schema = 'temporal_server' AND table_name = 'executions' AND column_name = 'state'`,
    );
    expect(type.rows[0].data_type).toBe('json');
    const row = await old.loadRun('default', 'w-jsonb', 'jsonb-r1');
    expect(row?.state.workflowId).toBe('w-jsonb');
    expect(Buffer.from(row!.state.memo!.fields!.note.data as Uint8Array).toString()).toBe('memo');
    // Updates, single and grouped, write into the converted column.
    await old.commit({ runs: [{ state: { ...s, nextEventId: 3 }, expectedVersion: 1, events: [], firstEventId: 2 }] });
    expect((await old.loadRun('default', 'w-jsonb', 'jsonb-r1'))?.version).toBe(2);
  } finally {
    await old.close();
  }
});
