/**
 * The service manager's day with a process, in Chromium on the real stack: open
 * new-birth-registration in the editor, change the new birth visit's due date in the
 * properties panel, see a problem marked when a required setting is removed, fix it, deploy
 * version N+1 (the confirmation says what stays on N); the diff shows the changed due date; a
 * birth notified afterwards runs on N+1 while the one before stays on N; the instance page marks
 * the active user task; an administrator retries an incident from the instance page and the
 * instance moves on. axe checks every screen.
 */
import type { Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import type { ChisStack } from '../support/chis-stack';
import {
  checkScreen,
  describeInBrowser,
  isDiagramCode,
  recordScripts,
  signIn,
  uiStackPerFile,
  type UiStack,
} from './support/browser';

const KEY = 'new-birth-registration';
const DAY = 86_400_000;

async function notifyBirth(stack: ChisStack, nhsNumber: string, dateOfBirth: string): Promise<string> {
  const practice = await stack.practiceOf('coventry');
  const res = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber,
    givenName: 'Ada',
    familyName: 'Editor-Test',
    dateOfBirth,
    timeOfBirth: '09:15',
    sex: 'female',
    mother: { name: 'Annabella Editor-Test' },
    address: { lines: ['1 Test Street'], postcode: 'CV1 1AA' },
    gpPracticeCode: practice.odsCode,
    maternityUnit: 'University Hospital Coventry',
  });
  if (res.status !== 202) throw new Error(`birth notification: ${res.status} ${JSON.stringify(res.body)}`);
  const visit = await stack.waitFor(
    async () => (await stack.tasksFor(nhsNumber)).find((t) => t.elementId === 'Task_NewBirthVisit'),
    `the new birth visit task of ${nhsNumber}`,
    60_000,
  );
  return visit.processInstanceId;
}

/** Replaces the text of a FEEL (CodeMirror) entry of the properties panel. */
async function setFeel(page: Page, entryId: string, text: string): Promise<void> {
  const editor = page.locator(`[data-entry-id="${entryId}"] .cm-content`);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

async function openGroup(page: Page, groupId: string): Promise<void> {
  const header = page.locator(`[data-group-id="group-${groupId}"] .bio-properties-panel-group-header`);
  if (!(await header.getAttribute('class'))?.includes('open')) await header.click();
}

/** Waits until the server has checked the diagram as it is now. */
async function checked(page: Page, text: RegExp): Promise<void> {
  await page.getByTestId('check-status').getByText(text).waitFor({ timeout: 20_000 });
}

const shape = (page: Page, container: string, id: string) =>
  page.getByTestId(container).locator(`g.djs-element[data-element-id="${id}"]`);

describeInBrowser('a service manager edits, deploys and compares a process; instances on the diagram', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 20, definitions: [`${KEY}.bpmn`] }, (started) => (ui = started));

  test('change the visit due date, fix a removed setting, deploy N+1; the diff; new births run on N+1', async () => {
    const stack = ui.stack;
    const [{ n }] = await stack.database.sequelize.query<{ n: number }>(
      'SELECT max(version) AS n FROM process_definitions WHERE key = $1',
      { bind: [KEY], type: QueryTypes.SELECT },
    );
    const dateOfBirth = new Date(stack.now().getTime() - 2 * DAY).toISOString().slice(0, 10);
    const earlier = stack.newNhsNumber();
    const earlierInstance = await notifyBirth(stack, earlier, dateOfBirth);

    const { page, problems } = await ui.newPage();
    const scripts = recordScripts(page);
    await signIn(page, 'manager', '/processes');
    await page.getByRole('heading', { name: 'Processes', level: 1 }).waitFor();
    await checkScreen(page, 'processes');
    // The diagram code (bpmn-js, its panel) comes with the first diagram, not with the list.
    expect([...scripts.values()].some(isDiagramCode)).toBe(false);
    await page.getByRole('link', { name: 'New birth registration' }).click();
    await page.getByRole('heading', { name: 'New birth registration', level: 1 }).waitFor();
    await checkScreen(page, 'process');
    await page.getByRole('link', { name: `Open version ${n} in the editor` }).click();
    await checked(page, /Checked: No problems\./);
    await checkScreen(page, 'editor');
    expect([...scripts.values()].some(isDiagramCode)).toBe(true);

    // The new birth visit: due date P14D → P12D in the properties panel's Assignment group.
    await page.getByRole('button', { name: 'New birth visit (select on the diagram)', exact: true }).click();
    await page.getByTestId('properties-panel').getByText('New birth visit', { exact: true }).first().waitFor();
    await openGroup(page, 'assignmentDefinition');
    await setFeel(page, 'taskScheduleDueDate', 'date(dateOfBirth) + duration("P12D")');
    await page.getByText('Changes not deployed yet').waitFor();

    // A required setting removed: the script task's result variable. The problem is marked on the element.
    await page
      .getByRole('button', { name: 'Work out screening deadlines (select on the diagram)', exact: true })
      .click();
    await openGroup(page, 'script');
    const resultVariable = page.locator('[data-entry-id="resultVariable"] input');
    await resultVariable.fill('');
    await checked(page, /Checked: 1 error\./);
    await shape(page, 'canvas', 'Task_ScreeningDeadlines').and(page.locator('.chis-problem-error')).waitFor();
    const problem = page
      .getByTestId('problems')
      .getByRole('button', { name: /Work out screening deadlines:.*result variable/ });
    await problem.waitFor();
    await checkScreen(page, 'editor-with-problem');
    // The problems list selects the element (its properties open in the panel).
    await page.getByRole('button', { name: 'New birth visit (select on the diagram)', exact: true }).click();
    await problem.click();
    await page.locator('[data-entry-id="resultVariable"] input').waitFor();
    await resultVariable.fill('deadlines');
    await checked(page, /Checked: No problems\./);
    expect(await page.locator('.chis-problem-error').count()).toBe(0);

    // Deploy: the confirmation says how many instances stay on version N.
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Deploy New birth registration as version ${n + 1}?` });
    await dialog.waitFor();
    expect(await dialog.getByTestId('deploy-running').innerText()).toBe(`1 instance is running on version ${n}.`);
    await dialog.getByText(`Instances already running stay on version ${n} until they end.`).waitFor();
    await checkScreen(page, 'deploy-confirmation');
    await dialog.getByRole('button', { name: `Deploy version ${n + 1}` }).click();
    await page
      .getByTestId('deploy-outcome')
      .getByText(`Deployed as version ${n + 1}.`)
      .waitFor();

    // The diff: the visit task changed, with its due date before and after.
    await page.getByRole('link', { name: `Compare with version ${n}` }).click();
    await page.getByRole('heading', { name: `Compare version ${n} with version ${n + 1}` }).waitFor();
    const row = page.getByTestId('changes').locator('tr[data-element-id="Task_NewBirthVisit"]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).innerText()).toBe('Changed');
    const due = row.locator('[data-property="Due date"]');
    expect(await due.locator('del').innerText()).toBe('=date(dateOfBirth) + duration("P14D")');
    expect(await due.locator('ins').innerText()).toBe('=date(dateOfBirth) + duration("P12D")');
    await shape(page, 'diagram-from', 'Task_NewBirthVisit').and(page.locator('.chis-diff-changed')).waitFor();
    await shape(page, 'diagram-to', 'Task_NewBirthVisit').and(page.locator('.chis-diff-changed')).waitFor();
    // Only the visit task changed (the script task's result variable is back as it was).
    expect(await page.getByTestId('changes').locator('tbody tr').count()).toBe(1);
    await checkScreen(page, 'compare');

    // A birth notified now runs on N+1, with the new due date; the earlier one stays on N.
    const later = stack.newNhsNumber();
    const laterInstance = await notifyBirth(stack, later, dateOfBirth);
    const visit = (await stack.tasksFor(later)).find((t) => t.elementId === 'Task_NewBirthVisit')!;
    expect(visit.dueAt!.getTime() - Date.parse(`${dateOfBirth}T00:00:00Z`)).toBe(12 * DAY);
    await page.goto(`/instances?key=${KEY}`);
    const versionOf = (id: string) => page.locator(`tr[data-instance-id="${id}"] [data-testid="version"]`).innerText();
    await page.locator(`tr[data-instance-id="${laterInstance}"]`).waitFor();
    expect(await versionOf(laterInstance)).toBe(String(n + 1));
    expect(await versionOf(earlierInstance)).toBe(String(n));
    await checkScreen(page, 'instances');

    // The instance page marks the active user task on the diagram and in the elements table.
    await page.locator(`tr[data-instance-id="${laterInstance}"] a`).click();
    await shape(page, 'instance-diagram', 'Task_NewBirthVisit').and(page.locator('.chis-active')).waitFor();
    await shape(page, 'instance-diagram', 'Task_EmailGp').and(page.locator('.chis-completed')).waitFor();
    const visitRow = page.getByTestId('elements-table').locator('tr[data-element-id="Task_NewBirthVisit"]');
    expect(await visitRow.locator('td').nth(2).innerText()).toBe('Active');
    await page.getByTestId('open-tasks').getByRole('link', { name: 'New birth visit' }).waitFor();
    await checkScreen(page, 'instance');
    // The element table beside the diagram fits its column at 1280 px (nothing cut off at the right;
    // an NHS table is 4 px wider than its box by design, with -2 px margins each side).
    const overflow = await page
      .getByRole('region', { name: 'Elements and their state' })
      .evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(4);
    expect(problems).toEqual([]);
  }, 300_000);

  test('an instance held by an incident is retried from its page and moves on', async () => {
    const stack = ui.stack;
    await stack.deploy(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_ui_incident" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="ui-incident" name="Place a child by postcode" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="PlaceForm">{"components": [{"key": "postcode", "label": "Postcode", "type": "textfield"}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="Start" name="Started">
      <bpmn:extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:PlaceForm" /></bpmn:extensionElements>
      <bpmn:outgoing>F1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Derive" />
    <bpmn:serviceTask id="Derive" name="Work out the locality">
      <bpmn:extensionElements><zeebe:taskDefinition type="child.deriveLocality" retries="1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Derive" targetRef="End" />
    <bpmn:endEvent id="End" name="Placed" />
  </bpmn:process>
</bpmn:definitions>`);
    const manager = await stack.signIn('manager');
    const started = await manager
      .post('/api/process-instances')
      .send({ key: 'ui-incident', variables: { postcode: 'X' } });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await stack.waitFor(
      async () =>
        (await stack.database.sequelize.query('SELECT 1 FROM process_instances WHERE id = $1 AND status = $2', {
          bind: [id, 'incident'],
          plain: true,
        })) !== null,
      'the incident',
    );

    const { page, problems } = await ui.newPage();
    await signIn(page, 'admin', `/instances?key=ui-incident&hasIncident=true`);
    await page.locator(`tr[data-instance-id="${id}"] a`).click();
    const incident = page.getByTestId('incidents');
    await incident.getByTestId('incident-message').waitFor();
    expect(await incident.getByTestId('incident-message').innerText()).toMatch(/postcode/);
    await shape(page, 'instance-diagram', 'Derive').and(page.locator('.chis-incident')).waitFor();
    await checkScreen(page, 'instance-incident');

    await incident.getByRole('button', { name: 'Retry Work out the locality' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry Work out the locality' });
    await dialog.getByLabel('Variables to set before the retry (optional)').fill('{"postcode": "B15 2TT"}');
    await checkScreen(page, 'retry-dialog');
    await dialog.getByRole('button', { name: 'Retry now' }).click();
    await page.getByTestId('notice').getByText('Retried Work out the locality.').waitFor();
    // It moves on: the page (polling while it runs) shows it completed, every element green.
    await page.getByRole('heading', { name: /Instance\s+Completed/ }).waitFor({ timeout: 30_000 });
    await shape(page, 'instance-diagram', 'End').and(page.locator('.chis-completed')).waitFor();
    expect(await page.locator('.chis-incident').count()).toBe(0);
    await checkScreen(page, 'instance-completed');
    expect(problems).toEqual([]);
  }, 180_000);
});
