import type { CallSignal } from '../call-signal';
import type { Logger } from 'pino';
import { WithEncodedField, fieldNumber, temporal, type P } from '../proto';
import { durationMs, msToDuration, timestamp } from '../time';
import { invalidArgument, namespaceNotFound, notFound } from '../errors';
import type { Engine } from '../engine/engine';
import { startParamsFromRequest, startWorkflow } from '../engine/start';
import { dispatchWorkflowTask, dropStickyQueue, respondWorkflowTaskFailed } from '../engine/workflow-task';
import { respondWorkflowTaskCompleted } from '../engine/complete-task';
import {
  activityCanceled,
  activityCompleted,
  activityFailed,
  dispatchActivityTask,
  heartbeat,
} from '../engine/activities';
import { decodeToken, type TaskToken } from '../engine/task-token';
import { requestCancelWorkflow, signalWorkflow } from '../engine/signals';
import { deleteWorkflow, terminateWorkflow } from '../engine/close';
import { dispatchQueryTask, queryWorkflow, respondQueryTaskCompleted } from '../engine/queries';
import { pollUpdate, updateWorkflow } from '../engine/updates';
import { executeMultiOperation } from '../engine/update-with-start';
import { resetWorkflow } from '../engine/reset';
import { updateWorkflowExecutionOptions } from '../engine/execution-options';
import { checkRequestSizes } from '../engine/limits';
import { describeExecution, getHistory } from '../engine/read';
import { countExecutions, listExecutions } from '../visibility/list';
import { handlers as asRpc, type Handler } from './handler';
import { deploymentHandlers } from './deployment-service';
import { pollerVersionKey } from '../engine/worker-versioning';
import { PollerHistory } from '../engine/pollers';
import type { Schedules } from '../schedules/schedules';
import type { RpcHandler } from './bind';
import { SERVER_VERSION, SYSTEM_INFO_CAPABILITY_FIELDS } from './bind';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer Q): unknown } ? P<NonNullable<Q>> : never;

const POLL_MS = 30_000;
const STICKY = temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY;
const PollResponse = temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse;
const NEW_TASK_FIELD = fieldNumber(
  temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedResponse,
  'workflowTask',
);
const EAGER_TASK_FIELD = fieldNumber(
  temporal.api.workflowservice.v1.StartWorkflowExecutionResponse,
  'eagerWorkflowTask',
);

/** The WorkflowService methods this server answers; anything else gets UNIMPLEMENTED from grpc-js. */
export function workflowService(engine: Engine, logger: Logger, schedules: Schedules): Record<string, RpcHandler> {
  const ns = (name: string | null | undefined) => engine.namespaces.get(name ?? '');
  /** DescribeTaskQueue's pollers: each queue's recent polls (memory only, as a real server's poller history). */
  const pollers = new PollerHistory();

  const pollTask = async (
    kind: 'workflow' | 'activity',
    r: Req<'PollWorkflowTaskQueueRequest'> | Req<'PollActivityTaskQueueRequest'>,
    abort: CallSignal,
  ): Promise<object> => {
    const namespace = r.namespace ?? '';
    const queue = r.taskQueue?.name ?? '';
    const identity = r.identity ?? '';
    ns(namespace);
    if (!queue) throw invalidArgument('TaskQueue is not set on request.');
    const metadata = (r as Req<'PollActivityTaskQueueRequest'>).taskQueueMetadata;
    pollers.record(
      namespace,
      kind,
      queue,
      identity,
      {
        ratePerSecond: metadata?.maxTasksPerSecond?.value ?? undefined,
        deploymentOptions: r.deploymentOptions,
        workerVersionCapabilities: r.workerVersionCapabilities,
      },
      engine.clock.now(),
    );
    // A versioned worker's poll registers its version with its deployment (a sticky queue is its own).
    const version = pollerVersionKey(r.deploymentOptions);
    if (version && r.taskQueue?.kind !== STICKY) {
      const { deploymentName, buildId } = r.deploymentOptions!;
      if (
        await engine.deployments.registerPoller(namespace, kind, queue, deploymentName!, buildId!, engine.clock.now())
      )
        engine.matching.rematch(namespace, kind, queue);
    }
    const startedAt = Date.now();
    const deadline = startedAt + POLL_MS;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || abort.aborted) break;
      const task = await engine.matching.poll(namespace, kind, queue, remaining, abort, version);
      if (!task) break;
      if (abort.aborted) {
        engine.matching.push(namespace, kind, queue, task, true);
        break;
      }
      const dispatched = kind === 'activity' ? 'activity' : task.queryId ? 'query' : 'workflow';
      const res =
        dispatched === 'activity'
          ? await dispatchActivityTask(engine, task, identity)
          : dispatched === 'query'
            ? await dispatchQueryTask(engine, task)
            : await dispatchWorkflowTask(engine, task, identity);
      if (res) {
        engine.stats.pollEnded(kind, startedAt, dispatched);
        return res;
      }
    }
    engine.stats.pollEnded(kind, startedAt, undefined);
    return {};
  };

  /**
   * The task a token names, checked as a real server checks it: a token in a real server's format
   * names its namespace by id (unknown → NamespaceNotFound), and a token of another namespace than
   * the request's is refused; a task that does not exist here is then NotFound.
   */
  const taskToken = (bytes: Uint8Array | null | undefined, namespace: string | null | undefined): TaskToken => {
    const token = decodeToken(bytes);
    if (token.namespaceId !== undefined) {
      const rec = engine.namespaces.list().find((n) => n.id === token.namespaceId);
      if (!rec) throw namespaceNotFound(token.namespaceId);
      token.namespace = rec.name;
    }
    if (namespace && token.namespace !== namespace)
      throw invalidArgument('Operation requested with a token from a different namespace.');
    return token;
  };

  const activityToken = async (
    namespace: string,
    workflowId: string,
    runId: string | null | undefined,
    activityId: string,
  ): Promise<TaskToken> => {
    const ref = await engine.resolveRun(namespace, workflowId, runId);
    const exec = await engine.load(ref);
    const act = Object.values(exec.state.activities).find((a) => a.activityId === activityId);
    if (!act) throw notFound(`activity ${activityId} not found`);
    return {
      kind: 'activity',
      ...ref,
      scheduledEventId: act.scheduledEventId,
      dispatch: act.dispatch ?? '',
      attempt: act.attempt,
      activityId,
    };
  };

  const handlers: Record<string, Handler> = {
    GetSystemInfo: async () => ({
      serverVersion: SERVER_VERSION,
      capabilities: Object.fromEntries(Object.keys(SYSTEM_INFO_CAPABILITY_FIELDS).map((k) => [k, true])),
    }),
    DescribeNamespace: async (r: Req<'DescribeNamespaceRequest'>) => {
      const rec = ns(r.namespace || undefined);
      return {
        namespaceInfo: {
          name: rec.name,
          id: rec.id,
          description: rec.description,
          state: temporal.api.enums.v1.NamespaceState.NAMESPACE_STATE_REGISTERED,
          capabilities: { eagerWorkflowStart: true, syncUpdate: true, asyncUpdate: true },
          // Advertised so that workers can check payloads before sending them.
          limits: {
            blobSizeLimitError: engine.limits.blobSizeLimitError,
            memoSizeLimitError: engine.limits.memoSizeLimitError,
          },
        },
        config: { workflowExecutionRetentionTtl: msToDuration(rec.retentionSeconds * 1000) },
        isGlobalNamespace: false,
      };
    },
    ListNamespaces: async () => ({
      namespaces: engine.namespaces.list().map((rec) => ({
        namespaceInfo: {
          name: rec.name,
          id: rec.id,
          description: rec.description,
          state: temporal.api.enums.v1.NamespaceState.NAMESPACE_STATE_REGISTERED,
        },
        config: { workflowExecutionRetentionTtl: msToDuration(rec.retentionSeconds * 1000) },
      })),
    }),
    RegisterNamespace: async (r: Req<'RegisterNamespaceRequest'>) => {
      await engine.namespaces.register(
        r.namespace ?? '',
        Math.floor(durationMs(r.workflowExecutionRetentionPeriod) / 1000) || 86400,
        r.description ?? '',
      );
      return {};
    },
    StartWorkflowExecution: async (r: Req<'StartWorkflowExecutionRequest'>) => {
      checkRequestSizes(engine.limits, { payloads: [r.input?.payloads], memo: r.memo?.fields });
      const res = await startWorkflow(engine, startParamsFromRequest(engine, r.namespace ?? '', r));
      const message = { runId: res.runId, started: res.started };
      if (!res.eagerTask) return message;
      return new WithEncodedField(
        message,
        EAGER_TASK_FIELD,
        res.eagerTask.encode((m) => PollResponse.encode(m).finish()),
      );
    },
    SignalWithStartWorkflowExecution: async (r: Req<'SignalWithStartWorkflowExecutionRequest'>) => {
      checkRequestSizes(engine.limits, {
        payloads: [r.input?.payloads, r.signalInput?.payloads],
        memo: r.memo?.fields,
      });
      const params = startParamsFromRequest(engine, r.namespace ?? '', r);
      params.signal = { name: r.signalName ?? '', input: r.signalInput, header: r.header, identity: r.identity };
      const res = await startWorkflow(engine, params);
      return { runId: res.runId, started: res.started };
    },
    SignalWorkflowExecution: async (r: Req<'SignalWorkflowExecutionRequest'>) => {
      ns(r.namespace);
      checkRequestSizes(engine.limits, { payloads: [r.input?.payloads] });
      await signalWorkflow(engine, r);
      return {};
    },
    RequestCancelWorkflowExecution: async (r: Req<'RequestCancelWorkflowExecutionRequest'>) => {
      ns(r.namespace);
      await requestCancelWorkflow(engine, r);
      return {};
    },
    TerminateWorkflowExecution: async (r: Req<'TerminateWorkflowExecutionRequest'>) => {
      ns(r.namespace);
      await terminateWorkflow(engine, r);
      return {};
    },
    ResetWorkflowExecution: (r: Req<'ResetWorkflowExecutionRequest'>) => {
      ns(r.namespace);
      return resetWorkflow(engine, r);
    },
    DeleteWorkflowExecution: async (r: Req<'DeleteWorkflowExecutionRequest'>) => {
      ns(r.namespace);
      await deleteWorkflow(engine, r);
      return {};
    },
    PollWorkflowTaskQueue: (r: Req<'PollWorkflowTaskQueueRequest'>, abort) => pollTask('workflow', r, abort),
    PollActivityTaskQueue: (r: Req<'PollActivityTaskQueueRequest'>, abort) => pollTask('activity', r, abort),
    RespondWorkflowTaskCompleted: async (r: Req<'RespondWorkflowTaskCompletedRequest'>) => {
      const { workflowTask, ...rest } = await respondWorkflowTaskCompleted(
        engine,
        r,
        taskToken(r.taskToken, r.namespace),
      );
      if (!workflowTask) return rest;
      return new WithEncodedField(
        rest,
        NEW_TASK_FIELD,
        workflowTask.encode((m) => PollResponse.encode(m).finish()),
      );
    },
    RespondWorkflowTaskFailed: async (r: Req<'RespondWorkflowTaskFailedRequest'>) => {
      await respondWorkflowTaskFailed(engine, r, taskToken(r.taskToken, r.namespace));
      return {};
    },
    RespondQueryTaskCompleted: async (r: Req<'RespondQueryTaskCompletedRequest'>) => {
      await respondQueryTaskCompleted(engine, r, taskToken(r.taskToken, r.namespace));
      return {};
    },
    RespondActivityTaskCompleted: async (r: Req<'RespondActivityTaskCompletedRequest'>) => {
      await activityCompleted(engine, taskToken(r.taskToken, r.namespace), r.result, r.identity);
      return {};
    },
    RespondActivityTaskFailed: async (r: Req<'RespondActivityTaskFailedRequest'>) => {
      await activityFailed(engine, taskToken(r.taskToken, r.namespace), r.failure, r.identity, r.lastHeartbeatDetails);
      return {};
    },
    RespondActivityTaskCanceled: async (r: Req<'RespondActivityTaskCanceledRequest'>) => {
      await activityCanceled(engine, taskToken(r.taskToken, r.namespace), r.details, r.identity);
      return {};
    },
    RecordActivityTaskHeartbeat: async (r: Req<'RecordActivityTaskHeartbeatRequest'>) => ({
      cancelRequested: await heartbeat(engine, taskToken(r.taskToken, r.namespace), r.details),
    }),
    RespondActivityTaskCompletedById: async (r: Req<'RespondActivityTaskCompletedByIdRequest'>) => {
      await activityCompleted(
        engine,
        await activityToken(r.namespace ?? '', r.workflowId ?? '', r.runId, r.activityId ?? ''),
        r.result,
        r.identity,
      );
      return {};
    },
    RespondActivityTaskFailedById: async (r: Req<'RespondActivityTaskFailedByIdRequest'>) => {
      await activityFailed(
        engine,
        await activityToken(r.namespace ?? '', r.workflowId ?? '', r.runId, r.activityId ?? ''),
        r.failure,
        r.identity,
        r.lastHeartbeatDetails,
      );
      return {};
    },
    RespondActivityTaskCanceledById: async (r: Req<'RespondActivityTaskCanceledByIdRequest'>) => {
      await activityCanceled(
        engine,
        await activityToken(r.namespace ?? '', r.workflowId ?? '', r.runId, r.activityId ?? ''),
        r.details,
        r.identity,
      );
      return {};
    },
    RecordActivityTaskHeartbeatById: async (r: Req<'RecordActivityTaskHeartbeatByIdRequest'>) => ({
      cancelRequested: await heartbeat(
        engine,
        await activityToken(r.namespace ?? '', r.workflowId ?? '', r.runId, r.activityId ?? ''),
        r.details,
      ),
    }),
    QueryWorkflow: (r: Req<'QueryWorkflowRequest'>, abort) => {
      ns(r.namespace);
      return queryWorkflow(engine, r, abort);
    },
    UpdateWorkflowExecution: (r: Req<'UpdateWorkflowExecutionRequest'>, abort) => {
      ns(r.namespace);
      return updateWorkflow(engine, r, abort);
    },
    ExecuteMultiOperation: (r: Req<'ExecuteMultiOperationRequest'>, abort) => executeMultiOperation(engine, r, abort),
    PollWorkflowExecutionUpdate: (r: Req<'PollWorkflowExecutionUpdateRequest'>, abort) => {
      ns(r.namespace);
      return pollUpdate(engine, r, abort);
    },
    GetWorkflowExecutionHistory: (r: Req<'GetWorkflowExecutionHistoryRequest'>, abort) => {
      ns(r.namespace);
      return getHistory(engine, r, abort);
    },
    DescribeWorkflowExecution: (r: Req<'DescribeWorkflowExecutionRequest'>) => {
      ns(r.namespace);
      return describeExecution(engine, r);
    },
    ListWorkflowExecutions: async (r: Req<'ListWorkflowExecutionsRequest'>) => {
      ns(r.namespace);
      return listExecutions(engine, r.namespace ?? '', r.query ?? '', r.pageSize ?? 0, r.nextPageToken);
    },
    ListOpenWorkflowExecutions: async (r: Req<'ListOpenWorkflowExecutionsRequest'>) => {
      ns(r.namespace);
      return listExecutions(
        engine,
        r.namespace ?? '',
        'ExecutionStatus = "Running"',
        r.maximumPageSize ?? 0,
        r.nextPageToken,
      );
    },
    CountWorkflowExecutions: async (r: Req<'CountWorkflowExecutionsRequest'>) => {
      ns(r.namespace);
      return countExecutions(engine, r.namespace ?? '', r.query ?? '');
    },
    GetSearchAttributes: async () => ({ keys: Object.fromEntries(engine.namespaces.searchAttributes) }),
    ShutdownWorker: async (r: Req<'ShutdownWorkerRequest'>) => {
      if (r.stickyTaskQueue) await dropStickyQueue(engine, r.namespace ?? '', r.stickyTaskQueue);
      return {};
    },
    ResetStickyTaskQueue: async () => ({}),
    CreateSchedule: (r: Req<'CreateScheduleRequest'>) => schedules.create(r),
    DescribeSchedule: (r: Req<'DescribeScheduleRequest'>) => schedules.describe(r),
    UpdateSchedule: (r: Req<'UpdateScheduleRequest'>) => schedules.update(r),
    PatchSchedule: (r: Req<'PatchScheduleRequest'>) => schedules.patch(r),
    DeleteSchedule: (r: Req<'DeleteScheduleRequest'>) => schedules.delete(r),
    ListSchedules: (r: Req<'ListSchedulesRequest'>) => schedules.list(r),
    ListScheduleMatchingTimes: (r: Req<'ListScheduleMatchingTimesRequest'>) => schedules.matchingTimes(r),
    ...deploymentHandlers(engine),
    UpdateWorkflowExecutionOptions: (r: Req<'UpdateWorkflowExecutionOptionsRequest'>) =>
      updateWorkflowExecutionOptions(engine, r),
    DescribeTaskQueue: async (r: Req<'DescribeTaskQueueRequest'>) => {
      const kind = r.taskQueueType === 2 ? 'activity' : 'workflow';
      const namespace = r.namespace ?? '';
      const queue = r.taskQueue?.name ?? '';
      return {
        pollers: pollers.list(namespace, kind, queue, engine.clock.now()),
        taskQueueStatus: { backlogCountHint: engine.matching.backlog(namespace, kind, queue) },
      };
    },
  };
  void timestamp;
  void logger;
  return asRpc(handlers);
}
