/**
 * Interpreter on the embedded server: service tasks run catalogue activities; a task that
 * still fails after its retries raises an incident an administrator retries through the update.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { retryIncidentUpdate } from '../../workflows/messages';
import { instanceRow, startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

let t: EngineTestEnv;
let localityFailures = 0;
const calls: string[] = [];

beforeAll(async () => {
  t = await startEngineTestEnv({
    'pds.lookupPatient': async (input: { nhsNumber: string }) => {
      calls.push(`pds:${input.nhsNumber}`);
      return input.nhsNumber === '0000000000' ? { found: false } : { found: true, address: { lines: ['1 High St'], postcode: 'CV1 2AB' } };
    },
    'child.deriveLocality': async (input: { postcode: string }) => {
      calls.push(`locality:${input.postcode}`);
      if (localityFailures > 0) {
        localityFailures--;
        throw new Error('gazetteer unavailable');
      }
      return { locality: 'Coventry', inRegion: true };
    },
  });
  await t.deploy(fixture('service-tasks.bpmn'));
}, 120_000);

afterAll(() => t?.close(), 120_000);

test('runs the activities in order and takes the gateway branch the results choose', async () => {
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '9434765919' }, businessKey: '9434765919' });
  const result = await t.result(h);
  expect(result).toEqual({ status: 'completed', variables: { nhsNumber: '9434765919', onPds: true, postcode: 'CV1 2AB', locality: 'Coventry', inRegion: true } });
  const view = await t.state(h);
  expect(view.completed.map((c) => c.elementId)).toEqual(['Start', 'Lookup', 'Found', 'Locality', 'End_Placed', 'wf-service-tasks']);
  expect(await instanceRow(t.db, h.workflowId)).toMatchObject({ status: 'completed', business_key: '9434765919', ended_at: expect.any(Date) });
});

test('takes the default flow when the child is not on PDS', async () => {
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '0000000000' } });
  await t.result(h);
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual(['Start', 'Lookup', 'Found', 'End_NotFound', 'wf-service-tasks']);
});

test('a failing task becomes an incident, visible in the query and the table, and a retry completes it', async () => {
  localityFailures = 1;
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '9434765919' } });
  const view = await t.waitFor(h, (s) => s.incidents.length > 0, 'the incident');
  expect(view.incidents[0]).toMatchObject({ kind: 'jobFailed', elementId: 'Locality', message: 'gazetteer unavailable' });
  expect(view.status).toBe('running');
  for (let i = 0; i < 100 && (await instanceRow(t.db, h.workflowId))?.status !== 'incident'; i++) await new Promise((r) => setTimeout(r, 50));
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('incident');

  await expect(h.executeUpdate(retryIncidentUpdate, { args: [{ incidentId: 'incident-999' }] })).rejects.toThrow(WorkflowUpdateFailedError);
  await h.executeUpdate(retryIncidentUpdate, { args: [{ incidentId: view.incidents[0].id, actor: 'admin' }] });
  const result = await t.result(h);
  expect(result.status).toBe('completed');
  expect((await t.state(h)).incidents).toEqual([]);
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('completed');
});
