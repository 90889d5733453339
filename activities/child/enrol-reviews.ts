/**
 * `child.enrolReviews`: starts child-health-reviews for the children it does not follow yet
 * (records/children/review-enrolment.ts): on its first run the children already on the record,
 * then each day those who arrived from another CHIS. Each instance starts at the message start
 * event childHealthReviewsEnrolled with `enrolledOn`, so only the windows still open or ahead are
 * followed: a region switching it on gets no task for a contact missed before. Starts are
 * capped per run (`maxStarts`; the rest on the next days) and keyed by the child
 * (`child-health-reviews-enrolled-<child id>`, a duplicate refused), so a retry or an
 * overlapping run starts nobody twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { processActor } from '../../records/actor';
import { writeAudit } from '../../records/audit';
import { childrenToEnrolInReviews, REVIEWS_PROCESS_KEY } from '../../records/children/review-enrolment';
import { DefinitionStore } from '../../records/definition-store';
import { addAge, addDays } from '../../schedule';
import { PROCESS_INSTANCE_WORKFLOW_TYPE, type ProcessInstanceInput } from '../../workflows/contract';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { CHILD_ACTIVITIES } from '../catalogue/child';
import type { CatalogueDeps } from '../deps';
import { heartbeat, runningActivity, todayInEngland } from '../immunisation/support';
import { parseInput } from '../support';

/** The start event's message. */
export const ENROLLED_MESSAGE = 'childHealthReviewsEnrolled';
/** Children read per batch. */
const BATCH_SIZE = 1000;
/** Starts in flight at once. */
const START_CONCURRENCY = 50;

export const enrolledWorkflowId = (childId: string) => `${REVIEWS_PROCESS_KEY}-enrolled-${childId}`;

export async function enrolReviews(
  deps: CatalogueDeps,
  raw: ActivityInput<'child.enrolReviews'>,
): Promise<ActivityOutput<'child.enrolReviews'>> {
  const input = parseInput('child.enrolReviews', CHILD_ACTIVITIES['child.enrolReviews'].input, raw);
  const { client } = deps;
  if (!client) {
    throw ApplicationFailure.nonRetryable(
      'child.enrolReviews needs a Temporal client to start child-health-reviews instances',
      'ConfigurationError',
    );
  }
  const enrolledOn = input.asOf ?? todayInEngland();
  // The last window (2–2½ years) closes at the end of the day the child is 2½: older children have none left
  // (two days' margin for month ends; the diagram decides which windows are still ahead).
  const bornAfter = addDays(addAge(enrolledOn, { years: -2, months: -6 }), -2);
  const deployed = await new DefinitionStore(deps.sequelize).withGraph(REVIEWS_PROCESS_KEY);
  if (!deployed) {
    throw ApplicationFailure.nonRetryable(
      `the "${REVIEWS_PROCESS_KEY}" process is not deployed: nothing to enrol children in`,
      'NotDeployedError',
    );
  }
  const definition = { id: deployed.id, key: deployed.key, version: deployed.version, graph: deployed.graph };
  const who = runningActivity('child-health-reviews-enrolment', `direct-enrolment-${enrolledOn}`);
  const actor = processActor(who.actor, who.processInstanceId);
  const db = { sequelize: deps.sequelize };
  let after = '0';
  let found = 0;
  let started = 0;
  while (started < input.maxStarts) {
    const batch = await childrenToEnrolInReviews(db, {
      bornAfter,
      after,
      limit: Math.min(BATCH_SIZE, input.maxStarts - started),
    });
    if (batch.length === 0) break;
    found += batch.length;
    // A list read: one audit row naming every child enrolled from it.
    await writeAudit(db, actor, {
      action: 'child.reviews_enrolled',
      entityType: 'process',
      entityId: REVIEWS_PROCESS_KEY,
      childIds: batch.map((c) => c.childId),
      detail: { enrolledOn, count: batch.length },
    });
    for (let i = 0; i < batch.length; i += START_CONCURRENCY) {
      const results = await Promise.all(
        batch.slice(i, i + START_CONCURRENCY).map(async (c) => {
          const start: ProcessInstanceInput = {
            definition,
            businessKey: c.nhsNumber,
            messageName: ENROLLED_MESSAGE,
            variables: {
              childId: c.childId,
              nhsNumber: c.nhsNumber,
              dateOfBirth: c.dateOfBirth,
              locality: c.locality,
              localityId: c.localityId,
              enrolledOn,
            },
          };
          try {
            await client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
              taskQueue: deps.taskQueue,
              workflowId: enrolledWorkflowId(c.childId),
              workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
              args: [start],
            });
            return 1;
          } catch (e) {
            if (e instanceof WorkflowExecutionAlreadyStartedError) return 0; // an earlier attempt did
            throw e;
          }
        }),
      );
      started += results.reduce<number>((a, b) => a + b, 0);
    }
    after = batch[batch.length - 1].childId;
    heartbeat({ found, started });
  }
  return { enrolledOn, found, started };
}
