import { dueState, formatAge, formatDate, formatDateTime, formatSpan } from '../../ui/src/format/dates';
import { formatNhsNumber, groupAsTyped, nhsNumberProblem } from '../../ui/src/format/nhs-number';

describe('how the UI writes NHS numbers, dates and ages', () => {
  test('NHS numbers in 3-3-4 groups, also while typing; the check digit is checked', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber('943 476 5919')).toBe('943 476 5919');
    expect(groupAsTyped('94347')).toBe('943 47');
    expect(groupAsTyped('943-476-59199999')).toBe('943 476 5919');
    expect(nhsNumberProblem('943 476 5919')).toBeNull();
    expect(nhsNumberProblem('943 476 5918')).toMatch(/check digit/);
    expect(nhsNumberProblem('94347659')).toBe('Enter a 10-digit NHS number');
  });

  test('dates as "2 Apr 2026", instants in UK time', () => {
    expect(formatDate('2026-04-02')).toBe('2 Apr 2026');
    expect(formatDate('2026-12-31T23:30:00Z')).toBe('31 Dec 2026');
    expect(formatDate('2026-06-30T23:30:00Z')).toBe('1 Jul 2026'); // BST: already the next day in London
    expect(formatDateTime('2026-06-30T23:30:00Z')).toBe('1 Jul 2026 at 00:30');
    expect(formatDate(null)).toBe('Not known');
  });

  test('ages: days under 4 weeks, weeks under 3 months, months under 2 years, then years', () => {
    expect(formatAge('2026-04-01', '2026-04-02')).toBe('1 day');
    expect(formatAge('2026-04-01', '2026-04-13')).toBe('12 days');
    expect(formatAge('2026-04-01', '2026-05-13')).toBe('6 weeks');
    expect(formatAge('2025-08-02', '2026-04-02')).toBe('8 months');
    expect(formatAge('2024-04-03', '2026-04-02')).toBe('23 months');
    expect(formatAge('2023-01-15', '2026-04-02')).toBe('3 years');
    expect(formatAge('2026-05-01', '2026-04-02')).toBe('Not born yet');
  });

  test('due dates read as overdue, due today or due in a span', () => {
    const now = new Date('2026-04-02T10:00:00Z');
    expect(dueState('2026-03-30T10:00:00Z', now)).toEqual({ overdue: true, text: 'Overdue by 3 days' });
    expect(dueState('2026-04-02T16:00:00Z', now)).toEqual({ overdue: false, text: 'Due today' });
    expect(dueState('2026-04-09T10:00:00Z', now)).toEqual({ overdue: false, text: 'Due in 7 days' });
    expect(dueState(null, now).text).toBe('No due date');
    expect(formatSpan(90 * 60_000)).toBe('1 hour');
  });
});
