/**
 * `immunisation.sweepOverdue`: records the follow-ups of doses that became overdue, then starts
 * their process instances. It evaluates, in batches, the children whose schedule answer can have
 * changed since they were last checked (records/immunisations/sweeps.ts), with the one evaluator
 * (schedule/evaluate.ts). Idempotent and resumable: the sweep row is keyed by the activity's
 * idempotency key, follow-ups are UNIQUE per child and dose, checks move on only after their
 * batch is written, and instances are started from the queue of rows not started yet, so a retry
 * (or the next day's sweep) finishes what a crashed attempt left.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import { addAge, addDays, evaluateSchedule, UK_ROUTINE } from '../../schedule';
import { DEFAULT_LOOKBACK_DAYS } from './lookback';
import {
  dueScheduleChecks,
  finishSweep,
  openSweep,
  recordSweepFound,
  writeSweepBatch,
  type SweepCheck,
  type SweepFollowUp,
} from '../../records/immunisations/sweeps';
import { loadScheduleFacts, type ChildScheduleFacts } from '../../records/immunisations/schedule-facts';
import { startPendingFollowUps } from './start-follow-ups';
import { parseInput } from '../support';
import { heartbeat, runningActivity, todayInEngland } from './support';

export interface SweepDeps {
  sequelize: Sequelize;
  client?: Client;
  taskQueue: string;
}

type SweepOutput = ActivityOutput<'immunisation.sweepOverdue'>;

/** Children evaluated per batch (one read of their facts, one write). */
const BATCH_SIZE = 2000;

interface BatchWrite {
  followUps: SweepFollowUp[];
  checks: SweepCheck[];
}

/** The follow-ups and next check of one child, from its facts (pure). */
export function sweepChild(
  f: ChildScheduleFacts,
  changes: string,
  o: { asOf: string; windowStart: string },
  out: BatchWrite,
): void {
  if (f.status !== 'active') {
    // Deceased or moved away: nothing to follow up; a change of status marks the child again.
    out.checks.push({ childId: f.childId, changes, nextCheckOn: 'infinity' });
    return;
  }
  const schedule = evaluateSchedule({ dateOfBirth: f.dateOfBirth, sex: f.sex }, f.immunisations, {
    asOf: o.asOf,
    graceDays: f.graceDays,
    ruleSet: UK_ROUTINE,
  });
  for (const d of schedule.doses) {
    if (!d.followUp || d.status !== 'overdue' || d.overdueOn <= o.windowStart || f.followedUp.has(d.code)) continue;
    out.followUps.push({
      childId: f.childId,
      code: d.code,
      vaccine: d.vaccine,
      dose: d.dose,
      dueOn: d.dueOn,
      overdueOn: d.overdueOn,
      // No upper age limit: offered to the end of the CHIS age range.
      offerUntil: d.offerUntil ?? addDays(addAge(f.dateOfBirth, { years: 20 }), -1),
      localityId: f.localityId,
    });
  }
  out.checks.push({ childId: f.childId, changes, nextCheckOn: schedule.nextReviewOn ?? 'infinity' });
}

/**
 * Records the overdue follow-ups of one sweep; returns the sweep id, how many follow-ups were
 * new and how many children were evaluated. A look-back longer than the daily one evaluates
 * every child (one checked before may hold doses overdue longer ago than its last look-back).
 */
export async function recordOverdueFollowUps(
  sequelize: Sequelize,
  s: {
    idempotencyKey: string;
    asOf: string;
    lookbackDays: number;
    batchSize?: number;
    onBatch?: (evaluated: number) => void;
  },
): Promise<{ sweepId: string; found: number; evaluated: number }> {
  const db = { sequelize };
  const sweep = await openSweep(db, s);
  const started = Date.now();
  const everyChild = s.lookbackDays > DEFAULT_LOOKBACK_DAYS;
  const windowStart = addDays(s.asOf, -s.lookbackDays);
  let after = '0';
  let found = 0;
  let evaluated = 0;
  for (;;) {
    const due = await dueScheduleChecks(db, { asOf: s.asOf, after, batchSize: s.batchSize ?? BATCH_SIZE, everyChild });
    if (due.length === 0) break;
    const facts = await loadScheduleFacts(
      db,
      due.map((d) => d.childId),
    );
    const out: BatchWrite = { followUps: [], checks: [] };
    for (const d of due) {
      const f = facts.get(d.childId);
      if (f) sweepChild(f, d.changes, { asOf: s.asOf, windowStart }, out);
    }
    found += await writeSweepBatch(db, { sweepId: sweep.id, scheduleVersion: UK_ROUTINE.version, ...out });
    evaluated += due.length;
    after = due[due.length - 1].childId;
    s.onBatch?.(evaluated);
  }
  await recordSweepFound(db, sweep.id, found, Date.now() - started);
  return { sweepId: sweep.id, found, evaluated };
}

export async function sweepOverdue(
  deps: SweepDeps,
  raw: ActivityInput<'immunisation.sweepOverdue'>,
): Promise<SweepOutput> {
  const input = parseInput(
    'immunisation.sweepOverdue',
    IMMUNISATION_ACTIVITIES['immunisation.sweepOverdue'].input,
    raw,
  );
  const asOf = input.asOf ?? todayInEngland();
  const who = runningActivity('immunisation-overdue-sweep', `direct-sweep-${randomUUID()}`);
  if (!deps.client) {
    throw ApplicationFailure.nonRetryable(
      'immunisation.sweepOverdue needs a Temporal client to start follow-up instances',
      'ConfigurationError',
    );
  }
  const { sweepId, found } = await recordOverdueFollowUps(deps.sequelize, {
    idempotencyKey: who.idempotencyKey,
    asOf,
    lookbackDays: input.lookbackDays ?? DEFAULT_LOOKBACK_DAYS,
    onBatch: (evaluated) => heartbeat({ evaluated }),
  });
  heartbeat({ sweepId, found, started: 0 });
  const started = await startPendingFollowUps(
    { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
    { batchSize: input.startBatchSize ?? 200, onBatch: (n) => heartbeat({ sweepId, found, started: n }) },
  );
  await finishSweep({ sequelize: deps.sequelize }, sweepId, started);
  return { sweepId, asOf, found, started };
}
