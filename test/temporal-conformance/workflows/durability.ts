import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ConformanceActivities } from '../activities';

/** Alternates activities and timers for `steps` rounds; a crash may land anywhere in between. */
export async function activitiesAndTimers(name: string, steps: number): Promise<string[]> {
  const { greet } = proxyActivities<ConformanceActivities>({
    startToCloseTimeout: '5s',
    retry: { initialInterval: '200ms', backoffCoefficient: 1 },
  });
  const results: string[] = [];
  for (let i = 0; i < steps; i++) {
    results.push(await greet(`${name} step ${i}`));
    await sleep(150);
  }
  return results;
}
