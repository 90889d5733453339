import { ACTIVITY_CATALOGUE, ACTIVITY_TYPES, activityDefinition, isActivityType } from '../../activities/catalogue';

test('declares the activities the child-health processes need, each under its domain', () => {
  // Domain helpers add types as their processes need them: the core set must stay, and every
  // type is named `<domain>.<action>` with a domain that has an implementation folder.
  expect([...ACTIVITY_TYPES]).toEqual(expect.arrayContaining([
    'child.createOrMatchRecord', 'child.deriveLocality', 'humanTask.escalate', 'immunisation.checkGaps', 'notify.emailGpPractice', 'notify.remindFamily',
    'pds.lookupPatient', 'safeguarding.raiseConcern', 'screening.checkOutstanding', 'transfer.changeResponsibleLocality',
  ]));
  for (const type of ACTIVITY_TYPES) expect(type).toMatch(/^(child|pds|notify|transfer|immunisation|screening|safeguarding|humanTask)\.[a-z][A-Za-z]+$/);
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
  expect(input.parse({ elementId: 'Accept', toGroups: 'safeguarding-leads, coventry', reason: 'overdue', nhsNumber: '9434765919' })).toEqual({
    elementId: 'Accept', toGroups: ['safeguarding-leads', 'coventry'], reason: 'overdue',
  });
  expect(input.parse({ elementId: 'Accept', toGroups: ['safeguarding-leads'], reason: 'overdue', priority: 90 }).priority).toBe(90);
  const bad = input.safeParse({ elementId: '', toGroups: ' , ', priority: 101 });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['elementId', 'priority', 'reason', 'toGroups']);
});
