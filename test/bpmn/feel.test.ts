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

test('legacy dialect (graphs compiled before semantics 2): ISO date strings are FEEL dates, results come back as JSON', () => {
  expect(evaluateFeel('dateOfBirth + duration("P56D")', { dateOfBirth: '2026-01-10' }, 'legacy')).toEqual({
    ok: true,
    value: '2026-03-07',
  });
  expect(evaluateFeel('at + duration("PT90M")', { at: '2026-01-10T09:00:00Z' }, 'legacy')).toEqual({
    ok: true,
    value: '2026-01-10T10:30:00.000Z',
  });
  expect(evaluateFeel('duration("P1D") + duration("PT12H")', {}, 'legacy')).toEqual({ ok: true, value: 'P1DT12H' });
  expect(
    evaluateFeel('{n: count(items), first: items[1].name}', { items: [{ name: 'MenB' }, { name: 'PCV' }] }, 'legacy'),
  ).toEqual({ ok: true, value: { n: 2, first: 'MenB' } });
  expect(evaluateFeel('status = "open"', { status: 'open' }, 'legacy')).toEqual({ ok: true, value: true });
  expect(evaluateFeel('missing', {}, 'legacy')).toEqual({ ok: true, value: null });
  const broken = evaluateFeel('a +', {}, 'legacy');
  expect(broken.ok).toBe(false);
  expect(!broken.ok && broken.error).toMatch(/FEEL "a \+" failed/);
});

test('conditions: true takes the flow, false/null do not, other values are errors', () => {
  expect(evaluateCondition('age < 5', { age: 3 }, 'legacy')).toEqual({ ok: true, value: true });
  expect(evaluateCondition('age < 5', { age: 7 }, 'legacy')).toEqual({ ok: true, value: false });
  expect(evaluateCondition('age < 5', {}, 'legacy')).toEqual({ ok: true, value: false });
  const notBoolean = evaluateCondition('age', { age: 7 }, 'legacy');
  expect(notBoolean.ok).toBe(false);
});

test('literal and list expressions', () => {
  expect(evaluateExpression({ type: 'literal', value: 'P14D' }, {}, 'legacy')).toEqual({ ok: true, value: 'P14D' });
  expect(evaluateList({ type: 'feel', expression: 'teams' }, { teams: ['a', 'b'] }, 'legacy')).toEqual({
    ok: true,
    value: ['a', 'b'],
  });
  expect(evaluateList({ type: 'feel', expression: '"a, b"' }, {}, 'legacy')).toEqual({ ok: true, value: ['a', 'b'] });
  expect(evaluateList({ type: 'feel', expression: '[1, 2]' }, {}, 'legacy').ok).toBe(false);
});

describe('Camunda dialect', () => {
  test('strings stay strings: an ISO date in a variable is text until date() reads it', () => {
    expect(evaluateFeel('dateOfBirth + duration("P56D")', { dateOfBirth: '2026-01-10' }, 'camunda')).toEqual({
      ok: true,
      value: null,
    });
    expect(evaluateFeel('date(dateOfBirth) + duration("P56D")', { dateOfBirth: '2026-01-10' }, 'camunda')).toEqual({
      ok: true,
      value: '2026-03-07',
    });
    expect(evaluateFeel('dateOfBirth', { dateOfBirth: '2026-01-10' }, 'camunda')).toEqual({
      ok: true,
      value: '2026-01-10',
    });
  });

  test('is defined, get or else and multi-line string literals', () => {
    expect(evaluateFeel('is defined(x)', {}, 'camunda')).toEqual({ ok: true, value: false });
    expect(evaluateFeel('is defined(x)', { x: 0 }, 'camunda')).toEqual({ ok: true, value: true });
    expect(evaluateFeel('if is defined(followUp) then followUp else input', { input: 'a' }, 'camunda')).toEqual({
      ok: true,
      value: 'a',
    });
    expect(evaluateFeel('get or else(missing, "default")', {}, 'camunda')).toEqual({ ok: true, value: 'default' });
    expect(evaluateFeel('"line one\nline two"', {}, 'camunda')).toEqual({ ok: true, value: 'line one\nline two' });
    expect(feelSyntaxError('"line one\nline two"')).toBeNull();
    expect(feelSyntaxError('get or else(a, b)')).toBeNull();
  });

  test('last day of month gives a date, also for a date-time (the documented examples have a misprint)', () => {
    expect(evaluateFeel('last day of month(date and time("2022-10-16T12:00:00"))', {}, 'camunda')).toEqual({
      ok: true,
      value: '2022-10-31',
    });
    expect(evaluateFeel('last day of month(date("2024-02-10"))', {}, 'camunda')).toEqual({
      ok: true,
      value: '2024-02-29',
    });
  });

  test('the legacy dialect keeps what running instances saw', () => {
    expect(evaluateFeel('is defined(x)', { x: 1 }, 'legacy')).toEqual({ ok: true, value: null });
  });
});
