/**
 * The BPMN interpreter: one workflow type that runs any compiled process graph. The pure
 * engine (workflows/engine) decides; the runner carries out its commands; this function wires
 * the signals, updates and query, and continues as new before the history grows large.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { GRAPH_FORMAT } from '../bpmn/runtime';
import { InstanceRunner } from './instance-runner';
import {
  broadcastSignalSignal,
  cancelInstanceSignal,
  changeUserTaskUpdate,
  setVariablesUpdate,
  completeJobUpdate,
  completeUserTaskUpdate,
  failJobUpdate,
  throwJobErrorUpdate,
  correlateMessageSignal,
  instanceStateQuery,
  retryIncidentUpdate,
  type ProcessInstanceInput,
  type ProcessInstanceResult,
} from './contract';

/** Continue as new past this many history events unless the input says otherwise (Temporal warns at 10k). */
export const DEFAULT_HISTORY_LIMIT = 8000;

export async function processInstance(input: ProcessInstanceInput): Promise<ProcessInstanceResult> {
  if (input?.definition?.graph?.format !== GRAPH_FORMAT) {
    throw new Error(`processInstance needs a compiled definition graph of format ${GRAPH_FORMAT}`);
  }
  const runner = new InstanceRunner(input);
  runner.start();

  setHandler(instanceStateQuery, () => runner.view());
  setHandler(correlateMessageSignal, (m) => {
    if (!m || typeof m.name !== 'string') return;
    runner.dispatch({
      type: 'messageReceived',
      name: m.name,
      correlationKey: m.correlationKey ?? null,
      variables: m.variables ?? {},
      ...(m.timeToLiveMs ? { bufferForMs: m.timeToLiveMs } : {}),
    });
  });
  setHandler(broadcastSignalSignal, (b) => {
    if (!b || typeof b.name !== 'string') return;
    runner.dispatch({ type: 'signalReceived', name: b.name, variables: b.variables ?? {} });
  });
  setHandler(cancelInstanceSignal, (c) => {
    runner.dispatch({ type: 'cancelRequested', ...(c?.reason ? { reason: c.reason } : {}) });
  });
  setHandler(completeUserTaskUpdate, (u) => runner.completeUserTask(u), {
    validator: (u) => runner.validateCompletion(u),
  });
  setHandler(changeUserTaskUpdate, (u) => runner.changeUserTask(u), { validator: (u) => runner.validateChange(u) });
  setHandler(setVariablesUpdate, (v) => runner.setVariables(v), { validator: (v) => runner.validateSetVariables(v) });
  setHandler(retryIncidentUpdate, (r) => runner.retryIncident(r), { validator: (r) => runner.validateRetry(r) });
  setHandler(completeJobUpdate, (j) => runner.completeJob(j), { validator: (j) => runner.validateJob(j) });
  setHandler(failJobUpdate, (j) => runner.failJob(j), { validator: (j) => runner.validateJob(j) });
  setHandler(throwJobErrorUpdate, (j) => runner.throwJobError(j), {
    validator: (j) =>
      runner.validateJob(j, typeof j?.errorCode === 'string' && j.errorCode !== '' ? [] : ['errorCode is required']),
  });

  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const wantsNewRun = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= historyLimit;
  };
  try {
    for (;;) {
      await condition(() => runner.outcome !== undefined || wantsNewRun());
      if (runner.outcome) break;
      // Only user tasks, timers and message subscriptions survive a new run: wait until no job,
      // child or database write is in flight (their results would arrive at the old run).
      await condition(() => runner.outcome !== undefined || (runner.inFlight === 0 && allHandlersFinished()));
      if (runner.outcome) break;
      await continueAsNew<typeof processInstance>({ ...input, variables: {}, state: runner.state });
    }
    await runner.flush();
    return runner.result();
  } catch (err) {
    if (isCancellation(err) && !runner.outcome) {
      // Cancelled through Temporal (or the parent cancelled this call): end like a cancel request.
      await CancellationScope.nonCancellable(async () => {
        // Temporal ends the workflow now: canceling listeners are not waited for.
        runner.dispatch({ type: 'cancelRequested', reason: 'workflow cancelled', force: true });
        await runner.flush();
      });
    }
    throw err;
  }
}
