import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createEmptyDatabase } from '../support/databases';
import { freePort } from '../../core/free-port';
import { ServerProcess } from './server-process';
import * as activities from './activities';
import { WORKFLOWS, replayAll } from './helpers';

jest.setTimeout(120_000);

test('SIGKILL of the server mid-activity, mid-timer and between signal and update loses nothing', async () => {
  const server = new ServerProcess(await freePort(), await createEmptyDatabase('temporal'));
  await server.start();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'durable',
    workflowsPath: WORKFLOWS,
    activities,
  });
  const ids = ['d1', 'd2', 'd3'];
  try {
    await worker.runUntil(async () => {
      const handles = await Promise.all(
        ids.map((workflowId) =>
          client.workflow.start('durableSteps', { taskQueue: 'durable', workflowId, args: [2000] }),
        ),
      );
      // Mid-activity: the activities take 1.5 s.
      await new Promise((r) => setTimeout(r, 700));
      await server.kill();
      await server.start();
      // Mid-timer: the 2 s timers are running.
      await new Promise((r) => setTimeout(r, 2500));
      await server.kill();
      await server.start();
      for (const h of handles) await h.signal('go', 'signalled');
      await server.kill();
      await server.start();
      for (const h of handles) expect(await h.executeUpdate('bump', { args: [3] })).toBe(3);
      for (const h of handles) expect(await h.result()).toBe('a,timer,signalled,total=3');
    });
    expect(await replayAll(client, ids)).toBe(3);
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
});

test('SIGTERM stops the server cleanly', async () => {
  const server = new ServerProcess(await freePort(), await createEmptyDatabase('temporal'));
  await server.start();
  expect(await server.stop()).toBe(0);
});

test("a worker deployment's versions and current version survive a SIGKILL of the server", async () => {
  const server = new ServerProcess(await freePort(), await createEmptyDatabase('temporal'));
  await server.start();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const version = { deploymentName: 'restarted-deployment', buildId: '1.0' };
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'deployed',
    workflowsPath: WORKFLOWS,
    activities,
    workerDeploymentOptions: { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' },
  });
  const describe = () =>
    client.workflowService.describeWorkerDeployment({ namespace: 'default', deploymentName: version.deploymentName });
  try {
    await worker.runUntil(async () => {
      let visible = false;
      for (let i = 0; i < 100 && !visible; i++) {
        visible = await describe().then(
          (d) => !!d.workerDeploymentInfo?.versionSummaries?.length,
          () => false,
        );
        if (!visible) await new Promise((r) => setTimeout(r, 100));
      }
      const { conflictToken } = await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: 'default',
        deploymentName: version.deploymentName,
        buildId: version.buildId,
      });
      await server.kill();
      await server.start();
      const after = await describe();
      expect(after.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId).toBe('1.0');
      expect(Buffer.from(after.conflictToken ?? [])).toEqual(Buffer.from(conflictToken ?? []));
      // Routed to the current version without anyone setting it again.
      const handle = await client.workflow.start('greet', {
        taskQueue: 'deployed',
        workflowId: 'deployed-1',
        args: ['x'],
      });
      await handle.result();
      const completed = (await handle.fetchHistory()).events?.filter((e) => e.workflowTaskCompletedEventAttributes);
      expect(completed?.[0]?.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId).toBe('1.0');
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
});
