/**
 * grpc.health.v1 on the embedded Temporal server (issue 17), asked by real gRPC clients (grpc-js
 * with the health protocol's messages, and the Temporal SDK's own Connection.healthService):
 * NOT_SERVING while the listener waits for the engine, SERVING once it answers, NOT_SERVING when
 * it stops; Watch hears each change and ends with the server; unknown services are refused.
 */
import { Client as GrpcClient, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import { createLogger } from '../../core/logger';
import { startOnBoundServer, type RunningTemporal } from '../../embedded-temporal';
import { bindGrpcServer } from '../../embedded-temporal/grpc/bind';
import { createEmptyDatabase } from '../support/databases';

const { HealthCheckRequest, HealthCheckResponse } = grpc.health.v1;
const { SERVING, NOT_SERVING, SERVICE_UNKNOWN } = HealthCheckResponse.ServingStatus;
const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';
const logger = createLogger('silent');
const identity = (b: Buffer) => b;
const encodeRequest = (service: string) => Buffer.from(HealthCheckRequest.encode({ service }).finish());
const decodeStatus = (b: Buffer) => HealthCheckResponse.decode(b).status;

function healthClient(address: string) {
  const client = new GrpcClient(address, credentials.createInsecure());
  const check = (service: string) =>
    new Promise<number>((resolve, reject) =>
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        identity,
        identity,
        encodeRequest(service),
        (err: ServiceError | null, res?: Buffer) => (err ? reject(err) : resolve(decodeStatus(res!))),
      ),
    );
  const watch = (service: string) => {
    const seen: number[] = [];
    const call = client.makeServerStreamRequest(
      '/grpc.health.v1.Health/Watch',
      identity,
      identity,
      encodeRequest(service),
    );
    call.on('data', (b: Buffer) => seen.push(decodeStatus(b)));
    const ended = new Promise<string>((resolve) => {
      call.on('error', (e: ServiceError) => resolve(`error ${e.code}`));
      call.on('end', () => resolve('end'));
    });
    return { seen, ended, cancel: () => call.cancel() };
  };
  return { check, watch, close: () => client.close() };
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let server: RunningTemporal | undefined;
afterAll(async () => {
  await server?.stop();
});

test('Check and Watch follow the server from listening through serving to stopping', async () => {
  const bound = await bindGrpcServer('127.0.0.1', 0, false);
  const address = `127.0.0.1:${bound.port}`;
  const health = healthClient(address);
  try {
    // Listening, engine not yet attached: the port answers, but not as serving.
    expect(await health.check('')).toBe(NOT_SERVING);
    expect(await health.check(WORKFLOW_SERVICE)).toBe(NOT_SERVING);
    const watching = health.watch('');
    const watchingWorkflow = health.watch(WORKFLOW_SERVICE);
    await until('the first Watch message', () => watching.seen.length === 1 && watchingWorkflow.seen.length === 1);
    expect(watching.seen).toEqual([NOT_SERVING]);

    server = await startOnBoundServer(bound, { databaseUrl: await createEmptyDatabase('thealth'), logger });
    expect(await health.check('')).toBe(SERVING);
    expect(await health.check(WORKFLOW_SERVICE)).toBe(SERVING);
    expect(await health.check('temporal.api.operatorservice.v1.OperatorService')).toBe(SERVING);
    await until('SERVING on Watch', () => watching.seen.length === 2);
    expect(watching.seen).toEqual([NOT_SERVING, SERVING]);
    // The Temporal SDK's own health client (what tools built on it ask).
    const connection = await Connection.connect({ address });
    const sdkAnswer = await connection.healthService.check({ service: WORKFLOW_SERVICE });
    expect(sdkAnswer.status).toBe(SERVING);
    await connection.close();

    // An unknown service: Check refuses it, Watch says so and stays open.
    await expect(health.check('no.such.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
    // The test service is served only in time-skipping mode.
    await expect(health.check('temporal.api.testservice.v1.TestService')).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
    const unknown = health.watch('no.such.Service');
    await until('the unknown service answer', () => unknown.seen.length === 1);
    expect(unknown.seen).toEqual([SERVICE_UNKNOWN]);
    unknown.cancel();

    // Stopping: watchers hear NOT_SERVING and their streams end.
    const stopping = server.stop();
    server = undefined;
    expect(await watching.ended).toBe('end');
    expect(await watchingWorkflow.ended).toBe('end');
    expect(watching.seen).toEqual([NOT_SERVING, SERVING, NOT_SERVING]);
    expect(watchingWorkflow.seen).toEqual([NOT_SERVING, SERVING, NOT_SERVING]);
    await stopping;
  } finally {
    health.close();
  }
}, 60_000);
