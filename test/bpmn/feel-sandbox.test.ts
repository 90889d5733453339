/**
 * The FEEL and timer helpers must run inside Temporal's workflow sandbox. Bundles a small
 * workflow that uses them and replays a one-task history with the real SDK (no server
 * needed); a sink reports what the workflow computed.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type InjectedSinks } from '@temporalio/worker';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ProbeSinks } from './sandbox/feel-workflow';

/** A history with one workflow task: started, task scheduled, task started. */
function startHistory(input: unknown): temporal.api.history.v1.History {
  const time = { seconds: Date.parse('2026-03-01T12:00:00Z') / 1000 };
  const tenSeconds = { seconds: 10 };
  const payload = defaultPayloadConverter.toPayload(input);
  const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, base64(v)]));
  return temporal.api.history.v1.History.fromObject({
    events: [
      {
        eventId: '1',
        eventTime: time,
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        workflowExecutionStartedEventAttributes: {
          workflowType: { name: 'feelProbe' },
          taskQueue: { name: 'bpmn-sandbox' },
          input: { payloads: [{ metadata, data: base64(payload.data) }] },
          workflowTaskTimeout: tenSeconds,
          originalExecutionRunId: 'run-1',
          firstExecutionRunId: 'run-1',
          attempt: 1,
        },
      },
      {
        eventId: '2',
        eventTime: time,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
        workflowTaskScheduledEventAttributes: {
          taskQueue: { name: 'bpmn-sandbox' },
          startToCloseTimeout: tenSeconds,
          attempt: 1,
        },
      },
      {
        eventId: '3',
        eventTime: time,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED',
        workflowTaskStartedEventAttributes: { scheduledEventId: '2', requestId: 'r1' },
      },
    ],
  });
}

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
});

test('feelin and the BPMN runtime helpers bundle and run in the workflow sandbox', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./sandbox/feel-workflow'),
    logger: quietLogger(),
  });
  const reports: Array<Record<string, unknown>> = [];
  const sinks: InjectedSinks<ProbeSinks> = {
    probe: { report: { fn: (_info, result) => void reports.push(result), callDuringReplay: true } },
  };
  await Worker.runReplayHistory(
    { workflowBundle: { code }, sinks },
    startHistory({ dateOfBirth: '2026-01-10', gaps: ['MenB', 'PCV'], urgent: true }),
    'feel-probe',
  );
  expect(reports).toEqual([
    {
      due: { ok: true, value: '2026-03-07' },
      condition: { ok: true, value: true },
      timer: { ok: true, value: { dueAt: Date.parse('2026-01-03T00:00:00Z') } },
      nowIsString: true,
      camunda: { ok: true, value: ['RkVFTA==', 36, false] },
    },
  ]);
}, 120_000);

function quietLogger() {
  const noop = () => undefined;
  return { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
}
