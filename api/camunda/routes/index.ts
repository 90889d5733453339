import type { CamundaRoute } from '../camunda-route';
import { decisionRoutes } from './decisions';
import { deploymentRoutes } from './deployments';
import { elementVariableRoutes } from './element-variables';
import { incidentRoutes } from './incidents';
import { jobRoutes } from './jobs';
import { messageRoutes } from './messages';
import { processInstanceRoutes } from './process-instances';
import { signalRoutes } from './signals';
import { topologyRoutes } from './topology';
import { userTaskRoutes } from './user-tasks';
import { variableRoutes } from './variables';

/** Every route of the Camunda REST API (/v2). */
export const CAMUNDA_ROUTES: readonly CamundaRoute[] = [
  ...topologyRoutes,
  ...deploymentRoutes,
  ...processInstanceRoutes,
  ...jobRoutes,
  ...messageRoutes,
  ...signalRoutes,
  ...userTaskRoutes,
  ...incidentRoutes,
  ...variableRoutes,
  ...elementVariableRoutes,
  ...decisionRoutes,
];
