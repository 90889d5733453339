/**
 * A worker in its own process, for crash tests: connects to CRASH_TEMPORAL_ADDRESS, polls
 * CRASH_TASK_QUEUE with the conformance workflows (CRASH_BUNDLE_PATH) and activities, prints
 * "worker ready" and one "probe <event>" line per activity event so the test can time its kill.
 * Its activity gates are never released: only the test's own worker can finish them.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../temporal-conformance/activities';
import { ActivityProbe } from '../temporal-conformance/support/probe';

class PrintingProbe extends ActivityProbe {
  override mark(event: string): void {
    super.mark(event);
    process.stdout.write(`probe ${event}\n`);
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: required('CRASH_TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: process.env.CRASH_NAMESPACE ?? 'default',
    taskQueue: required('CRASH_TASK_QUEUE'),
    workflowBundle: { codePath: required('CRASH_BUNDLE_PATH') },
    activities: createActivities(new PrintingProbe()),
    // A dead worker's sticky queue is abandoned after this long; keeps the test short.
    stickyQueueScheduleToStartTimeout: '2s',
  });
  const running = worker.run();
  process.stdout.write('worker ready\n');
  await running;
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${String(err)}\n`);
  process.exit(1);
});
