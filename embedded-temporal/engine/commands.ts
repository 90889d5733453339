import { CommandType, EventType, temporal, type P } from '../proto';
import { durationMs, msToDuration } from '../time';
import type { Tx } from './execution';
import { appendEvent, taskQueue } from './history';
import type { ActivityState } from './state';
import { enqueueActivity } from './activities';
import { closeRunInTx, continueAsNewInTx, failWorkflowInTx } from './close';
import { mergeSearchAttributes, decodeSearchAttributes, withTypeMetadata } from './search-attributes';
import { handleProtocolMessage } from './updates';
import { inheritedPinnedVersion } from './worker-versioning';

type Command = P<temporal.api.command.v1.ICommand>;
type Message = P<temporal.api.protocol.v1.IMessage>;

export const TERMINAL_COMMANDS = new Set<number>([
  CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

export function normalizedRetryPolicy(
  p: P<temporal.api.common.v1.IRetryPolicy> | null | undefined,
): P<temporal.api.common.v1.IRetryPolicy> {
  const initial = durationMs(p?.initialInterval) || 1000;
  return {
    initialInterval: msToDuration(initial),
    backoffCoefficient: p?.backoffCoefficient || 2,
    maximumInterval: msToDuration(durationMs(p?.maximumInterval) || initial * 100),
    maximumAttempts: p?.maximumAttempts ?? 0,
    nonRetryableErrorTypes: p?.nonRetryableErrorTypes ?? [],
  };
}

/** Applies a completed task's commands and protocol messages, in order, as part of one transaction. */
export function applyCommands(
  tx: Tx,
  commands: Command[],
  messages: Message[],
  completedEventId: number,
  identity: string,
): void {
  const byId = new Map(messages.map((m) => [m.id ?? '', m]));
  const handled = new Set<string>();
  for (const c of commands) {
    if (!tx.exec.running) break;
    if (c.commandType === CommandType.COMMAND_TYPE_PROTOCOL_MESSAGE) {
      const id = c.protocolMessageCommandAttributes?.messageId ?? '';
      const m = byId.get(id);
      if (m) {
        handled.add(id);
        handleProtocolMessage(tx, m, identity);
      }
      continue;
    }
    const firstNew = tx.exec.events.length;
    applyCommand(tx, c, completedEventId, identity);
    // A command's user metadata (a timer's or an activity's summary) is kept on the event it wrote.
    if (c.userMetadata && tx.exec.events.length > firstNew) tx.exec.events[firstNew].userMetadata = c.userMetadata;
  }
  for (const m of messages) if (!handled.has(m.id ?? '') && tx.exec.running) handleProtocolMessage(tx, m, identity);
}

function applyCommand(tx: Tx, c: Command, wftCompletedId: number, identity: string): void {
  const s = tx.exec.state;
  switch (c.commandType) {
    case CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
      const a = c.scheduleActivityTaskCommandAttributes!;
      let s2c = durationMs(a.scheduleToCloseTimeout);
      let st2c = durationMs(a.startToCloseTimeout);
      let s2s = durationMs(a.scheduleToStartTimeout);
      if (!st2c) st2c = s2c;
      if (!s2s) s2s = s2c;
      if (s.runExpiresAt) {
        const left = Math.max(1, s.runExpiresAt - tx.now);
        s2c = s2c ? Math.min(s2c, left) : left;
        if (s2s > s2c) s2s = s2c;
        if (st2c > s2c) st2c = s2c;
      }
      const retryPolicy = normalizedRetryPolicy(a.retryPolicy);
      const queue = a.taskQueue?.name || s.taskQueue;
      const ev = appendEvent(tx, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
        activityTaskScheduledEventAttributes: {
          activityId: a.activityId,
          activityType: a.activityType,
          taskQueue: taskQueue(queue),
          header: a.header,
          input: a.input,
          scheduleToCloseTimeout: msToDuration(s2c),
          scheduleToStartTimeout: msToDuration(s2s),
          startToCloseTimeout: msToDuration(st2c),
          heartbeatTimeout: a.heartbeatTimeout ?? msToDuration(0),
          workflowTaskCompletedEventId: wftCompletedId,
          retryPolicy,
        },
      });
      const act: ActivityState = {
        scheduledEventId: ev.eventId!,
        activityId: a.activityId ?? '',
        activityType: a.activityType?.name ?? '',
        taskQueue: queue,
        input: a.input ?? undefined,
        header: a.header ?? undefined,
        scheduledTime: tx.now,
        attemptScheduledTime: tx.now,
        attempt: 1,
        scheduleToCloseMs: s2c,
        scheduleToStartMs: s2s,
        startToCloseMs: st2c,
        heartbeatMs: durationMs(a.heartbeatTimeout),
        retryPolicy,
        cancelRequested: false,
      };
      s.activities[String(act.scheduledEventId)] = act;
      if (a.requestEagerExecution && queue === s.taskQueue) (tx.eager ??= []).push(act);
      else enqueueActivity(tx, act);
      return;
    }
    case CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
      const sid = Number(c.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0);
      const act = s.activities[String(sid)];
      if (!act) return;
      const req = appendEvent(tx, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {
        activityTaskCancelRequestedEventAttributes: {
          scheduledEventId: sid,
          workflowTaskCompletedEventId: wftCompletedId,
        },
      });
      if (act.startedTime === undefined) {
        appendEvent(tx, EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED, {
          activityTaskCanceledEventAttributes: {
            scheduledEventId: sid,
            startedEventId: 0,
            latestCancelRequestedEventId: req.eventId,
            identity,
          },
        });
        delete s.activities[String(sid)];
      } else {
        act.cancelRequested = true;
        act.cancelRequestedEventId = req.eventId!;
      }
      return;
    }
    case CommandType.COMMAND_TYPE_START_TIMER: {
      const a = c.startTimerCommandAttributes!;
      const ev = appendEvent(tx, EventType.EVENT_TYPE_TIMER_STARTED, {
        timerStartedEventAttributes: {
          timerId: a.timerId,
          startToFireTimeout: a.startToFireTimeout,
          workflowTaskCompletedEventId: wftCompletedId,
        },
      });
      s.timers[a.timerId ?? ''] = { startedEventId: ev.eventId!, fireAt: tx.now + durationMs(a.startToFireTimeout) };
      return;
    }
    case CommandType.COMMAND_TYPE_CANCEL_TIMER: {
      const id = c.cancelTimerCommandAttributes?.timerId ?? '';
      const t = s.timers[id];
      if (!t) return;
      appendEvent(tx, EventType.EVENT_TYPE_TIMER_CANCELED, {
        timerCanceledEventAttributes: {
          timerId: id,
          startedEventId: t.startedEventId,
          workflowTaskCompletedEventId: wftCompletedId,
          identity,
        },
      });
      delete s.timers[id];
      return;
    }
    case CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      closeRunInTx(tx, 'completed', {
        result: c.completeWorkflowExecutionCommandAttributes?.result,
        workflowTaskCompletedEventId: wftCompletedId,
      });
      return;
    case CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      failWorkflowInTx(tx, c.failWorkflowExecutionCommandAttributes?.failure, wftCompletedId);
      return;
    case CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      closeRunInTx(tx, 'canceled', {
        details: c.cancelWorkflowExecutionCommandAttributes?.details,
        workflowTaskCompletedEventId: wftCompletedId,
      });
      return;
    case CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
      continueAsNewInTx(tx, c.continueAsNewWorkflowExecutionCommandAttributes!, wftCompletedId);
      return;
    case CommandType.COMMAND_TYPE_RECORD_MARKER: {
      const a = c.recordMarkerCommandAttributes!;
      appendEvent(tx, EventType.EVENT_TYPE_MARKER_RECORDED, {
        markerRecordedEventAttributes: {
          markerName: a.markerName,
          details: a.details,
          header: a.header,
          failure: a.failure,
          workflowTaskCompletedEventId: wftCompletedId,
        },
      });
      return;
    }
    case CommandType.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const sa = withTypeMetadata(
        c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes,
        tx.engine.searchAttributeType,
      );
      appendEvent(tx, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
        upsertWorkflowSearchAttributesEventAttributes: {
          searchAttributes: sa,
          workflowTaskCompletedEventId: wftCompletedId,
        },
      });
      s.rawSearchAttributes = mergeSearchAttributes(s.rawSearchAttributes, sa);
      s.searchAttributes = decodeSearchAttributes(s.rawSearchAttributes);
      return;
    }
    case CommandType.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
      const memo = c.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
      appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
        workflowPropertiesModifiedEventAttributes: { upsertedMemo: memo, workflowTaskCompletedEventId: wftCompletedId },
      });
      const fields = { ...(s.memo?.fields ?? {}) };
      for (const [k, v] of Object.entries(memo?.fields ?? {})) {
        if (!v?.data || v.data.length === 0) delete fields[k];
        else fields[k] = v;
      }
      s.memo = { fields };
      return;
    }
    case CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
      const a = c.startChildWorkflowExecutionCommandAttributes!;
      const namespace = a.namespace || s.namespace;
      const policy = a.parentClosePolicy || temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE;
      const ev = appendEvent(tx, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, {
        startChildWorkflowExecutionInitiatedEventAttributes: {
          namespace,
          workflowId: a.workflowId,
          workflowType: a.workflowType,
          taskQueue: taskQueue(a.taskQueue?.name || s.taskQueue),
          input: a.input,
          workflowExecutionTimeout: a.workflowExecutionTimeout,
          workflowRunTimeout: a.workflowRunTimeout,
          workflowTaskTimeout: a.workflowTaskTimeout,
          parentClosePolicy: policy,
          control: a.control,
          workflowTaskCompletedEventId: wftCompletedId,
          workflowIdReusePolicy: a.workflowIdReusePolicy,
          retryPolicy: a.retryPolicy,
          cronSchedule: a.cronSchedule,
          header: a.header,
          memo: a.memo,
          searchAttributes: withTypeMetadata(a.searchAttributes, tx.engine.searchAttributeType),
        },
      });
      const initiatedEventId = ev.eventId!;
      s.children[String(initiatedEventId)] = {
        initiatedEventId,
        namespace,
        workflowId: a.workflowId ?? '',
        workflowType: a.workflowType?.name ?? '',
        parentClosePolicy: policy,
        pending: true,
      };
      const childQueue = a.taskQueue?.name || s.taskQueue;
      const inherited = inheritedPinnedVersion(s, { namespace, taskQueue: childQueue }, tx.engine.deployments);
      tx.outbox.push({
        kind: 'startChild',
        inheritedPinnedVersion: inherited,
        versioningOverride: inherited && s.versioningOverride?.pinned ? s.versioningOverride : undefined,
        parent: tx.exec.ref,
        parentWorkflowType: s.workflowType,
        root: s.root ?? (s.parent ? undefined : { workflowId: s.workflowId, runId: s.runId }),
        userMetadata: c.userMetadata ?? undefined,
        initiatedEventId,
        attrs: { ...a, namespace, parentClosePolicy: policy, taskQueue: taskQueue(childQueue) },
      });
      return;
    }
    case CommandType.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
      const a = c.signalExternalWorkflowExecutionCommandAttributes!;
      const namespace = a.namespace || s.namespace;
      const ev = appendEvent(tx, EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
        signalExternalWorkflowExecutionInitiatedEventAttributes: {
          namespace,
          workflowExecution: a.execution,
          signalName: a.signalName,
          input: a.input,
          control: a.control,
          childWorkflowOnly: a.childWorkflowOnly,
          header: a.header,
          workflowTaskCompletedEventId: wftCompletedId,
        },
      });
      const target = { namespace, workflowId: a.execution?.workflowId ?? '', runId: a.execution?.runId || undefined };
      s.externals[String(ev.eventId)] = { kind: 'signal', ...target, control: a.control ?? undefined };
      tx.outbox.push({
        kind: 'signalExternal',
        source: tx.exec.ref,
        initiatedEventId: ev.eventId!,
        target,
        signalName: a.signalName ?? '',
        input: a.input ?? undefined,
        header: a.header ?? undefined,
        childWorkflowOnly: !!a.childWorkflowOnly,
      });
      return;
    }
    case CommandType.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
      const a = c.requestCancelExternalWorkflowExecutionCommandAttributes!;
      const namespace = a.namespace || s.namespace;
      const target = { namespace, workflowId: a.workflowId ?? '', runId: a.runId || undefined };
      const ev = appendEvent(tx, EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
        requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
          namespace,
          workflowExecution: { workflowId: target.workflowId, runId: target.runId },
          control: a.control,
          childWorkflowOnly: a.childWorkflowOnly,
          reason: a.reason,
          workflowTaskCompletedEventId: wftCompletedId,
        },
      });
      s.externals[String(ev.eventId)] = { kind: 'cancel', ...target, control: a.control ?? undefined };
      tx.outbox.push({
        kind: 'cancelExternal',
        source: tx.exec.ref,
        initiatedEventId: ev.eventId!,
        target,
        childWorkflowOnly: !!a.childWorkflowOnly,
        reason: a.reason ?? undefined,
      });
      return;
    }
    default:
      tx.engine.logger.warn({ commandType: c.commandType }, 'ignoring unsupported command');
  }
}
