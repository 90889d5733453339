import type { Sequelize } from 'sequelize';
import { ACTIVITY_TYPES } from '../activities/catalogue';
import { knownCandidateGroups } from '../records/candidate-groups';
import type { DeployedDefinition } from './deployed-definition';

/** What the compiler must know about this installation to validate a diagram. */
export interface DeploymentContext {
  activityTypes: ReadonlySet<string>;
  /** Types deployed to run as local activities; the catalogue's `local` types when not given. */
  localActivityTypes?: ReadonlySet<string>;
  candidateGroups: ReadonlySet<string>;
  /**
   * Called once a new version is stored (not for an unchanged one), e.g. to start, replace or
   * stop its key's timer-start scheduler (`timerStartDeployHook` in workers/). A failure does
   * not undo the deployment: it becomes a warning, and start-up syncs the schedules again.
   */
  onDeployed?: (definition: DeployedDefinition) => Promise<void>;
}

/** What a deployment is checked against now: the activity catalogue and the teams that exist. */
export async function currentDeploymentContext(sequelize: Sequelize): Promise<DeploymentContext> {
  return { activityTypes: ACTIVITY_TYPES, candidateGroups: await knownCandidateGroups(sequelize) };
}
