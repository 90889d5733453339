/**
 * The timer tests' stand-in work: a `test.sweep` activity that records which instance ran it
 * with which label, and a process that sweeps once per start (Tick → Sweep → Done), so a test
 * counts the firings of a timer by the sweeps they caused.
 */
import type { ActivityImplementations } from '../../workers/engine-worker';

export const SWEEP_ACTIVITY_TYPE = 'test.sweep';

/** One run of the sweep activity: the instance (workflow id) that ran it and its `label` input. */
export interface Sweep {
  workflowId: string;
  label: unknown;
}

/** The sweep activity, appending each run to `sweeps`. */
export function sweepActivities(sweeps: Sweep[]): ActivityImplementations {
  return {
    [SWEEP_ACTIVITY_TYPE]: async (input: { label?: unknown }) => {
      const { Context } = await import('@temporalio/activity');
      sweeps.push({ workflowId: Context.current().info.workflowExecution?.workflowId ?? '', label: input.label });
      return { swept: true };
    },
  };
}

export type TimerKind = 'timeCycle' | 'timeDate' | 'timeDuration';

/** A process that sweeps once per start; `start: null` gives it a none start event instead. */
export function sweepProcess(key: string, start: { kind: TimerKind; value: string } | null, label: string): string {
  const timer = start
    ? `<bpmn:timerEventDefinition id="Timer_1"><bpmn:${start.kind} xsi:type="bpmn:tFormalExpression">${start.value}</bpmn:${start.kind}></bpmn:timerEventDefinition>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="${key}" name="Sweep" isExecutable="true">
    <bpmn:startEvent id="Tick" name="On schedule">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
      ${timer}
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Tick" targetRef="Sweep" />
    <bpmn:serviceTask id="Sweep" name="Sweep">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="test.sweep" />
        <zeebe:ioMapping>
          <zeebe:input source="=&quot;${label}&quot;" target="label" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Sweep" targetRef="Done" />
    <bpmn:endEvent id="Done" name="Swept">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
}
