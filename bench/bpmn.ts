/**
 * BPMN engine throughput: completed instances per second, on the embedded stack (embedded
 * Temporal server in its own process, embedded PostgreSQL, one engine worker), for
 *   1. a process of 10 service tasks in sequence, deployed twice:
 *      - "local": the step's type is deployed as a local activity (what the catalogue's short
 *        PostgreSQL types get): the workflow's worker runs it and records a marker when the
 *        workflow task completes, no task-queue round trip;
 *      - "queued": the step is an ordinary activity (what PDS and email types get): scheduled
 *        on the task queue, polled, completed, then a new workflow task, per step;
 *   2. a process with one user task, completed through the `completeUserTask` update (what
 *      the API's task completion calls),
 * and the same diagrams run in memory by `bpmn-engine` (not durable) in the same run (the
 * in-memory chain is the same for both rows). The step does no work in either mode, so the
 * figures are the engine's and Temporal's cost per task. The client shares the worker's
 * native connection and starts workflows eagerly (the first workflow task comes back in the
 * start response). Prints instances/s, task completions/s, and the ratio durable / in-memory.
 *
 *   npx tsx bench/bpmn.ts [--instances 200] [--concurrency 50]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { QueryTypes } from 'sequelize';
import { ACTIVITY_TYPES, LOCAL_ACTIVITY_TYPES } from '../activities/catalogue';
import { freePort } from '../core/free-port';
import { connect } from '../db/database';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrations/run';
import { DefinitionStore } from '../records/definition-store';
import { deployDefinition } from '../deployment/deploy-definition';
import { withDiagram } from '../test/workflows/diagram';
import { createEngineWorker } from '../workers/engine-worker';
import {
  completeUserTaskUpdate,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceInput,
} from '../workflows/contract';

const TASKS = 10;
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_Bench" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">`;

const LOCAL_CHAIN = 'bench-ten-local-tasks';
const QUEUED_CHAIN = 'bench-ten-queued-tasks';

function serviceChainXml(processId = LOCAL_CHAIN): string {
  const tasks = Array.from(
    { length: TASKS },
    (_, i) => `
    <bpmn:serviceTask id="Task_${i + 1}" name="Step ${i + 1}">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench.step" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_${i}</bpmn:incoming>
      <bpmn:outgoing>Flow_${i + 1}</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_${i + 1}" sourceRef="Task_${i + 1}" targetRef="${i + 1 === TASKS ? 'End' : `Task_${i + 2}`}" />`,
  ).join('');
  return `${HEAD}
  <bpmn:process id="${processId}" name="Ten service tasks" isExecutable="true">
    <bpmn:startEvent id="Start" name="Start"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_0" sourceRef="Start" targetRef="Task_1" />${tasks}
    <bpmn:endEvent id="End" name="End"><bpmn:incoming>Flow_${TASKS}</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
}

function userTaskXml(): string {
  return `${HEAD}
  <bpmn:process id="bench-user-task" name="One user task" isExecutable="true">
    <bpmn:startEvent id="Start" name="Start"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="caseworkers" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="End"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
}

interface Options {
  instances: number;
  concurrency: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { instances: 200, concurrency: 50 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
    if (flag === '--instances') o.instances = n;
    else if (flag === '--concurrency') o.concurrency = n;
    else throw new Error(`unknown argument "${flag}" (expected --instances N, --concurrency N)`);
  }
  return o;
}

/** Runs `count` instances with at most `concurrency` in flight; returns instances per second. */
async function measure(count: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const began = performance.now();
  const lane = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return count / ((performance.now() - began) / 1000);
}

async function waitForServer(address: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Temporal server exited with code ${child.exitCode}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      await c.workflowService.describeNamespace({ namespace: 'default' });
      await c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the Temporal server at ${address} did not answer within 60 s`);
}

/** The same diagrams in bpmn-engine, in memory: service tasks call an async function, the user task is signalled. */
async function bpmnEngineRates(o: Options): Promise<{ serviceChain: number; userTask: number }> {
  // bpmn-engine is ESM-only.
  const { Engine } = (await import('bpmn-engine')) as unknown as {
    Engine: new (options: Record<string, unknown>) => BpmnEngine;
  };
  const step = async () => ({});
  const services = (activity: { type: string; behaviour: Record<string, unknown> }) => {
    if (activity.type !== 'bpmn:ServiceTask') return;
    activity.behaviour.Service = function Service() {
      return {
        execute: (_m: unknown, callback: (err: Error | null, out?: unknown) => void) =>
          void step().then((r) => callback(null, r), callback),
      };
    };
  };
  // Parsed once, like the durable side compiles once at deploy time.
  const { BpmnModdle } = (await import('bpmn-moddle')) as unknown as {
    BpmnModdle: new () => { fromXML(xml: string): Promise<unknown> };
  };
  const chain = await new BpmnModdle().fromXML(serviceChainXml());
  const user = await new BpmnModdle().fromXML(userTaskXml());
  const serviceChain = await measure(o.instances, o.concurrency, async () => {
    const engine = new Engine({ name: 'chain', moddleContext: chain, extensions: { services } });
    await engine.execute();
    await engine.waitFor('end');
  });
  const userTask = await measure(o.instances, o.concurrency, async () => {
    const engine = new Engine({ name: 'user', moddleContext: user, extensions: { services } });
    const ended = engine.waitFor('end');
    const listener = new (await import('node:events')).EventEmitter();
    listener.on('wait', (api: { signal(data: unknown): void }) => api.signal({ decision: 'ok' }));
    await engine.execute({ listener });
    await ended;
  });
  return { serviceChain, userTask };
}

interface BpmnEngine {
  execute(options?: Record<string, unknown>): Promise<unknown>;
  waitFor(event: string): Promise<unknown>;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-bench-bpmn-'));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  const admin = new PgClient({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE temporal_bench');
  await admin.query('CREATE DATABASE chis_bench');
  await admin.end();
  const db = connect(postgres.urlFor('chis_bench'), { poolMax: 20 });
  await migrate(db.sequelize);

  const port = await freePort();
  const server = spawn(
    resolve(__dirname, '../embedded-temporal/bin/temporal-server'),
    [
      'server',
      'start-dev',
      '--port',
      String(port),
      '--database-url',
      postgres.urlFor('temporal_bench'),
      '--headless',
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const address = `127.0.0.1:${port}`;
  try {
    await waitForServer(address, server);
    // One native connection for worker and client: the client's gRPC runs off the JS main
    // thread, and eager start can hand the first workflow task straight to this worker.
    const connection = await NativeConnection.connect({ address });
    const client = new Client({ connection });
    const taskQueue = `bench-bpmn-${randomUUID()}`;
    const worker = await createEngineWorker({
      connection,
      taskQueue,
      sequelize: db.sequelize,
      client,
      activities: { 'bench.step': async () => ({}) },
      tuning: {
        maxConcurrentWorkflowTaskExecutions: 100,
        maxConcurrentActivityTaskExecutions: 200,
        maxCachedWorkflows: 1000,
      },
    });
    const running = worker.run();

    const context = {
      activityTypes: new Set([...ACTIVITY_TYPES, 'bench.step']),
      candidateGroups: new Set(['caseworkers']),
    };
    const asLocal = new Set([...LOCAL_ACTIVITY_TYPES, 'bench.step']);
    for (const [xml, localActivityTypes] of [
      [serviceChainXml(LOCAL_CHAIN), asLocal],
      [serviceChainXml(QUEUED_CHAIN), LOCAL_ACTIVITY_TYPES],
      [userTaskXml(), LOCAL_ACTIVITY_TYPES],
    ] as const) {
      const outcome = await deployDefinition(db.sequelize, withDiagram(xml), { ...context, localActivityTypes });
      if (outcome.status === 'refused') throw new Error(`bench diagram refused: ${JSON.stringify(outcome.problems)}`);
    }
    const store = new DefinitionStore(db.sequelize);
    const inputFor = async (key: string): Promise<ProcessInstanceInput> => {
      const d = (await store.withGraph(key))!;
      return { definition: { id: d.id, key: d.key, version: d.version, graph: d.graph }, variables: { n: 1 } };
    };
    const localChainInput = await inputFor(LOCAL_CHAIN);
    const queuedChainInput = await inputFor(QUEUED_CHAIN);
    const userInput = await inputFor('bench-user-task');
    const start = (input: ProcessInstanceInput) =>
      client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `${input.definition.key}-${randomUUID()}`,
        args: [input],
        requestEagerStart: true,
      });

    // Warm-up (bundle load, connection pools, JIT).
    await measure(10, 10, async () => void (await (await start(queuedChainInput)).result()));
    await measure(10, 10, async () => void (await (await start(localChainInput)).result()));

    const durableLocalChain = await measure(o.instances, o.concurrency, async () => {
      await (await start(localChainInput)).result();
    });
    const durableQueuedChain = await measure(o.instances, o.concurrency, async () => {
      await (await start(queuedChainInput)).result();
    });
    const durableUser = await measure(o.instances, o.concurrency, async () => {
      const h = await start(userInput);
      // Wait for the task row as a caseworker's queue would see it (a state query would cost a
      // workflow activation per poll), then complete it as the API does: the workflow's update.
      let taskId: string | undefined;
      while (!taskId) {
        const [row] = await db.sequelize.query<{ id: string }>(
          `SELECT id FROM human_tasks WHERE process_instance_id = $1 AND status = 'open'`,
          {
            type: QueryTypes.SELECT,
            bind: [h.workflowId],
          },
        );
        taskId = row?.id;
        if (!taskId) await new Promise((r) => setTimeout(r, 10));
      }
      await h.executeUpdate(completeUserTaskUpdate, { args: [{ taskId, data: { decision: 'ok' }, actor: 'bench' }] });
      await h.result();
    });
    worker.shutdown();
    await running;
    await connection.close();

    const memory = await bpmnEngineRates(o);
    const rows = [
      ['10 service tasks, local', durableLocalChain, memory.serviceChain, TASKS],
      ['10 service tasks, queued', durableQueuedChain, memory.serviceChain, TASKS],
      ['1 user task (update)', durableUser, memory.userTask, 1],
    ] as const;
    console.log(
      `\nBPMN engine throughput: ${o.instances} instances per case, ${o.concurrency} in flight, embedded Temporal + PostgreSQL vs bpmn-engine in memory`,
    );
    console.log('case                       durable inst/s  durable tasks/s  bpmn-engine inst/s  durable/in-memory');
    for (const [name, durable, mem, tasks] of rows) {
      console.log(
        `${name.padEnd(26)} ${durable.toFixed(1).padStart(14)}  ${(durable * tasks).toFixed(1).padStart(15)}  ${mem.toFixed(1).padStart(18)}  ${(durable / mem).toFixed(4).padStart(17)}`,
      );
    }
  } finally {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
    await db.close();
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
