/** Our own lint rules (run as `chis/<name>` next to bpmnlint's recommended rules). */
import type { LocalRule } from '../lint-types';
import { feelSyntax } from './feel-syntax';
import { gatewayDefaultFlow } from './gateway-default-flow';
import { iso8601Values } from './iso8601-values';
import { jobType } from './job-type';
import { knownActivityType } from './known-activity-type';
import { knownCandidateGroup } from './known-candidate-group';
import { linkedForm } from './linked-form';
import { parallelJoinCanFire } from './parallel-join-can-fire';
import { reachableFromStart } from './reachable-from-start';
import { requiredSettings } from './required-settings';
import { unsupportedElement } from './unsupported-element';
import { userTaskAssignment } from './user-task-assignment';
import { userTaskForm } from './user-task-form';

export const LOCAL_RULES: readonly LocalRule[] = [
  unsupportedElement,
  jobType,
  knownActivityType,
  knownCandidateGroup,
  feelSyntax,
  iso8601Values,
  gatewayDefaultFlow,
  reachableFromStart,
  parallelJoinCanFire,
  userTaskAssignment,
  userTaskForm,
  linkedForm,
  requiredSettings,
];
