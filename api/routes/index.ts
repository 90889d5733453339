import type { RouteDefinition } from '../route-definition';
import { alertRoutes } from './alerts';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { childMergeRoutes } from './child-merges';
import { childrenRoutes } from './children';
import { concernRoutes } from './concerns';
import { eventRoutes } from './events';
import { oidcRoutes } from './oidc';
import { openApiRoute } from './openapi';
import { taskQueueRoutes } from './task-queues';
import { taskRoutes } from './tasks';
import { processDefinitionRoutes } from './process-definitions';
import { processElementStatsRoutes } from './process-element-stats';
import { processModellingRoutes } from './process-modelling';
import { processInstanceRoutes } from './process-instances';
import { messageRoutes } from './messages';
import { mailboxRoutes } from './mailbox';
import { localityRoutes } from './localities';
import { safeguardingRoutes } from './safeguarding';
import { reportRoutes } from './reports';

/** Every declared case-work route; the router, access checks and OpenAPI document come from this list. */
export const CASE_WORK_ROUTES: readonly RouteDefinition[] = [
  ...authRoutes,
  ...oidcRoutes,
  ...childrenRoutes,
  ...childMergeRoutes,
  ...taskQueueRoutes,
  ...taskRoutes,
  ...concernRoutes,
  ...alertRoutes,
  ...auditRoutes,
  ...eventRoutes,
  ...processModellingRoutes,
  ...processDefinitionRoutes,
  ...processElementStatsRoutes,
  ...processInstanceRoutes,
  ...messageRoutes,
  ...mailboxRoutes,
  ...localityRoutes,
  ...safeguardingRoutes,
  ...reportRoutes,
  openApiRoute(() => CASE_WORK_ROUTES),
] as readonly RouteDefinition[];
