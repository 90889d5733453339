/**
 * The Temporal part of bench/tasks.ts: completion latency through the API when the task
 * belongs to a running process (TemporalTaskCompleter → the workflow's completeUserTask update).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { ACTIVITY_TYPES } from '../activities/catalogue';
import { createApp } from '../api/app';
import { freePort } from '../core/free-port';
import type { Db } from '../records/sql';
import { findTask } from '../records/tasks/rows';
import { DefinitionStore } from '../records/definition-store';
import { deployDefinition } from '../deployment/deploy-definition';
import { startEmbeddedTemporal } from '../embedded-temporal';
import { caseWorkDependencies } from '../system/composition';
import { createEngineWorker } from '../workers/engine-worker';
import { BENCH_AUTH } from './task-fixture';
import { PROCESS_INSTANCE_WORKFLOW_TYPE, instanceStateQuery, type ProcessInstanceInput } from '../workflows/contract';

const KEY = 'bench-review';
const GROUP = 'birmingham-health-visiting';
const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_Bench" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${KEY}" name="Bench review" isExecutable="true">
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="${GROUP}" /></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Reviewed"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="${KEY}">
    <bpmndi:BPMNShape id="Start_di" bpmnElement="Start"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Review_di" bpmnElement="Review"><dc:Bounds x="200" y="78" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="360" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="F1_di" bpmnElement="F1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="F2_di" bpmnElement="F2"><di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

/** Runs `samples` processes to their user task and times claim and complete through HTTP. */
export async function benchTemporalCompletion(
  db: Db,
  databaseUrl: string,
  headersFor: (base: string) => Promise<Record<string, string>>,
  listen: (app: ReturnType<typeof createApp>, port: number) => Promise<Server>,
  samples: number,
): Promise<{ claim: number[]; complete: number[] }> {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed
  }
  const temporal = await startEmbeddedTemporal({
    databaseUrl,
    port: await freePort(),
    logger: pino({ level: 'error' }),
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await createEngineWorker({ connection: native, taskQueue, sequelize: db.sequelize, client });
  const running = worker.run();
  let server: Server | undefined;
  try {
    const deployed = await deployDefinition(db.sequelize, BPMN, {
      activityTypes: ACTIVITY_TYPES,
      candidateGroups: new Set([GROUP]),
    });
    if (deployed.status === 'refused')
      throw new Error(`bench definition refused: ${deployed.problems.map((p) => p.message).join('; ')}`);
    const definition = (await new DefinitionStore(db.sequelize).withGraph(KEY))!;
    const app = createApp({
      logger: pino({ level: 'silent' }),
      health: {},
      caseWork: caseWorkDependencies({ db, auth: BENCH_AUTH, engine: { client, taskQueue } }),
    });
    const port = await freePort();
    server = await listen(app, port);
    const base = `http://127.0.0.1:${port}/api`;
    const headers = await headersFor(base);
    const claim: number[] = [];
    const complete: number[] = [];
    for (let i = 0; i < samples; i++) {
      const input: ProcessInstanceInput = {
        definition: { id: definition.id, key: definition.key, version: definition.version, graph: definition.graph },
        variables: {},
      };
      const handle = await client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `bench-${randomUUID()}`,
        args: [input],
      });
      let taskId: string | undefined;
      for (let attempt = 0; attempt < 400 && !taskId; attempt++) {
        const view = await handle.query(instanceStateQuery).catch(() => null);
        const id = view?.openUserTasks[0]?.taskId;
        if (id && (await findTask(db, id))) taskId = id;
        else await new Promise((r) => setTimeout(r, 25));
      }
      if (!taskId) throw new Error('the bench user task did not open');
      let started = process.hrtime.bigint();
      const claimed = await fetch(`${base}/tasks/${taskId}/claim`, { method: 'POST', headers, body: '{}' });
      await claimed.arrayBuffer();
      claim.push(elapsed(started));
      started = process.hrtime.bigint();
      const completed = await fetch(`${base}/tasks/${taskId}/complete`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ outcome: 'reviewed' }),
      });
      await completed.arrayBuffer();
      complete.push(elapsed(started));
      if (claimed.status !== 200 || completed.status !== 200)
        throw new Error(`claim ${claimed.status} / complete ${completed.status}`);
      await handle.result();
    }
    return { claim, complete };
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    worker.shutdown();
    await running.catch(() => undefined);
    await native.close();
    await connection.close();
    await temporal.stop();
  }
}
