/** Implementations of the catalogue's humanTask.* activities (declared in ../catalogue/human-task.ts). */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { knownCandidateGroups } from '../../records/candidate-groups';
import type { CatalogueActivityMap } from '../catalogue';
import type { CatalogueDeps } from '../deps';
import { HUMAN_TASK_ACTIVITIES } from '../catalogue/human-task';
import { parseInput, type InputErrorWording } from '../support';
import { escalateHumanTask } from '../../records/tasks/escalation';

/** The task's variables are refused as they come (no `{}` stand-in), the problem list in the failure's details. */
const TASK_VARIABLES: InputErrorWording = {
  lead: '',
  wholeInput: 'input',
  absentAsEmpty: false,
  problemsAsDetails: true,
};

export function createHumanTaskActivities(
  deps: CatalogueDeps,
): Partial<CatalogueActivityMap<keyof typeof HUMAN_TASK_ACTIVITIES>> {
  return {
    'humanTask.escalate': async (raw) => {
      const input = parseInput(
        'humanTask.escalate',
        HUMAN_TASK_ACTIVITIES['humanTask.escalate'].input,
        raw,
        TASK_VARIABLES,
      );
      // The instance is the workflow that runs this activity: variables cannot point it elsewhere.
      const processInstanceId = Context.current().info.workflowExecution?.workflowId;
      if (!processInstanceId)
        throw ApplicationFailure.create({
          type: 'ValidationError',
          message: 'humanTask.escalate runs only as a process instance task',
          nonRetryable: true,
        });
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
      const escalated = await escalateHumanTask({ sequelize: deps.sequelize }, { processInstanceId, ...input });
      return { escalatedTasks: escalated.length };
    },
  };
}
