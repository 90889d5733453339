import { ACTIVITY_CATALOGUE, ACTIVITY_TYPES, activityDefinition, isActivityType } from '../../activities/catalogue';

test('declares the activities the child-health processes need', () => {
  expect([...ACTIVITY_TYPES].sort()).toEqual([
    'child.createOrMatchRecord', 'child.deriveLocality', 'immunisation.checkGaps', 'notify.emailGpPractice', 'notify.remindFamily',
    'pds.lookupPatient', 'safeguarding.raiseConcern', 'screening.checkOutstanding', 'transfer.changeResponsibleLocality',
  ]);
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
  const input = ACTIVITY_CATALOGUE['child.createOrMatchRecord'].input;
  expect(input.safeParse({ nhsNumber: '9434765919', dateOfBirth: '2026-01-10', address: { lines: ['1 High St'], postcode: 'B1 1AA' } }).success).toBe(true);
  const bad = input.safeParse({ nhsNumber: '123', dateOfBirth: '10/01/2026', address: { lines: [], postcode: 'B1 1AA' } });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['address.lines', 'dateOfBirth', 'nhsNumber']);
});
