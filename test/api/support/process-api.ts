/**
 * The process API on the real stack for tests: the embedded Temporal server (time skipping)
 * with the engine worker, a migrated PostgreSQL database, and the case-work app wired to the
 * engine by the composition root, as system/start-system.ts wires it.
 */
import pino from 'pino';
import type { Express } from 'express';
import { createApp } from '../../../api/app';
import type { CaseWorkDependencies } from '../../../api/case-work-deps';
import type { Db } from '../../../records/sql';
import { caseWorkDependencies } from '../../../system/composition';
import { createTeam } from '../../../records/staff';
import type { ActivityImplementations } from '../../../workers/engine-worker';
import { withDiagram as withDiagramInterchange } from '../../workflows/diagram';
import { startEngineTestEnv, type EngineTestEnv } from '../../workflows/support';
import { TEST_AUTH, type SignedIn } from './case-work';

export interface ProcessApi {
  t: EngineTestEnv;
  db: Db;
  app: Express;
  deps: CaseWorkDependencies;
  close(): Promise<void>;
}

/** Teams (candidate groups) the diagrams of these tests name. */
export const TEST_TEAMS = ['health-visitors', 'coventry-records'];

export async function startProcessApi(
  activities: ActivityImplementations,
  options: { requireClosedHistory?: boolean } = {},
): Promise<ProcessApi> {
  const t = await startEngineTestEnv(activities, [], {
    dbPrefix: 'api_proc',
    requireClosedHistory: options.requireClosedHistory ?? true,
  });
  const db: Db = { sequelize: t.db.sequelize };
  for (const code of TEST_TEAMS)
    await createTeam(db, { code, name: `Team ${code}`, kind: 'health_visiting', localityId: null });
  const deps = caseWorkDependencies({ db, auth: TEST_AUTH, engine: { client: t.env.client, taskQueue: t.taskQueue } });
  const app = createApp({ logger: pino({ level: 'silent' }), health: {}, caseWork: deps });
  return { t, db, app, deps, close: () => t.close() };
}

/** A diagram with the interchange the linter needs, around one process's elements. */
export function diagram(processId: string, body: string, extra = ''): string {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_${processId.replace(/[^A-Za-z0-9_]/g, '_')}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
${extra}
  <bpmn:process id="${processId}" name="Test ${processId}" isExecutable="true">
${body}
  </bpmn:process>
</bpmn:definitions>`;
  return withDiagramInterchange(xml);
}

/** The `resultArrived` message, correlated by the child's NHS number, that the API tests publish. */
export const RESULT_ARRIVED_MESSAGE = `
  <bpmn:message id="Msg_Result" name="resultArrived">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=nhsNumber" /></bpmn:extensionElements>
  </bpmn:message>`;

/**
 * Start → child.deriveLocality with one attempt (a failing activity is an incident at once) → end.
 * Its start form takes `postcode` and `fail` (what the test activity reads).
 */
export const incidentDiagram = (processId: string) =>
  diagram(
    processId,
    `
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="StartForm">{"components": [{"key": "postcode", "label": "Postcode", "type": "textfield"}, {"key": "fail", "label": "Fail", "type": "checkbox"}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="Start" name="Started">
      <bpmn:extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:StartForm" /></bpmn:extensionElements>
      <bpmn:outgoing>F1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Derive" />
    <bpmn:serviceTask id="Derive" name="Derive locality">
      <bpmn:extensionElements><zeebe:taskDefinition type="child.deriveLocality" retries="1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Derive" targetRef="End" />
    <bpmn:endEvent id="End" name="Placed" />`,
  );

export const post = (s: SignedIn, path: string, body?: object) =>
  s.agent
    .post(path)
    .set('X-CSRF-Token', s.csrf)
    .send(body ?? {});

/** Polls `read` until `done` holds (workflow tasks and mirror writes run asynchronously). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
