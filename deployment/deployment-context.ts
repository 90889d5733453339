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
