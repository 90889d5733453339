/**
 * A worker for the BPMN interpreter: the `processInstance` workflow (pre-bundled), the
 * engine's own activities, and the catalogue activity implementations it is given.
 */
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Sequelize } from 'sequelize';
import { createEngineActivities } from '../activities/engine';
import { engineWorkflowBundle } from './workflow-bundle';
import { requestIdActivityInterceptors } from './request-id-activity-interceptor';
import type { Context } from '@temporalio/activity';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activity functions take any input
export type ActivityImplementations = Record<string, (...args: any[]) => Promise<unknown>>;

export interface EngineWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  sequelize: Sequelize;
  /** Lets the engine publish messages to other instances and start message-start processes. */
  client?: Client;
  /** Catalogue activity implementations by type name (and, in tests, test activities). */
  activities?: ActivityImplementations;
  /** OpenTelemetry (system/tracing.ts): workflow and activity spans joined to the caller's trace; absent: none. */
  tracing?: { resource: Resource; spanProcessor: SpanProcessor };
  /** Extra worker tuning (concurrency, shutdown grace). */
  tuning?: Pick<
    WorkerOptions,
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxCachedWorkflows'
    | 'shutdownGraceTime'
  >;
}

export async function createEngineWorker(o: EngineWorkerOptions): Promise<Worker> {
  const engineActivities = createEngineActivities({
    sequelize: o.sequelize,
    ...(o.client ? { client: o.client } : {}),
    taskQueue: o.taskQueue,
  });
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: o.taskQueue,
    workflowBundle: await engineWorkflowBundle({ tracing: !!o.tracing }),
    activities: { ...(o.activities ?? {}), ...engineActivities },
    // Activities run in the context of the request that led to them (their log lines carry its id).
    interceptors: {
      activity: [
        requestIdActivityInterceptors,
        ...(o.tracing
          ? [
              (ctx: Context) => ({
                inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
                outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
              }),
            ]
          : []),
      ],
    },
    // The workflow's spans leave the sandbox through this sink.
    ...(o.tracing ? { sinks: { exporter: makeWorkflowExporter(o.tracing.spanProcessor, o.tracing.resource) } } : {}),
    ...(o.tuning ?? {}),
  });
}
