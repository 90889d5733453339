/** The label of a task queue on /metrics: a candidate group computed from data never shows an NHS number. */
import { queueLabel } from '../../system/metrics';

describe('queue labels', () => {
  test('a valid NHS number in a candidate group is masked; team codes stay as they are', () => {
    expect(queueLabel('birmingham-health-visiting')).toBe('birmingham-health-visiting');
    expect(queueLabel('child-9434765919')).toBe('child-[NHS number]');
    expect(queueLabel('child-943 476 5919-team')).toBe('child-[NHS number]-team');
    expect(queueLabel('x'.repeat(300))).toHaveLength(100);
  });
});
