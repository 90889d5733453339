import { EventType, anyTypeName, temporal, type P, type WithEncodedField } from '../proto';
import type { Tx } from './execution';
import { invalidArgument, notFound } from '../errors';
import { durationMs } from '../time';
import { STICKY_DEFAULT_MS } from './workflow-task';
import type { Engine } from './engine';
import type { TaskToken } from './task-token';
import { appendEvent, flushBuffered } from './history';
import { TERMINAL_COMMANDS, applyCommands } from './commands';
import {
  afterWorkflowTaskClosed,
  failWorkflowTaskInTx,
  lastWorkerStillRouted,
  scheduleWorkflowTask,
  startWorkflowTask,
  writeTransientTaskEvents,
} from './workflow-task';
import { queryTaskAtWorker, resolveQueryResults } from './queries';
import { handleProtocolMessage, hasUndeliveredUpdates } from './updates';
import { startAttempt } from './activities';
import { checkSearchAttributes } from './search-attributes';
import { BUILT_IN_SEARCH_ATTRIBUTES, PREDEFINED_SEARCH_ATTRIBUTES } from './system-search-attributes';
import { completedTaskVersioning, rememberWorkerVersion, updateBuildIds } from './worker-versioning';

const UNHANDLED_COMMAND = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
/** The message a real server answers with (the cause's name); SDK core matches it exactly to drop its cached run. */
const UNHANDLED_COMMAND_MESSAGE = 'UnhandledCommand';
const REJECTED = Symbol('task failed: UnhandledCommand');
const BAD_SEARCH_ATTRIBUTES =
  temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES;

/**
 * The first refusal a real server's command validator gives the search attributes of an upsert, a
 * continue-as-new or a child start (the same checks as on a client's start), or undefined when valid.
 */
function badSearchAttributes(engine: Engine, commands: P<temporal.api.command.v1.ICommand>[]): string | undefined {
  for (const c of commands) {
    const sa =
      c.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes ??
      c.continueAsNewWorkflowExecutionCommandAttributes?.searchAttributes ??
      c.startChildWorkflowExecutionCommandAttributes?.searchAttributes;
    if (!sa) continue;
    try {
      checkSearchAttributes(
        sa,
        (name) => engine.searchAttributeType(name) ?? PREDEFINED_SEARCH_ATTRIBUTES[name],
        (name) => BUILT_IN_SEARCH_ATTRIBUTES.has(name),
      );
    } catch (err) {
      return (err as Error).message;
    }
  }
  return undefined;
}

/** RespondWorkflowTaskCompleted: the task's commands and messages are applied atomically in one transaction. */
export async function respondWorkflowTaskCompleted(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest>,
  token: TaskToken,
): Promise<CompletionResponse> {
  const outcome = await engine.mutate(token, (tx) => {
    const s = tx.exec.state;
    const wft = s.wft;
    if (
      !tx.exec.running ||
      !wft ||
      wft.scheduledEventId !== token.scheduledEventId ||
      wft.dispatch !== token.dispatch ||
      wft.startedEventId === undefined
    ) {
      throw notFound('Workflow task not found.');
    }
    const commands = r.commands ?? [];
    const identity = r.identity ?? '';
    resolveQueryResults(tx.exec, r.queryResults);
    // New events arrived while the worker was deciding: it must see them before closing the run.
    // The failure is committed, then the worker is told (below), so that it drops its cached run.
    if (s.buffered.length && commands.some((c) => TERMINAL_COMMANDS.has(c.commandType ?? 0))) {
      failWorkflowTaskInTx(tx, {
        cause: UNHANDLED_COMMAND,
        identity,
        failure: { message: UNHANDLED_COMMAND_MESSAGE, serverFailureInfo: { nonRetryable: false } },
      });
      return REJECTED;
    }
    const badAttributes = badSearchAttributes(tx.engine, commands);
    if (badAttributes) {
      const message = `BadSearchAttributes: ${badAttributes}`;
      // As a real server: a retry (attempt > 1) failing the same way is dropped without a trace and
      // times out; the first failure is written, and the worker told.
      if (wft.attempt > 1) throw invalidArgument(message);
      failWorkflowTaskInTx(tx, {
        cause: BAD_SEARCH_ATTRIBUTES,
        identity,
        failure: { message, source: 'Server', serverFailureInfo: { nonRetryable: true } },
      });
      return { rejected: message };
    }
    // The worker must forget the discarded task: tell it where history really ends.
    if (rollBackRejectedUpdateTask(tx, commands, r.messages ?? [], identity))
      return { resetHistoryEventId: s.lastCompletedStartedId };
    writeTransientTaskEvents(tx);
    const completed = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
      workflowTaskCompletedEventAttributes: {
        scheduledEventId: wft.scheduledEventId,
        startedEventId: wft.startedEventId,
        identity,
        binaryChecksum: r.binaryChecksum,
        sdkMetadata: r.sdkMetadata,
        meteringMetadata: r.meteringMetadata,
        ...completedTaskVersioning(r),
      },
    });
    rememberWorkerVersion(s, completed.workflowTaskCompletedEventAttributes!);
    updateBuildIds(s);
    s.lastCompletedStartedId = wft.startedEventId;
    s.wft = undefined;
    if (r.stickyAttributes?.workerTaskQueue?.name) {
      s.stickyQueue = r.stickyAttributes.workerTaskQueue.name;
      s.stickyTimeoutMs = durationMs(r.stickyAttributes.scheduleToStartTimeout) || STICKY_DEFAULT_MS;
    } else {
      s.stickyQueue = undefined;
    }
    applyCommands(tx, commands, r.messages ?? [], completed.eventId!, identity);
    if (!tx.exec.running) return {} as CompletionResponse;
    const hadBuffered = flushBuffered(tx) > 0;
    // The worker asked for its next task in this response (saving a poll round trip): it is started
    // here, unless the worker holds a query task of this run that it would answer only after it.
    const returnNew = !!r.returnNewWorkflowTask && !queryTaskAtWorker(tx.exec) && lastWorkerStillRouted(tx);
    if (hadBuffered || r.forceCreateNewWorkflowTask || hasUndeliveredUpdates(s))
      scheduleWorkflowTask(tx, { enqueue: !returnNew });
    if (!s.wft) afterWorkflowTaskClosed(tx);
    const workflowTask = returnNew && s.wft ? startWorkflowTask(tx, identity) : undefined;
    // Eager activities go straight back to this worker, saving a poll round trip.
    const activityTasks = (tx.eager ?? [])
      .filter((a) => s.activities[String(a.scheduledEventId)] === a)
      .map((a) => startAttempt(tx, a, identity));
    return { activityTasks: activityTasks.length ? activityTasks : undefined, workflowTask };
  });
  // Answered as a real server answers: a worker told "success" would keep a cached run that
  // completed without the new events (a signal would be lost), replaying it from the stale cache.
  if (outcome === REJECTED) throw invalidArgument(UNHANDLED_COMMAND_MESSAGE);
  if ('rejected' in outcome) throw invalidArgument(outcome.rejected);
  return outcome;
}

/** What a completion answers: eager activity tasks and, when asked for, the next workflow task (already started). */
export interface CompletionResponse {
  activityTasks?: P<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>[];
  resetHistoryEventId?: number;
  workflowTask?: WithEncodedField;
}

/**
 * A task scheduled only for updates that were all rejected leaves no trace: its scheduled and
 * started events were never persisted, so they are dropped and the rejections recorded in memory.
 */
function rollBackRejectedUpdateTask(
  tx: Tx,
  commands: P<temporal.api.command.v1.ICommand>[],
  messages: P<temporal.api.protocol.v1.IMessage>[],
  identity: string,
): boolean {
  const exec = tx.exec;
  const s = exec.state;
  const wft = s.wft!;
  if (!wft.speculative || commands.length || s.buffered.length) return false;
  if (!messages.length || !messages.every((m) => anyTypeName(m.body) === 'temporal.api.update.v1.Rejection'))
    return false;
  if (exec.persistedEvents >= wft.scheduledEventId || exec.events.length !== wft.startedEventId) return false;
  exec.events.length = wft.scheduledEventId - 1;
  s.nextEventId = wft.scheduledEventId;
  s.wft = undefined;
  for (const m of messages) handleProtocolMessage(tx, m, identity);
  tx.save = false;
  if (hasUndeliveredUpdates(s)) scheduleWorkflowTask(tx, { speculative: true });
  else afterWorkflowTaskClosed(tx);
  return true;
}
