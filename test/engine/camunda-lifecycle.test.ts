/**
 * Camunda 8 behaviour finished in issue 16's last part, compiled from BPMN as a deployment
 * compiles it and driven through the pure engine:
 * - user task due and follow-up dates written with a zone id deploy (and run, see
 *   cron-and-zone-timers.test.ts);
 */
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn/compile';
import type { CompiledGraph } from '../../bpmn/runtime';
import { Driver } from './driver';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';

async function compile(body: string, roots = ''): Promise<CompiledGraph> {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="P" isExecutable="true">${body}</bpmn:process>${roots}</bpmn:definitions>`;
  const out = await compileDefinition(xml, { activityTypes: ACTIVITY_TYPES, candidateGroups: new Set() });
  if (!out.ok) throw new Error(out.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  return out.graph;
}

const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

describe('user task dates with a zone id', () => {
  const withSchedule = (dueDate: string) =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
      <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
        <zeebe:taskSchedule dueDate="${dueDate}" followUpDate="2026-07-01T09:00:00[Europe/London]" /></bpmn:extensionElements></bpmn:userTask>
      ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />`);

  it('deploy as written in zeebe:taskSchedule and open the task at that local time', async () => {
    const d = new Driver(await withSchedule('2026-07-01T17:00:00[Europe/London]'), {}, { zonedTaskDates: true });
    const [task] = d.commandsOf('openUserTask');
    expect(new Date(task.dueAt!).toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(new Date(task.followUpAt!).toISOString()).toBe('2026-07-01T08:00:00.000Z');
  });

  it('an unknown zone id is refused at deploy, naming it', async () => {
    await expect(withSchedule('2026-07-01T17:00:00[Mars/Olympus]')).rejects.toThrow(
      /Review: .*"Mars\/Olympus" is not a known zone id/,
    );
  });
});
