/**
 * Long polling for POST /v2/jobs/activation: when no job of the type is activatable, the request
 * waits until one is created (in this process: at once; by another process, a retry back-off
 * ending or a timed-out activation: within the poll interval) or its request timeout passes.
 */
import { activateJobRows, jobsCreated, type ActivationRequest, type JobRow } from '../../records/jobs';
import type { Db } from '../../records/sql';

const POLL_MS = 500;

export async function activateJobsLongPoll(
  db: Db,
  r: ActivationRequest,
  waitMs: number,
  aborted: () => boolean,
): Promise<JobRow[]> {
  const until = Date.now() + waitMs;
  for (;;) {
    const jobs = await activateJobRows(db, r);
    if (jobs.length > 0 || Date.now() >= until || aborted()) return jobs;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        jobsCreated.off(r.type, done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(POLL_MS, Math.max(until - Date.now(), 0)));
      jobsCreated.on(r.type, done);
    });
  }
}
