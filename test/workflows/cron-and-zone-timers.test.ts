/**
 * Cron cycles and date-times with a zone id through Temporal with time skipping: a cron timer
 * start event fires at 09:00 in England on weekdays, a timeDate with a zone id fires at that
 * zone's local time, and a non-interrupting cron boundary event pings every hour while its
 * sub-process waits; a user task's due date with a zone id is that local time. Every closed
 * history replays.
 */
import { QueryTypes } from 'sequelize';
import { completeUserTaskUpdate } from '../../workflows/contract';
import { humanTaskRow, replayAllClosed, startEngineTestEnv, type EngineTestEnv } from './support';
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

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">`;
const sweepTask = (id: string, label: string) =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="test.sweep" /><zeebe:ioMapping><zeebe:input source="=&quot;${label}&quot;" target="label" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>`;

/** The fire times in the instances' workflow ids (`<key>:timer:Tick:<ISO time>`), in order. */
async function fireTimes(key: string, count: number): Promise<number[]> {
  let rows: Array<{ id: string; status: string }> = [];
  for (let i = 0; i < 600; i++) {
    rows = await t.db.sequelize.query<{ id: string; status: string }>(
      `SELECT i.id, i.status FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1`,
      { type: QueryTypes.SELECT, bind: [key] },
    );
    if (rows.filter((r) => r.status === 'completed').length >= count) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return rows.map((r) => Date.parse(r.id.split(':timer:Tick:')[1] ?? '')).sort((a, b) => a - b);
}

/** Weekday and time of day in England, by the platform's own zone data (not the code under test). */
const english = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

test('a cron timer start event fires at 09:00 in England on every weekday', async () => {
  const from = await t.env.currentTimeMs();
  await t.deploy(sweepProcess('wf-cron-start', { kind: 'timeCycle', value: '0 0 9 * * MON-FRI' }, 'wf-cron-start'));
  await t.env.sleep(5 * DAY);
  const to = await t.env.currentTimeMs();
  // Every whole hour in the window that is 09:00:00 on a weekday in England.
  const expected: number[] = [];
  for (let h = Math.ceil(from / HOUR) * HOUR; h <= to; h += HOUR) {
    const text = english.format(h);
    if (/^(Mon|Tue|Wed|Thu|Fri) 09:00:00$/.test(text)) expected.push(h);
  }
  expect(expected.length).toBeGreaterThanOrEqual(3);
  const fired = await fireTimes('wf-cron-start', expected.length);
  expect(fired.map((f) => new Date(f).toISOString())).toEqual(expected.map((e) => new Date(e).toISOString()));
  expect(sweeps.filter((s) => s.label === 'wf-cron-start')).toHaveLength(expected.length);
});

test('a timeDate with a zone id fires at that local time in its zone', async () => {
  const now = await t.env.currentTimeMs();
  const at = Math.ceil((now + DAY) / MINUTE) * MINUTE;
  // India has no clock changes: local time is UTC + 05:30 all year.
  const local = new Date(at + 330 * MINUTE).toISOString().slice(0, 19);
  await t.deploy(sweepProcess('wf-zoned-date', { kind: 'timeDate', value: `${local}[Asia/Kolkata]` }, 'wf-zoned-date'));
  await t.env.sleep(2 * DAY);
  expect(await fireTimes('wf-zoned-date', 1)).toEqual([at]);
});

test('a non-interrupting cron boundary event pings every hour while its sub-process waits', async () => {
  const key = 'wf-cron-boundary';
  await t.deploy(`${HEAD}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Waiting" />
    <bpmn:subProcess id="Waiting">
      <bpmn:startEvent id="InnerStart" />
      <bpmn:sequenceFlow id="g1" sourceRef="InnerStart" targetRef="Pause" />
      <bpmn:intermediateCatchEvent id="Pause"><bpmn:timerEventDefinition id="PauseTimer"><bpmn:timeDuration>PT3H30M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="g2" sourceRef="Pause" targetRef="InnerEnd" />
      <bpmn:endEvent id="InnerEnd" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Waiting" targetRef="End" />
    <bpmn:endEvent id="End" />
    <bpmn:boundaryEvent id="Hourly" attachedToRef="Waiting" cancelActivity="false"><bpmn:timerEventDefinition id="HourlyTimer"><bpmn:timeCycle>0 0 * * * *</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Hourly" targetRef="Ping" />
    ${sweepTask('Ping', key)}
    <bpmn:sequenceFlow id="f4" sourceRef="Ping" targetRef="Pinged" />
    <bpmn:endEvent id="Pinged" />
  </bpmn:process>
</bpmn:definitions>`);
  const h = await t.start(key, { variables: {} });
  await t.env.sleep(4 * HOUR);
  const result = await t.result(h);
  expect(result.status).toBe('completed');
  // Three or four whole hours fall in three and a half hours, depending on when it started.
  const pings = sweeps.filter((s) => s.workflowId === h.workflowId).length;
  expect(pings).toBeGreaterThanOrEqual(3);
  expect(pings).toBeLessThanOrEqual(4);
  await replayAllClosed(t.env);
});

test('a user task due date with a zone id is that local time; the history replays', async () => {
  const key = 'wf-zoned-due';
  await t.deploy(`${HEAD}
  <bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:taskSchedule dueDate="2026-07-01T17:00:00[Europe/London]" followUpDate="=date and time(&quot;2026-12-01T09:00:00@Europe/London&quot;)" />
    </bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`);
  const h = await t.start(key, { variables: {} });
  const state = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the review task');
  const taskId = state.openUserTasks[0].taskId;
  let row: Record<string, unknown> | undefined;
  for (let i = 0; i < 200 && !row; i++) {
    row = await humanTaskRow(t.db, taskId);
    if (!row) await new Promise((r) => setTimeout(r, 50));
  }
  expect((row!.due_at as Date).toISOString()).toBe('2026-07-01T16:00:00.000Z'); // BST
  expect((row!.follow_up_at as Date).toISOString()).toBe('2026-12-01T09:00:00.000Z'); // GMT
  await h.executeUpdate(completeUserTaskUpdate, { args: [{ taskId, data: {}, actor: 'cw.test' }] });
  expect((await t.result(h)).status).toBe('completed');
  await replayAllClosed(t.env);
});
