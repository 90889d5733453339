/**
 * Retention (issue 17): the embedded server deletes a closed run's history once its namespace's
 * retention period has passed, in periodic batched sweeps, as a real Temporal server does; running
 * runs and runs of a namespace with a longer retention stay. Asked through the SDK's client.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { createLogger } from '../../core/logger';
import { startEmbeddedTemporal, type RunningTemporal } from '../../embedded-temporal';
import { deleteExpiredRuns } from '../../embedded-temporal/engine/retention';
import { createEmptyDatabase } from '../support/databases';

const logger = createLogger('silent');
const servers: RunningTemporal[] = [];
const connections: Connection[] = [];
afterAll(async () => {
  for (const c of connections) await c.close();
  for (const s of servers) await s.stop();
});

async function serverWithShortRetention(sweepMs: number) {
  const server = await startEmbeddedTemporal({
    databaseUrl: await createEmptyDatabase('tretention'),
    port: 0,
    logger,
    retentionSweepMs: sweepMs,
  });
  servers.push(server);
  const connection = await Connection.connect({ address: server.address });
  connections.push(connection);
  await connection.workflowService.registerNamespace({
    namespace: 'short',
    workflowExecutionRetentionPeriod: msToTs('1s'),
  });
  await server.engine.namespaces.load();
  return { server, short: new Client({ connection, namespace: 'short' }), long: new Client({ connection }) };
}

/** A run closed at once (terminated; no worker needed). */
async function closedRun(client: Client, workflowId: string) {
  const handle = await client.workflow.start('retentionTest', { taskQueue: 'nobody-polls', workflowId });
  await handle.terminate('closed for the test');
  return handle;
}

const exists = (client: Client, workflowId: string) =>
  client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      (e: unknown) => {
        if (e instanceof WorkflowNotFoundError) return false;
        throw e;
      },
    );

test('closed histories are deleted after their namespace retention; running ones and longer retentions stay', async () => {
  const { short, long } = await serverWithShortRetention(250);
  const expiring = await closedRun(short, 'short-closed');
  const running = await short.workflow.start('retentionTest', {
    taskQueue: 'nobody-polls',
    workflowId: 'short-running',
  });
  await closedRun(long, 'default-closed'); // the default namespace keeps closed runs a day
  expect((await expiring.fetchHistory()).events?.length).toBeGreaterThan(0);

  const deadline = Date.now() + 15_000;
  while (await exists(short, 'short-closed')) {
    if (Date.now() > deadline) throw new Error('the closed run was not deleted within 15 s of a 1 s retention');
    await new Promise((r) => setTimeout(r, 200));
  }
  await expect(expiring.fetchHistory()).rejects.toThrow();
  const listed = short.workflow.list({ query: 'WorkflowId = "short-closed"' });
  const found: string[] = [];
  for await (const w of listed) found.push(w.workflowId);
  expect(found).toEqual([]);
  // Still there: the running run of the same namespace, the closed run of the default namespace.
  expect(await exists(short, 'short-running')).toBe(true);
  expect(await exists(long, 'default-closed')).toBe(true);
  // The workflow id can be used again.
  await closedRun(short, 'short-closed');
  await running.terminate('done');
}, 60_000);

test('a sweep deletes in batches until nothing expired is left', async () => {
  const { server, short } = await serverWithShortRetention(3_600_000); // only the sweep at start, before any run
  for (let i = 0; i < 5; i++) await closedRun(short, `batch-${i}`);
  await new Promise((r) => setTimeout(r, 1500)); // past the 1 s retention
  expect(await deleteExpiredRuns(server.engine, { batchSize: 2 })).toBe(5);
  for (let i = 0; i < 5; i++) expect(await exists(short, `batch-${i}`)).toBe(false);
  expect(await deleteExpiredRuns(server.engine, { batchSize: 2 })).toBe(0);
}, 60_000);

test("the configured retention (npm start's CHIS_TEMPORAL_RETENTION) is set on its namespaces at every start", async () => {
  const databaseUrl = await createEmptyDatabase('tretention_setting');
  const retentionOf = async (seconds: number | undefined) => {
    const server = await startEmbeddedTemporal({
      databaseUrl,
      port: 0,
      logger,
      namespaces: ['chis-setting'],
      ...(seconds !== undefined ? { namespaceRetentionSeconds: seconds } : {}),
    });
    const connection = await Connection.connect({ address: server.address });
    try {
      const described = await connection.workflowService.describeNamespace({ namespace: 'chis-setting' });
      const fallback = await connection.workflowService.describeNamespace({ namespace: 'default' });
      return {
        namespace: Number(described.config?.workflowExecutionRetentionTtl?.seconds),
        default: Number(fallback.config?.workflowExecutionRetentionTtl?.seconds),
      };
    } finally {
      await connection.close();
      await server.stop();
    }
  };
  // Created with the setting; a changed setting applies to the existing namespace; none leaves it.
  expect(await retentionOf(2 * 3600)).toEqual({ namespace: 7200, default: 86400 });
  expect(await retentionOf(30 * 86400)).toEqual({ namespace: 2_592_000, default: 86400 });
  expect(await retentionOf(undefined)).toEqual({ namespace: 2_592_000, default: 86400 });
});
