import { QueryNotRegisteredError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { rejectionOf, unique } from './support/env';
import { eventsOfType, eventTypes, waitForEvent } from './support/history';
import { ConformanceFile } from './support/suite';
import {
  addItemUpdate,
  addSignal,
  burstSignal,
  busyCollector,
  cancelTimer,
  collectSignals,
  completeWhileSignalled,
  countTimesQuery,
  finishSignal,
  itemsQuery,
  receivedQuery,
  shoppingList,
  signalsDuringLocalActivity,
  sleepAndReport,
  sleepInScopeWithTimeout,
  slowAddUpdate,
  waitForWake,
  wakeSignal,
} from './workflows';

const file = new ConformanceFile('messages');
const { probe, log, onQueue } = file;

describe('timers', () => {
  test('a one-second timer fires after one second of workflow time', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(sleepAndReport, {
        taskQueue,
        workflowId: unique('timer'),
        args: [1000],
      });
      log.track(handle.workflowId);
      const elapsed = await handle.result();
      expect(elapsed).toBeGreaterThanOrEqual(1000);
      expect(elapsed).toBeLessThan(10_000);
      const types = await eventTypes(handle);
      expect(types).toContain('TIMER_STARTED');
      expect(types).toContain('TIMER_FIRED');
    });
  });

  test('a cancelled timer never fires and is recorded as cancelled', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(cancelTimer, {
        taskQueue,
        workflowId: unique('cancel-timer'),
      });
      log.track(handle.workflowId);
      expect(await handle.result()).toBe('long timer cancelled');
      const types = await eventTypes(handle);
      expect(types).toContain('TIMER_CANCELED');
      expect(types.filter((t) => t === 'TIMER_FIRED')).toHaveLength(1); // only the short one
    });
  });

  test('condition() with a timeout gives up when nothing arrives', async () => {
    await onQueue(async (taskQueue) => {
      const result = await file.env.client.workflow.execute(waitForWake, {
        taskQueue,
        workflowId: unique('no-wake'),
        args: [300],
      });
      expect(result.woken).toBe(false);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(300);
    });
  });

  test('a signal ends a condition() wait before its timeout', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(waitForWake, {
        taskQueue,
        workflowId: unique('wake'),
        args: [60_000],
      });
      log.track(handle.workflowId);
      await handle.signal(wakeSignal);
      const result = await handle.result();
      expect(result.woken).toBe(true);
      expect(result.elapsedMs).toBeLessThan(60_000);
    });
  });

  test('a cancellation scope with a deadline cancels the sleep inside it', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(sleepInScopeWithTimeout, {
        taskQueue,
        workflowId: unique('scope-deadline'),
      });
      log.track(handle.workflowId);
      expect(await handle.result()).toBe('scope timed out');
    });
  });
});

describe('signals', () => {
  test('fifty signals sent at once are all received, each recorded in history', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(collectSignals, {
        taskQueue,
        workflowId: unique('burst'),
        args: [50],
      });
      log.track(handle.workflowId);
      const sent = Array.from({ length: 50 }, (_, i) => `item-${i}`);
      await Promise.all(sent.map((item) => handle.signal(addSignal, item)));
      const received = await handle.result();
      expect([...received].sort()).toEqual([...sent].sort());
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(50);
    });
  });

  test('signals (and a query) that arrive while a workflow task is in flight are not lost', async () => {
    const key = unique('busy-task');
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(signalsDuringLocalActivity, {
        taskQueue,
        workflowId: unique('in-flight'),
        args: [key, 20],
      });
      log.track(handle.workflowId);
      await probe.waitFor(`${key}:started`); // the first workflow task is now running a local activity
      const sent = Array.from({ length: 20 }, (_, i) => `during-${i}`);
      await Promise.all(sent.map((item) => handle.signal(burstSignal, item)));
      // A query while the task is still in flight waits for it instead of failing.
      expect(await handle.query(receivedQuery)).toBeGreaterThanOrEqual(0);
      const received = await handle.result();
      expect([...received].sort()).toEqual([...sent].sort());
    });
  });

  test('a signal sent while the task that completes the workflow is in flight is seen, 50 times at varied delays', async () => {
    const UNHANDLED_COMMAND =
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;
    await onQueue(async (taskQueue) => {
      const runOnce = async (i: number) => {
        const key = unique(`completing-${i}`);
        const handle = await file.env.client.workflow.start(completeWhileSignalled, {
          taskQueue,
          workflowId: unique('complete-while-signalled'),
          args: [key, 1000],
        });
        log.track(handle.workflowId);
        await probe.waitFor(`${key}:started`); // the task that returns is in flight (its local activity runs 1 s)
        await new Promise((resolve) => setTimeout(resolve, i * 10)); // 0 to 490 ms into it
        await handle.signal(burstSignal, `signal-${i}`);
        const seen = await handle.result();
        const failed = await eventsOfType(handle, 'WORKFLOW_TASK_FAILED');
        return { seen, causes: failed.map((e) => e.workflowTaskFailedEventAttributes?.cause) };
      };
      const outcomes: Awaited<ReturnType<typeof runOnce>>[] = [];
      for (let batch = 0; batch < 5; batch++)
        outcomes.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => runOnce(batch * 10 + j)))));
      expect(outcomes.map((o) => o.seen)).toEqual(outcomes.map((_, i) => [`signal-${i}`]));
      // The completing task was refused as a real server refuses it, once per run.
      expect(outcomes.map((o) => o.causes)).toEqual(outcomes.map(() => [UNHANDLED_COMMAND]));
    });
  }, 180_000); // 50 runs of two 1 s local activities, ten at a time

  test('signalling an unknown or closed workflow fails with WorkflowNotFoundError', async () => {
    await onQueue(async (taskQueue) => {
      const unknown = file.env.client.workflow.getHandle(unique('no-such-workflow'));
      expect(await rejectionOf(unknown.signal(addSignal, 'x'))).toBeInstanceOf(WorkflowNotFoundError);
      const handle = await file.env.client.workflow.start(collectSignals, {
        taskQueue,
        workflowId: unique('closed'),
        args: [1],
      });
      log.track(handle.workflowId);
      await handle.signal(addSignal, 'only');
      expect(await handle.result()).toEqual(['only']);
      expect(await rejectionOf(handle.signal(addSignal, 'late'))).toBeInstanceOf(WorkflowNotFoundError);
    });
  });
});

describe('queries', () => {
  test('a query sees the state after earlier signals, takes arguments, and works after close', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, { taskQueue, workflowId: unique('query') });
      log.track(handle.workflowId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED'); // queries need a first completed task
      expect(await handle.query(itemsQuery)).toEqual([]);
      await handle.signal(addSignal, 'milk');
      await handle.signal(addSignal, 'eggs');
      expect(await handle.query(itemsQuery)).toEqual(['milk', 'eggs']);
      expect(await handle.query(countTimesQuery, 10)).toBe(20);
      const historyLength = (await handle.describe()).historyLength;
      await handle.query(itemsQuery);
      expect((await handle.describe()).historyLength).toBe(historyLength); // queries write nothing
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['milk', 'eggs']);
      expect(await handle.query(itemsQuery)).toEqual(['milk', 'eggs']);
    });
  });

  test('a workflow receiving a signal every 20 ms still answers queries: each by the next workflow task', async () => {
    await onQueue(async (taskQueue) => {
      // Each batch of signals costs the workflow 30 ms of work: a workflow task is pending nearly all the time.
      const handle = await file.env.client.workflow.start(busyCollector, {
        taskQueue,
        workflowId: unique('busy-query'),
        args: [unique('busy-work'), 150, 30],
      });
      log.track(handle.workflowId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
      let sent = 0;
      const signalling = (async () => {
        const pending: Promise<void>[] = [];
        for (; sent < 150; sent++) {
          pending.push(handle.signal(addSignal, `item-${sent}`));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await Promise.all(pending);
      })();
      const answers: { sentAt: number; answeredAt: number; items: number }[] = [];
      while (sent < 120) {
        const sentAt = Date.now();
        const items = await handle.query(itemsQuery);
        answers.push({ sentAt, answeredAt: Date.now(), items: items.length });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await signalling;
      expect((await handle.result()).length).toBe(150);
      // A query goes with the next workflow task (as a real server attaches it), so it waits for at
      // most the task in flight and the one carrying it; one more allows for a legacy query task
      // overtaken by a new task. A server that waits for an idle workflow lets dozens complete first.
      // Counted from the history rather than timed, so a loaded machine cannot fail it: on a quiet one
      // each answer takes ~50 ms (under four CPU-bound processes ~150-200 ms).
      const completions = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED')).map(
        (e) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6),
      );
      const tasksWaited = answers.map((a) => completions.filter((t) => t >= a.sentAt && t <= a.answeredAt).length);
      expect(answers.length).toBeGreaterThanOrEqual(1);
      expect(tasksWaited.filter((n) => n > 3)).toEqual([]);
      // Each answer reflects the signals applied so far: never fewer than an earlier answer saw.
      expect(answers.map((a) => a.items)).toEqual([...answers.map((a) => a.items)].sort((x, y) => x - y));
    });
  });

  test('a query sent with the signal that wakes an idle workflow is answered by the next workflow tasks, 40 times', async () => {
    await onQueue(async (taskQueue) => {
      // The query finds no workflow task and goes out as a query task; the signal's task can reach the
      // worker first, which then holds the query until the run has no task. A server that hands each
      // next task back in the completion (return_new_workflow_task) keeps the run busy for as long as
      // signals come: such a query waited for the whole burst (4-15 tasks). The previous server failed
      // 4 of 5 runs of this test (load ~15), the rest of the suite only once in many CI runs.
      const cycles = 40;
      const burst = 8;
      const handle = await file.env.client.workflow.start(busyCollector, {
        taskQueue,
        workflowId: unique('wake-query'),
        args: [unique('wake-work'), cycles * (burst + 1), 30],
      });
      log.track(handle.workflowId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
      let sent = 0;
      const answers: { sentAt: number; answeredAt: number }[] = [];
      const queries: Promise<void>[] = [];
      for (let cycle = 0; cycle < cycles; cycle++) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // idle: the last batch's work is done
        const sentAt = Date.now();
        queries.push(handle.query(itemsQuery).then(() => void answers.push({ sentAt, answeredAt: Date.now() })));
        const signals = [handle.signal(addSignal, `item-${sent++}`)];
        // This process is the worker's too: held busy for a moment, as a loaded worker host is, it
        // takes up the query task and the signal's workflow task together.
        await new Promise((resolve) => setTimeout(resolve, 3));
        const busyUntil = Date.now() + 100;
        while (Date.now() < busyUntil);
        for (let i = 0; i < burst; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          signals.push(handle.signal(addSignal, `item-${sent++}`));
        }
        await Promise.all(signals);
      }
      await Promise.all(queries);
      expect((await handle.result()).length).toBe(cycles * (burst + 1));
      const completions = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED')).map(
        (e) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6),
      );
      const tasksWaited = answers.map((a) => completions.filter((t) => t >= a.sentAt && t <= a.answeredAt).length);
      expect(tasksWaited).toHaveLength(cycles);
      expect(tasksWaited.filter((n) => n > 3)).toEqual([]);
    });
  }, 180_000);

  test('an unknown query type is refused with QueryNotRegisteredError', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, { taskQueue, workflowId: unique('bad-query') });
      log.track(handle.workflowId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
      expect(await rejectionOf(handle.query('noSuchQuery'))).toBeInstanceOf(QueryNotRegisteredError);
      await handle.signal(finishSignal);
      await handle.result();
    });
  });
});

describe('updates', () => {
  test('an accepted update returns its result and is recorded as accepted and completed', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, { taskQueue, workflowId: unique('update') });
      log.track(handle.workflowId);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['bread'] })).toBe(1);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['jam'] })).toBe(2);
      expect(await handle.query(itemsQuery)).toEqual(['bread', 'jam']);
      const accepted = await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
      expect(accepted).toHaveLength(2);
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(2);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['bread', 'jam']);
    });
  });

  test('an update refused by its validator fails for the caller and leaves no trace in history', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, {
        taskQueue,
        workflowId: unique('rejected-update'),
      });
      log.track(handle.workflowId);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['tea'] })).toBe(1);
      const before = await eventTypes(handle);
      const err = await rejectionOf(handle.executeUpdate(addItemUpdate, { args: [''] }));
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause?.message).toContain('item must not be empty');
      expect(await eventTypes(handle)).toEqual(before);
      expect(await handle.query(itemsQuery)).toEqual(['tea']);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['tea']);
      expect((await eventTypes(handle)).filter((t) => t.startsWith('WORKFLOW_EXECUTION_UPDATE'))).toEqual([
        'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
        'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      ]);
    });
  });

  test('an update whose handler fails returns the failure; the workflow carries on', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, {
        taskQueue,
        workflowId: unique('failing-update'),
      });
      log.track(handle.workflowId);
      const err = await rejectionOf(handle.executeUpdate(addItemUpdate, { args: ['boom'] }));
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe('UpdateBoom');
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(1);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual([]);
    });
  });

  test('startUpdate returns once accepted; the result arrives later through any handle', async () => {
    const gate = unique('update-gate');
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, {
        taskQueue,
        workflowId: unique('async-update'),
      });
      log.track(handle.workflowId);
      const update = await handle.startUpdate(slowAddUpdate, {
        args: ['cheese', gate],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
        updateId: 'slow-add-1',
      });
      expect(update.updateId).toBe('slow-add-1');
      await probe.waitFor(`${gate}:started`);
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(1);
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(0);
      probe.release(gate);
      expect(await update.result()).toBe(`released ${gate} on attempt 1`);
      expect(await handle.getUpdateHandle<string>('slow-add-1').result()).toBe(`released ${gate} on attempt 1`);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['cheese']);
    });
  });

  test('an update sent twice with the same update id runs once; a closed workflow takes no updates', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(shoppingList, {
        taskQueue,
        workflowId: unique('dedup-update'),
      });
      log.track(handle.workflowId);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['apple'], updateId: 'same-id' })).toBe(1);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['apple'], updateId: 'same-id' })).toBe(1);
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(1);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['apple']);
      expect(await rejectionOf(handle.executeUpdate(addItemUpdate, { args: ['too late'] }))).toBeInstanceOf(
        WorkflowNotFoundError,
      );
    });
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(64);
}, 180_000); // the busy-workflow histories run to thousands of events: over a minute to replay on a loaded machine
