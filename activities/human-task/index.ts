/** Implementations of the catalogue's humanTask.* activities (declared in ../catalogue/human-task.ts). */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { knownCandidateGroups } from '../../deployment/candidate-groups';
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import { HUMAN_TASK_ACTIVITIES } from '../catalogue/human-task';
import { escalateHumanTask } from './escalate';

/** Parses the task's variables with the catalogue schema; bad input is not going to improve by retrying. */
function parseInput<T extends keyof typeof HUMAN_TASK_ACTIVITIES>(type: T, raw: unknown) {
  const parsed = HUMAN_TASK_ACTIVITIES[type].input.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  throw ApplicationFailure.create({ type: 'ValidationError', message: `${type}: ${problems.join('; ')}`, nonRetryable: true, details: [problems] });
}

export function createHumanTaskActivities(deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof HUMAN_TASK_ACTIVITIES>> {
  return {
    'humanTask.escalate': async (raw) => {
      const input = parseInput('humanTask.escalate', raw);
      // The instance is the workflow that runs this activity: variables cannot point it elsewhere.
      const processInstanceId = Context.current().info.workflowExecution?.workflowId;
      if (!processInstanceId) throw ApplicationFailure.create({ type: 'ValidationError', message: 'humanTask.escalate runs only as a process instance task', nonRetryable: true });
      // A group nobody belongs to would strand the task in a queue no one reads.
      const known = await knownCandidateGroups(deps.sequelize);
      const unknown = input.toGroups.filter((g) => !known.has(g));
      if (unknown.length > 0) {
        throw ApplicationFailure.create({
          type: 'ValidationError',
          message: `humanTask.escalate: toGroups: ${unknown.map((g) => `"${g}"`).join(', ')} is not a team code or a role name`,
          nonRetryable: true,
        });
      }
      const escalated = await escalateHumanTask(deps.sequelize, { processInstanceId, ...input });
      return { escalatedTasks: escalated.length };
    },
  };
}
