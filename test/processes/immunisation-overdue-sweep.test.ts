/**
 * The sweep's diagram on the engine with a stand-in sweep activity: deploying it schedules its
 * timer start event, which starts one sweep a day at 02:00 UTC with that day as `asOf` and the
 * diagram's lookback. (The sweep activity itself: test/immunisation/overdue-sweep.test.ts and
 * test/processes/immunisation-follow-up.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEngineTestEnv, type EngineTestEnv } from '../workflows/support';

const HOUR = 3_600_000;
const calls: Array<{ asOf: unknown; lookbackDays: unknown; at: number }> = [];
let t: EngineTestEnv;

beforeAll(async () => {
  t = await startEngineTestEnv({
    'immunisation.sweepOverdue': async (input: { asOf?: unknown; lookbackDays?: unknown }) => {
      calls.push({ asOf: input.asOf, lookbackDays: input.lookbackDays, at: await t.env.currentTimeMs() });
      return { sweepId: String(calls.length), asOf: input.asOf, found: 0, started: 0 };
    },
  });
}, 120_000);

afterAll(() => t?.close(), 120_000);

test('deployed, the sweep runs every day at 02:00 UTC for that day', async () => {
  const deployed = await t.deploy(
    readFileSync(resolve(__dirname, '../../definitions/immunisation-overdue-sweep.bpmn'), 'utf8'),
  );
  expect(deployed.key).toBe('immunisation-overdue-sweep');
  await t.env.sleep(24 * HOUR);
  for (let i = 0; i < 200 && calls.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
  await t.env.sleep(24 * HOUR);
  for (let i = 0; i < 200 && calls.length < 2; i++) await new Promise((r) => setTimeout(r, 50));

  expect(calls.length).toBeGreaterThanOrEqual(2);
  for (const c of calls.slice(0, 2)) {
    expect(c.lookbackDays).toBe(28);
    expect(c.asOf).toBe(new Date(c.at).toISOString().slice(0, 10));
    // The activity runs just after the 02:00 firing.
    expect(new Date(c.at).getUTCHours()).toBe(2);
  }
  expect(Date.parse(`${calls[1].asOf as string}T00:00:00Z`) - Date.parse(`${calls[0].asOf as string}T00:00:00Z`)).toBe(
    24 * HOUR,
  );
}, 120_000);
