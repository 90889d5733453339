/**
 * Timer start events on the embedded server with time skipping: a deployed definition whose
 * latest version starts with a timer gets a `timer-start:<key>` scheduler that starts one
 * instance per firing; a new version replaces the cadence, a version without a timer start
 * stops it, and the start-up sync changes nothing that is already in step.
 */
import { QueryTypes } from 'sequelize';
import { syncAllTimerStartSchedules } from '../../workers/timer-start-schedules';
import {
  timerStartScheduler,
  timerStartStateQuery,
  timerStartWorkflowId,
  type TimerStartSchedulerView,
} from '../../workflows/timer-start-scheduler';
import { startEngineTestEnv, type EngineTestEnv } from './support';
import { SWEEP_ACTIVITY_TYPE, sweepActivities, sweepProcess, type Sweep } from './sweep-fixture';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let t: EngineTestEnv;
const sweeps: Sweep[] = [];

beforeAll(async () => {
  t = await startEngineTestEnv(sweepActivities(sweeps), [SWEEP_ACTIVITY_TYPE]);
}, 120_000);

afterAll(() => t?.close(), 120_000);

interface InstanceRow {
  id: string;
  version: number;
  status: string;
}

async function instancesOf(key: string): Promise<InstanceRow[]> {
  return t.db.sequelize.query<InstanceRow>(
    `SELECT i.id, d.version, i.status FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
     WHERE d.key = $1 ORDER BY i.id`,
    { type: QueryTypes.SELECT, bind: [key] },
  );
}

/** Waits until `count` instances of the key have completed (their rows are written by activities). */
async function completedInstances(key: string, count: number): Promise<InstanceRow[]> {
  let rows: InstanceRow[] = [];
  for (let i = 0; i < 600; i++) {
    rows = await instancesOf(key);
    if (rows.filter((r) => r.status === 'completed').length >= count) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${count} completed instances of ${key}, have ${JSON.stringify(rows)}`);
}

/** The fire times encoded in the instances' workflow ids (`<key>:timer:<startEventId>:<ISO time>`). */
function fireTimes(rows: InstanceRow[]): number[] {
  return rows.map((r) => Date.parse(r.id.split(':timer:Tick:')[1] ?? '')).sort((a, b) => a - b);
}

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]);

const scheduler = (key: string) => t.env.client.workflow.getHandle(timerStartWorkflowId(key));

test('a cycle R3/PT1H starts three instances an hour apart, then its scheduler ends', async () => {
  await t.deploy(sweepProcess('wf-ts-cycle', { kind: 'timeCycle', value: 'R3/PT1H' }, 'hourly'));
  const startedAt = await t.env.currentTimeMs();
  await t.env.sleep(5 * HOUR);
  const rows = await completedInstances('wf-ts-cycle', 3);
  expect(rows).toHaveLength(3);
  const times = fireTimes(rows);
  expect(gaps(times)).toEqual([HOUR, HOUR]);
  expect(times[0] - startedAt).toBeGreaterThan(HOUR - MINUTE);
  expect(times[0] - startedAt).toBeLessThan(HOUR + MINUTE);
  expect(
    sweeps
      .filter((s) => s.label === 'hourly')
      .map((s) => s.workflowId)
      .sort(),
  ).toEqual(rows.map((r) => r.id).sort());
  const done = (await scheduler('wf-ts-cycle').result()) as TimerStartSchedulerView;
  expect(done).toMatchObject({
    definition: { key: 'wf-ts-cycle', version: 1 },
    started: 3,
    schedule: [{ startEventId: 'Tick', nextFireAt: null }],
  });

  // The finished version is recorded, so a restart does not plan it afresh (three more sweeps).
  const finished = await t.db.sequelize.query<{ started_instances: number }>(
    `SELECT f.started_instances FROM timer_start_finished f JOIN process_definitions d ON d.id = f.definition_id WHERE d.key = 'wf-ts-cycle'`,
    { type: QueryTypes.SELECT },
  );
  expect(finished).toEqual([{ started_instances: 3 }]);
  const closedRun = (await scheduler('wf-ts-cycle').describe()).runId;
  const synced = await syncAllTimerStartSchedules(t.db.sequelize, { client: t.env.client, taskQueue: t.taskQueue });
  expect(synced['wf-ts-cycle']).toBe('finished');
  expect((await scheduler('wf-ts-cycle').describe()).runId).toBe(closedRun);
});

test('a timeDate fires once at that instant and a timeDuration once after it', async () => {
  const now = await t.env.currentTimeMs();
  const at = new Date(Math.ceil((now + DAY) / MINUTE) * MINUTE).toISOString().replace('.000Z', 'Z');
  await t.deploy(sweepProcess('wf-ts-date', { kind: 'timeDate', value: at }, 'dated'));
  await t.deploy(sweepProcess('wf-ts-duration', { kind: 'timeDuration', value: 'PT90M' }, 'delayed'));
  await t.env.sleep(2 * DAY);
  const dated = await completedInstances('wf-ts-date', 1);
  const delayed = await completedInstances('wf-ts-duration', 1);
  expect(fireTimes(dated)).toEqual([Date.parse(at)]);
  expect(delayed).toHaveLength(1);
  expect(fireTimes(delayed)[0] - now).toBeGreaterThan(90 * MINUTE - MINUTE);
  expect(fireTimes(delayed)[0] - now).toBeLessThan(90 * MINUTE + MINUTE);
  expect(await scheduler('wf-ts-date').result()).toMatchObject({ started: 1 });
  expect(await scheduler('wf-ts-duration').result()).toMatchObject({ started: 1 });
});

test('a new version replaces the cadence, the start-up sync changes nothing, a version without a timer start stops it', async () => {
  const key = 'wf-ts-cadence';
  await t.deploy(sweepProcess(key, { kind: 'timeCycle', value: 'R/PT2H' }, 'v1'));
  await t.env.sleep(4 * HOUR + 10 * MINUTE);
  const v1 = await completedInstances(key, 2);
  expect(v1.map((r) => r.version)).toEqual([1, 1]);
  expect(gaps(fireTimes(v1))).toEqual([2 * HOUR]);

  // A restart syncs every key again: the running scheduler keeps its version and its plan.
  const before = await scheduler(key).query(timerStartStateQuery);
  const synced = await syncAllTimerStartSchedules(t.db.sequelize, { client: t.env.client, taskQueue: t.taskQueue });
  expect(synced[key]).toBe('scheduled');
  await new Promise((r) => setTimeout(r, 300));
  expect(await scheduler(key).query(timerStartStateQuery)).toEqual(before);
  expect(before.schedule[0].nextFireAt).toBe(fireTimes(v1)[1] + 2 * HOUR);

  const deployedAt = await t.env.currentTimeMs();
  await t.deploy(sweepProcess(key, { kind: 'timeCycle', value: 'R/PT30M' }, 'v2'));
  await t.env.sleep(65 * MINUTE);
  const all = await completedInstances(key, 4);
  const v2 = all.filter((r) => r.version === 2);
  expect(all.filter((r) => r.version === 1)).toHaveLength(2);
  expect(v2).toHaveLength(2);
  expect(gaps(fireTimes(v2))).toEqual([30 * MINUTE]);
  expect(fireTimes(v2)[0] - deployedAt).toBeGreaterThan(30 * MINUTE - MINUTE);
  expect(fireTimes(v2)[0] - deployedAt).toBeLessThan(30 * MINUTE + MINUTE);
  expect(sweeps.filter((s) => s.label === 'v2')).toHaveLength(2);

  await t.deploy(sweepProcess(key, null, 'v3'));
  const ended = (await scheduler(key).result()) as TimerStartSchedulerView;
  expect(ended).toMatchObject({ definition: { version: 3 }, started: 4, schedule: [] });
  await t.env.sleep(3 * HOUR);
  await new Promise((r) => setTimeout(r, 500));
  expect(await instancesOf(key)).toHaveLength(4);
});

test('the scheduler continues as new between firings and carries its plan and count', async () => {
  const key = 'wf-ts-long';
  const d = await t.deploy(sweepProcess(key, null, 'long')); // a none start: no scheduler of its own
  const handle = await t.env.client.workflow.start(timerStartScheduler, {
    workflowId: timerStartWorkflowId(key),
    taskQueue: t.taskQueue,
    args: [
      {
        definition: {
          definitionId: d.id,
          key,
          version: d.version,
          timers: [{ startEventId: 'Tick', timer: { kind: 'cycle', value: { type: 'literal', value: 'R5/PT1H' } } }],
        },
        firingsPerRun: 2,
      },
    ],
  });
  const result = await handle.result();
  expect(result).toMatchObject({ started: 5, schedule: [{ nextFireAt: null, remaining: 0 }] });
  const rows = await completedInstances(key, 5);
  expect(gaps(fireTimes(rows))).toEqual([HOUR, HOUR, HOUR, HOUR]);
  const runs: string[] = [];
  for await (const wf of t.env.client.workflow.list({ query: `WorkflowId = '${timerStartWorkflowId(key)}'` }))
    runs.push(wf.runId);
  expect(runs.length).toBeGreaterThanOrEqual(3);
});
