import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BenchActivities } from './activities';

const { echo } = proxyActivities<BenchActivities>({ startToCloseTimeout: '30s' });

/** One activity, nothing else: the unit the benchmark counts. */
export async function benchOneActivity(value: number): Promise<number> {
  return await echo(value);
}

/** One durable timer. */
export async function benchTimer(ms: number): Promise<number> {
  await sleep(ms);
  return ms;
}
