/** The interpreter's own activities (task rows, status mirror, called definitions, publishing, timer starts). */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { EngineActivities } from '../../workflows/contract';
import { deliverSignal, planSignal } from '../../engine-client/broadcast-signal';
import { resolveDefinition } from './definitions';
import { cancelHumanTask, correctCancelledHumanTask, openHumanTask } from './human-tasks';
import { evaluateBusinessRule } from './decisions';
import { recordIncident } from './incidents';
import { closeJob, createJob } from './jobs';
import { closeSubscription, openSubscription } from './subscriptions';
import { recordInstance } from './process-instances';
import { publishMessage } from '../../engine-client/publish-message';
import { recordTimerStartFinished, startTimerInstance } from './timer-start';

export interface EngineActivityDeps {
  sequelize: Sequelize;
  /** Needed to publish messages to other instances; without it publishing fails (an incident-free error is logged). */
  client?: Client;
  taskQueue: string;
}

export function createEngineActivities(deps: EngineActivityDeps): EngineActivities {
  return {
    engineRecordInstance: (input) => recordInstance(deps.sequelize, input),
    engineOpenHumanTask: (input) => openHumanTask(deps.sequelize, input),
    engineCancelHumanTask: ({ taskId }) => cancelHumanTask(deps.sequelize, taskId),
    engineCorrectCancelledTask: ({ taskId, changes }) => correctCancelledHumanTask(deps.sequelize, taskId, changes),
    engineResolveDefinition: (input) => resolveDefinition(deps.sequelize, input),
    engineStartTimerInstance: async (input) => {
      if (!deps.client)
        throw new Error('the engine worker has no Temporal client, so it cannot start timer-started instances');
      return startTimerInstance({ sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue }, input);
    },
    engineTimerStartFinished: (input) => recordTimerStartFinished(deps.sequelize, input),
    engineCreateJob: (input) => createJob(deps.sequelize, input),
    engineCloseJob: (input) => closeJob(deps.sequelize, input),
    engineOpenSubscription: (input) => openSubscription(deps.sequelize, input),
    engineCloseSubscription: (input) => closeSubscription(deps.sequelize, input),
    engineRecordIncident: (input) => recordIncident(deps.sequelize, input),
    engineEvaluateDecision: (variables, job) => evaluateBusinessRule(deps.sequelize, variables, job),
    engineBroadcastSignal: async (input) => {
      if (!deps.client) throw new Error('the engine worker has no Temporal client, so it cannot broadcast signals');
      const info = Context.current().info;
      const plan = await planSignal(deps.sequelize, input.name);
      const out = await deliverSignal(
        { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
        { name: input.name, variables: input.variables },
        plan,
        `${info.workflowExecution?.workflowId ?? input.sourceInstanceId}/${info.activityId}`,
      );
      return { delivered: out.instanceIds.length, started: out.startedIds.length };
    },
    enginePublishMessage: async (input) => {
      if (!deps.client) throw new Error('the engine worker has no Temporal client, so it cannot publish messages');
      const info = Context.current().info;
      return publishMessage(
        { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
        input,
        `${info.workflowExecution?.workflowId ?? input.sourceInstanceId}/${info.activityId}`,
      );
    },
  };
}

export { bpmnError } from './bpmn-error';
export { publishMessage, type PublishDeps } from '../../engine-client/publish-message';
