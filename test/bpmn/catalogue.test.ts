import {
  ACTIVITY_CATALOGUE,
  ACTIVITY_TYPES,
  activityDefinition,
  isActivityType,
  LOCAL_ACTIVITY_TYPES,
  type ActivityDefinition,
} from '../../activities/catalogue';
import { LOCAL_RETRY_THRESHOLD_MS } from '../../workflows/job-activities';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const toMs = (text: string) => {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`not an ms-format duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2]];
};

test('declares the activities the child-health processes need, each under its domain', () => {
  // Domain helpers add types as their processes need them: the core set must stay, and every
  // type is named `<domain>.<action>` with a domain that has an implementation folder.
  expect([...ACTIVITY_TYPES]).toEqual(
    expect.arrayContaining([
      'child.createOrMatchRecord',
      'child.deriveLocality',
      'humanTask.escalate',
      'immunisation.checkGaps',
      'notify.emailGpPractice',
      'notify.remindFamily',
      'pds.lookupPatient',
      'safeguarding.raiseConcern',
      'screening.checkOutstanding',
      'transfer.changeResponsibleLocality',
    ]),
  );
  for (const type of ACTIVITY_TYPES)
    expect(type).toMatch(/^(child|pds|notify|transfer|immunisation|screening|safeguarding|humanTask)\.[a-z][A-Za-z]+$/);
  expect(isActivityType('pds.lookupPatient')).toBe(true);
  expect(isActivityType('toString')).toBe(false);
  expect(activityDefinition('nope')).toBeUndefined();
});

test('each entry has a usable retry policy and timeout', () => {
  for (const [name, def] of Object.entries(ACTIVITY_CATALOGUE)) {
    expect({ name, attempts: def.retry.maximumAttempts >= 1 }).toEqual({ name, attempts: true });
    expect(def.retry.initialInterval).toMatch(/^\d+(ms|s|m|h)$/);
    expect(def.startToCloseTimeout).toMatch(/^\d+(ms|s|m|h)$/);
  }
});

test('input schemas accept good input and name what is wrong with bad input', () => {
  const input = ACTIVITY_CATALOGUE['humanTask.escalate'].input;
  // A process's other variables are ignored; groups come as a list or as comma-separated text.
  expect(
    input.parse({
      elementId: 'Accept',
      toGroups: 'safeguarding-leads, coventry',
      reason: 'overdue',
      nhsNumber: '9434765919',
    }),
  ).toEqual({
    elementId: 'Accept',
    toGroups: ['safeguarding-leads', 'coventry'],
    reason: 'overdue',
  });
  expect(
    input.parse({ elementId: 'Accept', toGroups: ['safeguarding-leads'], reason: 'overdue', priority: 90 }).priority,
  ).toBe(90);
  const bad = input.safeParse({ elementId: '', toGroups: ' , ', priority: 101 });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
    'elementId',
    'priority',
    'reason',
    'toGroups',
  ]);
});

test('local types: short PostgreSQL work; network services, heartbeats and the server clock stay queued', () => {
  const local = [...LOCAL_ACTIVITY_TYPES].sort();
  expect(local).toEqual(
    expect.arrayContaining([
      'child.createOrMatchRecord',
      'child.getRecord',
      'humanTask.escalate',
      'immunisation.checkDose',
      'transfer.changeResponsibleLocality',
    ]),
  );
  for (const queued of [
    'pds.lookupPatient',
    'notify.emailGpPractice',
    'notify.remindFamily',
    'immunisation.sweepOverdue',
    'screening.checkOutstanding',
    'safeguarding.raiseConcern',
    'transfer.request',
    'transfer.recordInbound',
  ]) {
    expect(local).not.toContain(queued);
  }
  for (const name of local) {
    const def: ActivityDefinition = ACTIVITY_CATALOGUE[name as keyof typeof ACTIVITY_CATALOGUE];
    // Longer backoffs would wait on a server timer and retry under a new activity id (idempotency keys).
    expect({ name, backoffWithinThreshold: toMs(def.retry.maximumInterval) <= LOCAL_RETRY_THRESHOLD_MS }).toEqual({
      name,
      backoffWithinThreshold: true,
    });
    // A local activity holds its workflow task while it runs.
    expect({ name, short: toMs(def.startToCloseTimeout) <= 60_000 }).toEqual({ name, short: true });
  }
});
