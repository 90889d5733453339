import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { ConformanceActivities } from '../activities';

export async function succeed(value: string): Promise<string> {
  return value;
}

export async function failWith(message: string): Promise<never> {
  throw ApplicationFailure.create({ message, type: 'Deliberate', nonRetryable: true });
}

/** Blocks forever; ended by cancellation, termination or a timeout. */
export async function blockForever(): Promise<void> {
  await condition(() => false);
}

/** On cancellation runs a cleanup activity in a non-cancellable scope, then stays cancelled. */
export async function cleanupOnCancel(key: string): Promise<never> {
  const { cleanup } = proxyActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  try {
    await condition(() => false);
    throw new Error('unreachable');
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => cleanup(key));
    throw err;
  }
}

/** Continues as new `remaining` times; the final run reports how many runs there were. */
export async function countdown(remaining: number, run = 1): Promise<string> {
  if (remaining > 0) {
    await sleep(10);
    return await continueAsNew<typeof countdown>(remaining - 1, run + 1);
  }
  const { continuedFromExecutionRunId } = workflowInfo();
  return `finished after ${run} runs (previous run ${continuedFromExecutionRunId ? 'known' : 'missing'})`;
}

/** Continues as new forever, sleeping `ms` per run; only an execution timeout ends it. */
export async function continueForever(ms: number): Promise<never> {
  await sleep(ms);
  return await continueAsNew<typeof continueForever>(ms);
}

export const customerTierKey = defineSearchAttributeKey('CustomerTier', SearchAttributeType.KEYWORD);

/** Sets CustomerTier from inside the workflow, then waits for cancellation or completes after `ms`. */
export async function upsertTier(tier: string, ms: number): Promise<string> {
  upsertSearchAttributes([{ key: customerTierKey, value: tier }]);
  await sleep(ms);
  return tier;
}

/** Upserts a search attribute the namespace does not have (the server refuses the workflow task), then waits. */
export async function upsertUndefinedAttribute(): Promise<void> {
  upsertSearchAttributes({ NoSuchAttribute: ['x'] });
  await sleep('1 day');
}

/** A bug in workflow code (a plain Error) fails the workflow task, not the workflow. */
export async function buggyWorkflow(): Promise<never> {
  throw new Error('bug in workflow code');
}

/** Completes its first workflow task, then fails every later one (a bug on a path reached after a timer). */
export async function buggyAfterTimer(): Promise<never> {
  await sleep(10);
  throw new Error('bug after the timer');
}

/** What workflowInfo() says about history size at the start and after `timers` timers (2 events each). */
export async function historyInfo(timers: number): Promise<{
  sizeAtStart: number;
  suggestedAtStart: boolean;
  sizeAfter: number;
  suggestedAfter: boolean;
  lengthAfter: number;
}> {
  const start = workflowInfo();
  const { historySize: sizeAtStart, continueAsNewSuggested: suggestedAtStart } = start;
  await Promise.all(Array.from({ length: timers }, () => sleep(1)));
  await sleep(1);
  const after = workflowInfo();
  return {
    sizeAtStart,
    suggestedAtStart,
    sizeAfter: after.historySize,
    suggestedAfter: after.continueAsNewSuggested,
    lengthAfter: after.historyLength,
  };
}
