import {
  conditionSource,
  evaluateCondition,
  evaluateExpression,
  evaluateFeel,
  evaluateList,
  feelSyntaxError,
  toExpression,
  toListExpression,
} from '../../bpmn';

test('Camunda convention: = starts FEEL, anything else is a literal', () => {
  expect(toExpression('=a + 1')).toEqual({ type: 'feel', expression: 'a + 1' });
  expect(toExpression('  = a ')).toEqual({ type: 'feel', expression: 'a' });
  expect(toExpression('health-visitors')).toEqual({ type: 'literal', value: 'health-visitors' });
  expect(toListExpression('a, b ,,c')).toEqual({ type: 'literal', values: ['a', 'b', 'c'] });
  expect(toListExpression('=groups')).toEqual({ type: 'feel', expression: 'groups' });
  expect(conditionSource('=x > 1')).toBe('x > 1');
  expect(conditionSource('x > 1')).toBe('x > 1');
});

test('syntax check names the problem, and accepts valid FEEL', () => {
  expect(feelSyntaxError('dateOfBirth + duration("P56D")')).toBeNull();
  expect(feelSyntaxError('if a > 1 then "x" else "y"')).toBeNull();
  expect(feelSyntaxError('some r in results satisfies r = null')).toBeNull();
  expect(feelSyntaxError('a +')).toMatch(/ends too early/);
  expect(feelSyntaxError('a ) b')).toMatch(/syntax error at position \d+/);
  expect(feelSyntaxError('   ')).toMatch(/empty/);
});

test('evaluation on JSON variables: ISO date strings are FEEL dates, results come back as JSON', () => {
  expect(evaluateFeel('dateOfBirth + duration("P56D")', { dateOfBirth: '2026-01-10' })).toEqual({
    ok: true,
    value: '2026-03-07',
  });
  expect(evaluateFeel('at + duration("PT90M")', { at: '2026-01-10T09:00:00Z' })).toEqual({
    ok: true,
    value: '2026-01-10T10:30:00.000Z',
  });
  expect(evaluateFeel('duration("P1D") + duration("PT12H")', {})).toEqual({ ok: true, value: 'P1DT12H' });
  expect(
    evaluateFeel('{n: count(items), first: items[1].name}', { items: [{ name: 'MenB' }, { name: 'PCV' }] }),
  ).toEqual({ ok: true, value: { n: 2, first: 'MenB' } });
  expect(evaluateFeel('status = "open"', { status: 'open' })).toEqual({ ok: true, value: true });
  expect(evaluateFeel('missing', {})).toEqual({ ok: true, value: null });
  const broken = evaluateFeel('a +', {});
  expect(broken.ok).toBe(false);
  expect(!broken.ok && broken.error).toMatch(/FEEL "a \+" failed/);
});

test('conditions: true takes the flow, false/null do not, other values are errors', () => {
  expect(evaluateCondition('age < 5', { age: 3 })).toEqual({ ok: true, value: true });
  expect(evaluateCondition('age < 5', { age: 7 })).toEqual({ ok: true, value: false });
  expect(evaluateCondition('age < 5', {})).toEqual({ ok: true, value: false });
  const notBoolean = evaluateCondition('age', { age: 7 });
  expect(notBoolean.ok).toBe(false);
});

test('literal and list expressions', () => {
  expect(evaluateExpression({ type: 'literal', value: 'P14D' }, {})).toEqual({ ok: true, value: 'P14D' });
  expect(evaluateList({ type: 'feel', expression: 'teams' }, { teams: ['a', 'b'] })).toEqual({
    ok: true,
    value: ['a', 'b'],
  });
  expect(evaluateList({ type: 'feel', expression: '"a, b"' }, {})).toEqual({ ok: true, value: ['a', 'b'] });
  expect(evaluateList({ type: 'feel', expression: '[1, 2]' }, {}).ok).toBe(false);
});
