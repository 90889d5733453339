import { EventType, temporal, type P } from '../proto';
import { alreadyCompleted, invalidArgument } from '../errors';
import type { Engine } from './engine';
import type { ExecutionState } from './state';
import { appendExternalEvent } from './history';
import { enqueueWorkflowTask } from './workflow-task';
import {
  overrideForEvent,
  pinnedVersionKey,
  readVersioningOverride,
  updateBuildIds,
  validateVersioningOverride,
} from './worker-versioning';

type Request = P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionOptionsRequest>;
type Response = P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionOptionsResponse>;
type Override = ExecutionState['versioningOverride'];

/** Field-mask paths as a real server reads them (proto or JSON names). */
const camel = (path: string) => path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The override an update mask selects: `versioning_override` replaces it whole (absent: unset),
 * the deprecated `versioning_override.behavior` and `.deployment` only together; no other partial
 * path. Priority is not kept by this server, so its paths are refused.
 */
function requestedOverride(r: Request, current: Override): Override {
  const paths = new Set((r.updateMask?.paths ?? []).map(camel));
  if (!paths.size) throw invalidArgument('UpdateMask is required.');
  let next = current;
  for (const path of paths) {
    if (path === 'versioningOverride') next = readVersioningOverride(r.workflowExecutionOptions?.versioningOverride);
    else if (path === 'versioningOverride.behavior' || path === 'versioningOverride.deployment') {
      if (!paths.has('versioningOverride.behavior') || !paths.has('versioningOverride.deployment'))
        throw invalidArgument('versioning_override fields must be updated together');
      next = readVersioningOverride(r.workflowExecutionOptions?.versioningOverride);
    } else if (path.startsWith('versioningOverride.'))
      throw invalidArgument("versioning_override doesn't support partial updates");
    else throw invalidArgument(`error applying update_options: path "${path}" is not supported by this server`);
  }
  return next;
}

const sameOverride = (a: Override, b: Override) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * UpdateWorkflowExecutionOptions as a real server applies it: the run's versioning override is
 * set or unset, recorded as a WorkflowExecutionOptionsUpdated event (one the worker may ignore,
 * held back while a workflow task is in flight like other external events), and honoured from
 * the next workflow task on; a pending task not yet started is routed again (off the sticky
 * queue). No new workflow task is scheduled. The override's structure is checked as a 1.29 server
 * checks it (a pinned version need not have polled yet, as there). An update that changes nothing
 * writes nothing.
 */
export async function updateWorkflowExecutionOptions(engine: Engine, r: Request): Promise<Response> {
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  // Checked before the run is looked at, as a real server (1.29) does.
  validateVersioningOverride(r.workflowExecutionOptions?.versioningOverride);
  return engine.mutate(ref, (tx) => {
    const s = tx.exec.state;
    if (!tx.exec.running) throw alreadyCompleted();
    const next = requestedOverride(r, s.versioningOverride);
    if (sameOverride(next, s.versioningOverride)) {
      tx.save = false;
      return { workflowExecutionOptions: { versioningOverride: overrideForEvent(next) } };
    }
    const routedBefore = pinnedVersionKey(s);
    s.versioningOverride = next;
    appendExternalEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED, {
      workerMayIgnore: true,
      workflowExecutionOptionsUpdatedEventAttributes: {
        versioningOverride: overrideForEvent(next),
        unsetVersioningOverride: !next,
        identity: r.identity,
      },
    });
    updateBuildIds(s);
    const wft = s.wft;
    if (wft && wft.startedEventId === undefined && pinnedVersionKey(s) !== routedBefore) {
      // The queued task still names the old route: take it back and queue it on the normal queue again.
      const queue = wft.sticky ? s.stickyQueue! : s.taskQueue;
      tx.after.push(() => engine.matching.take(s.namespace, 'workflow', queue, tx.exec.key, wft.scheduledEventId));
      s.stickyQueue = undefined;
      enqueueWorkflowTask(tx, true);
    }
    return {
      workflowExecutionOptions: { versioningOverride: overrideForEvent(next) },
    };
  });
}
