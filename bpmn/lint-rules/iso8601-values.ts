/**
 * Timers need exactly one of duration/date/cycle, and literal values must be valid ISO 8601;
 * literal due and follow-up dates too. (FEEL values are checked by feel-syntax and at run time.)
 */
import { body, child, extension, is, str } from '../moddle';
import { reportTarget } from '../element-expressions';
import type { LocalRule } from '../lint-types';
import { instantOrDurationLiteralError, timerLiteralError } from '../timer';

const KINDS = [
  ['timeDuration', 'duration'],
  ['timeDate', 'date'],
  ['timeCycle', 'cycle'],
] as const;

export const iso8601Values: LocalRule = {
  name: 'iso8601-values',
  severity: 'error',
  description: 'timer values, due dates and follow-up dates must be valid ISO 8601',
  create: () => ({
    check(node, reporter) {
      if (is(node, 'bpmn:TimerEventDefinition')) {
        const set = KINDS.map(([prop, kind]) => ({ kind, text: body(child(node, prop))?.trim() })).filter(
          (k) => k.text,
        );
        if (set.length !== 1) {
          reporter.report(
            reportTarget(node),
            `The timer must have exactly one of a duration, a date or a cycle (it has ${set.length}).`,
          );
          return;
        }
        const { kind, text } = set[0];
        if (text!.startsWith('=')) return;
        const error = timerLiteralError(kind, text!);
        if (error) reporter.report(reportTarget(node), `The timer ${kind} ${error}.`);
        return;
      }
      const schedule = extension(node, 'zeebe:TaskSchedule');
      for (const [prop, label] of [
        ['dueDate', 'due date'],
        ['followUpDate', 'follow-up date'],
      ] as const) {
        const text = str(schedule, prop)?.trim();
        if (!text || text.startsWith('=')) continue;
        const error = instantOrDurationLiteralError(text);
        if (error) reporter.report(node.id, `The ${label} ${error}.`);
      }
    },
  }),
};
