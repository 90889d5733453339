/**
 * The interpreter's bundle carries the catalogue's retry policies as plain data and none of
 * zod: the reusable V8 context evaluates a bundle's modules again for every workflow execution.
 */
import { ACTIVITY_CATALOGUE } from '../../activities/catalogue';
import { activityPolicyTable, engineWorkflowBundle } from '../../workers/workflow-bundle';

test('the policy table is the catalogue policies, and the bundle holds it instead of zod', async () => {
  const table = activityPolicyTable();
  expect(Object.keys(table).sort()).toEqual(Object.keys(ACTIVITY_CATALOGUE).sort());
  expect(table['humanTask.escalate']).toEqual({
    startToCloseTimeout: ACTIVITY_CATALOGUE['humanTask.escalate'].startToCloseTimeout,
    retry: ACTIVITY_CATALOGUE['humanTask.escalate'].retry,
  });
  const { code } = await engineWorkflowBundle();
  expect(code).toContain(JSON.stringify(table['pds.lookupPatient']));
  expect(code).not.toMatch(/node_modules\/zod\//);
  expect(code).not.toMatch(/"\.\/activities\/catalogue\/index\.ts"/);
}, 120_000);
