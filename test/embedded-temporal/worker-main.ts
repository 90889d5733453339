/** A worker in its own process, so that a test can SIGKILL it: `tsx worker-main.ts <address> <taskQueue>`. */
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities';
import { WORKFLOWS } from './helpers';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: WORKFLOWS,
    activities,
    stickyQueueScheduleToStartTimeout: '1s',
  });
  process.stdout.write('ready\n');
  await worker.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
