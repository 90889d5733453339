/**
 * A job's incident and its row, against a real PostgreSQL: the incident is never visible while its
 * job still has retries (Camunda refuses to resolve it until an operator gives retries), whichever
 * of the workflow's record and the failing request's own write lands first. Under load the
 * incident used to appear first, and a resolve then went through (seen in camunda-client.test.ts).
 */
import { recordIncident } from '../../activities/engine/incidents';
import type { Database } from '../../db/database';
import { searchIncidentRows } from '../../records/incidents';
import { createJobRow, findJob, markJob, updateJobRow } from '../../records/jobs';
import type { Db } from '../../records/sql';
import { createMigratedDatabase } from '../support/databases';
import { recordInstanceRow } from '../support/instance-rows';

let database: Database;
let db: Db;

beforeAll(async () => {
  database = await createMigratedDatabase('job_incident_rows');
  db = { sequelize: database.sequelize };
}, 120_000);

afterAll(() => database?.close());

async function jobWithRetries(instanceId: string): Promise<string> {
  await recordInstanceRow(db, instanceId, null);
  await createJobRow(db, {
    processInstanceId: instanceId,
    engineJobId: 'job-1',
    elementId: 'Ship',
    elementInstanceId: 'Ship-1',
    elementInstanceKey: '1',
    type: 'ship',
    retries: 3,
    customHeaders: {},
    variables: {},
  });
  return instanceId;
}

async function theIncident(instanceId: string) {
  const { rows } = await searchIncidentRows(db, 'x.process_instance_id = $1', [instanceId], 'x.key', 10, 0);
  expect(rows).toHaveLength(1);
  return rows[0];
}

test('a job incident recorded before the failing request marks its job shows the job with no retries left', async () => {
  const instanceId = await jobWithRetries('incident-first');
  await recordIncident(database.sequelize, {
    processInstanceId: instanceId,
    incidentId: 'inc-1',
    state: 'active',
    elementId: 'Ship',
    elementInstanceId: 'Ship-1',
    kind: 'jobFailed',
    message: 'the courier is down',
    jobId: 'job-1',
  });
  const incident = await theIncident(instanceId);
  expect(incident).toMatchObject({ errorType: 'JOB_NO_RETRIES', jobRetries: 0 });
  expect(incident.jobKey).not.toBeNull();

  // The operator gives retries; the failing request's late write does not take them back.
  expect(await updateJobRow(db, incident.jobKey!, { retries: 1 })).toBe(true);
  await markJob(db, incident.jobKey!, 'failed', 'the courier is down');
  expect(await findJob(db, incident.jobKey!)).toMatchObject({ state: 'failed', retries: 1 });
});

test('an incident of another kind leaves the job row as it is', async () => {
  const instanceId = await jobWithRetries('expression-incident');
  await recordIncident(database.sequelize, {
    processInstanceId: instanceId,
    incidentId: 'inc-2',
    state: 'active',
    elementId: 'Ship',
    elementInstanceId: 'Ship-1',
    kind: 'expression',
    message: 'no variable named x',
    jobId: 'job-1',
  });
  expect(await theIncident(instanceId)).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', jobRetries: 3 });
});
