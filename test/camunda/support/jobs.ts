/**
 * Waiting as the Camunda tests do: polling a probe until it gives a value, and taking the next
 * job of a type as a job worker built with Camunda's own client takes it.
 */
import type { CamundaClient } from '@camunda8/orchestration-cluster-api';

/** Polls `probe` every 100 ms until it gives a value; after 30 s fails naming `what` (and the diagnosis, if given). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  diagnosis?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${diagnosis ? `; ${await diagnosis()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The next job of `type`, activated one at a time (60 s lock, 200 ms long polls) as a job worker would. */
export async function nextJob(worker: CamundaClient, type: string, what = `a ${type} job`) {
  const jobs = await eventually(what, async () => {
    const { jobs: found } = await worker.activateJobs({
      type,
      maxJobsToActivate: 1,
      timeout: 60_000,
      requestTimeout: 200,
    });
    return found.length > 0 && found;
  });
  return jobs[0]!;
}
