/**
 * A caseworker's day in the browser, on the real stack: claim and complete a new birth visit
 * through its form; a missing required field; two people claiming one task; opening a child
 * of another locality (break glass) and the lead seeing the alert.
 */
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { select } from '../../records/sql';
import { formatNhsNumber } from '../../core/nhs-number';
import {
  addColleague,
  checkScreen,
  describeInBrowser,
  isDiagramCode,
  notifyBirth,
  recordScripts,
  signIn,
  uiStackPerFile,
  type UiStack,
} from './support/browser';

const REASON = 'Covering the Coventry health visiting rota this week';

describeInBrowser('caseworker screens', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 30 }, async (started) => {
    ui = started;
    await addColleague(ui.stack, 'cw.birmingham.hv2', 'birmingham-health-visiting');
  });

  const taskRow = (page: Page, taskId: string) => page.locator(`tr[data-task-id="${taskId}"]`);
  const taskRow_status = async (taskId: string) =>
    (
      await select<{ status: string; assignee: string | null; data: unknown; completedAt: Date | null }>(
        ui.stack.db,
        'SELECT status, assignee, data, completed_at FROM human_tasks WHERE id = $1',
        [taskId],
      )
    )[0];

  test('claims a new birth visit from the queue and completes it through its form', async () => {
    const birth = await notifyBirth(ui.stack, {
      locality: 'birmingham',
      postcode: 'B15 2TT',
      daysAgo: 2,
      givenName: 'Olivia',
      familyName: 'Okafor',
    });
    const { page, problems } = await ui.newPage();
    const scripts = recordScripts(page);
    await signIn(page, 'cw.birmingham.hv');
    await page.waitForURL('**/my-work');
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    await checkScreen(page, 'my-work-mine');

    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('link', { name: /Unclaimed/ })
      .click();
    const row = taskRow(page, birth.taskId);
    await row.waitFor();
    expect(await row.innerText()).toContain('OKAFOR, Olivia');
    expect(await row.innerText()).toContain(formatNhsNumber(birth.nhsNumber));
    expect(await row.innerText()).toContain('2 days');
    // The NHS number and the age are one unit: the age never starts a line on its own ("· 2 days").
    expect(await row.locator('.nhsuk-body-s.app-nowrap').innerText()).toBe(
      `${formatNhsNumber(birth.nhsNumber)} · 2 days`,
    );
    await checkScreen(page, 'my-work-unclaimed');
    await row.getByRole('button', { name: /Claim/ }).click();
    await page.getByText('You claimed "New birth visit" for OKAFOR, Olivia.').waitFor();
    expect(await row.innerText()).toContain('Claimed by you');

    await row.getByRole('link', { name: 'New birth visit' }).click();
    await page.waitForURL(`**/tasks/${birth.taskId}`);
    await page.getByRole('heading', { level: 1, name: 'New birth visit' }).waitFor();
    const banner = page.getByRole('region', { name: 'Child' });
    expect(await banner.innerText()).toContain(formatNhsNumber(birth.nhsNumber));
    expect(await banner.innerText()).toMatch(/Locality\s+Birmingham\b/);
    // The team by its name, not the code a diagram routes by (birmingham-health-visiting).
    expect(await page.locator('main').innerText()).toMatch(/Team\s+Birmingham health visiting\b/);
    expect(await page.locator('main').innerText()).not.toContain('birmingham-health-visiting');
    // Details: only what the visit needs, labelled; none of the engine's own variables.
    await page.getByRole('heading', { level: 2, name: 'Details' }).waitFor();
    const details = await page.getByTestId('task-details').innerText();
    expect(details).toMatch(/Time of birth\s+08:30/);
    expect(details).toMatch(/Mother\s+Mother Okafor/);
    expect(details).toMatch(/Maternity unit\s+City Hospital/);
    const pageText = await page.locator('main').innerText();
    for (const internal of [
      /\bVia\b/,
      /On pds/i,
      /Child id/i,
      /Locality id/i,
      /Inbound event/i,
      /message id/i,
      /Postcode district/i,
      /Nhs number/,
    ])
      expect(pageText).not.toMatch(internal);
    await page.getByRole('group', { name: 'Date of visit' }).waitFor();
    await checkScreen(page, 'task-form');

    const today = new Date();
    const visit = page.getByRole('group', { name: 'Date of visit' });
    await visit.getByLabel('Day').fill(String(today.getDate()));
    await visit.getByLabel('Month').fill(String(today.getMonth() + 1));
    await visit.getByLabel('Year').fill(String(today.getFullYear()));
    await page.getByRole('radio', { name: 'Visit completed' }).check();
    await page.getByLabel(/Notes/).fill('Baby feeding well; mother well supported.');
    await page.getByRole('button', { name: 'Complete task' }).click();
    await page.waitForURL('**/my-work?queue=mine');
    await page.getByText('"New birth visit" completed for OKAFOR, Olivia.').waitFor();
    expect(await taskRow(page, birth.taskId).count()).toBe(0);
    await checkScreen(page, 'my-work-after-completing');
    const done = await taskRow_status(birth.taskId);
    expect(done).toMatchObject({ status: 'completed', assignee: 'cw.birmingham.hv' });
    expect(done.data).toEqual({
      visitDate: today.toLocaleDateString('en-CA'),
      visitOutcome: 'completed',
      visitNotes: 'Baby feeding well; mother well supported.',
    });

    // The child's record, every tab; the timeline shows the completed task.
    await page.goto(`/children/${birth.nhsNumber}`);
    await page.getByRole('heading', { level: 1, name: /OKAFOR, Olivia/ }).waitFor();
    await checkScreen(page, 'child-summary');
    for (const tab of ['Immunisations', 'Screening', 'Tasks', 'Processes', 'Concerns']) {
      await page.getByRole('navigation', { name: 'Parts of the record' }).getByRole('link', { name: tab }).click();
      await page
        .getByRole('heading', {
          level: 2,
          name: new RegExp(
            tab === 'Screening'
              ? 'Newborn screening'
              : tab === 'Tasks'
                ? 'Open tasks'
                : tab === 'Concerns'
                  ? 'Safeguarding concerns'
                  : tab,
          ),
        })
        .waitFor();
      await checkScreen(page, `child-${tab.toLowerCase()}`);
    }
    await page.getByRole('navigation', { name: 'Parts of the record' }).getByRole('link', { name: 'Timeline' }).click();
    const timeline = page.getByTestId('timeline');
    await timeline.locator('li[data-kind="task_completed"]').waitFor();
    expect(await timeline.innerText()).toMatch(/Task completed: New birth visit/);
    expect(await timeline.innerText()).toMatch(/Process started: New birth registration/);
    await checkScreen(page, 'child-timeline');
    // The caseworker's day loads none of the service manager's diagram code, and stays within the budget.
    const loaded = [...scripts.entries()];
    expect(loaded.length).toBeGreaterThan(3);
    expect(loaded.filter(([, body]) => isDiagramCode(body)).map(([url]) => url)).toEqual([]);
    const gzipped = loaded.reduce((n, [, body]) => n + gzipSync(body).length, 0);
    expect(gzipped).toBeLessThan(250 * 1024);
    expect(problems).toEqual([]);
  });

  test("My work's first reads start while the app is still loading: who is signed in and the queue at once, each asked once", async () => {
    const birth = await notifyBirth(ui.stack, {
      locality: 'birmingham',
      postcode: 'B15 2TT',
      daysAgo: 1,
      givenName: 'Amara',
      familyName: 'Early',
    });
    const { page, problems } = await ui.newPage();
    await signIn(page, 'cw.birmingham.hv');
    const events: string[] = [];
    const api = (url: string) => new URL(url).pathname.replace(/^\/api/, '');
    page.on('request', (r) => r.url().includes('/api/') && events.push(`ask ${api(r.url())}`));
    page.on('requestfinished', (r) => r.url().includes('/api/') && events.push(`answered ${api(r.url())}`));
    await page.goto('/my-work?queue=unclaimed');
    await taskRow(page, birth.taskId).waitFor();
    await page.waitForLoadState('networkidle');
    // Without the early script the queue is asked only after "who am I" has been answered.
    expect(events.indexOf('ask /tasks/queues/unclaimed')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('ask /tasks/queues/unclaimed')).toBeLessThan(events.indexOf('answered /auth/me'));
    const asked = events.filter((e) => e.startsWith('ask '));
    for (const path of ['/auth/options', '/auth/me', '/tasks/queues/unclaimed', '/tasks/queues/counts'])
      expect({ path, times: asked.filter((e) => e === `ask ${path}`).length }).toEqual({ path, times: 1 });
    expect(problems).toEqual([]);
  });

  test("completing without a required field shows the engine's message at the field and changes nothing", async () => {
    const birth = await notifyBirth(ui.stack, {
      locality: 'birmingham',
      postcode: 'B15 2TT',
      daysAgo: 3,
      givenName: 'Noah',
      familyName: 'Nolan',
    });
    const { page, problems } = await ui.newPage();
    await signIn(page, 'cw.birmingham.hv', `/tasks/${birth.taskId}`);
    await page.getByRole('button', { name: 'Claim this task' }).click();
    await page.getByRole('radio', { name: 'No one at home' }).check();
    await page.getByRole('button', { name: 'Complete task' }).click();
    const summary = page.getByRole('alert');
    await summary.getByRole('link', { name: 'Date of visit is required' }).waitFor();
    // The message is also at the field, and the summary link takes the person there.
    await page.getByRole('group', { name: 'Date of visit' }).getByText('Date of visit is required').waitFor();
    await summary.getByRole('link', { name: 'Date of visit is required' }).click();
    expect(await page.getByLabel('Day').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await checkScreen(page, 'task-missing-field');
    expect(await taskRow_status(birth.taskId)).toMatchObject({ status: 'claimed', data: null, completedAt: null });

    // A date that does not exist is caught before anything is sent.
    const visit = page.getByRole('group', { name: 'Date of visit' });
    await visit.getByLabel('Day').fill('31');
    await visit.getByLabel('Month').fill('2');
    await visit.getByLabel('Year').fill('2026');
    await page.getByRole('button', { name: 'Complete task' }).click();
    await summary.getByRole('link', { name: 'Date of visit must be a real date' }).waitFor();
    expect(await taskRow_status(birth.taskId)).toMatchObject({ status: 'claimed', data: null });
    expect(problems).toEqual([]);
  });

  test('two people claim the same task: the second is told someone got there first', async () => {
    const birth = await notifyBirth(ui.stack, {
      locality: 'birmingham',
      postcode: 'B15 2TT',
      daysAgo: 4,
      givenName: 'Amelia',
      familyName: 'Adebayo',
    });
    const first = await ui.newPage();
    const second = await ui.newPage();
    await signIn(first.page, 'cw.birmingham.hv', `/tasks/${birth.taskId}`);
    await signIn(second.page, 'cw.birmingham.hv2', `/tasks/${birth.taskId}`);
    await first.page.getByRole('button', { name: 'Claim this task' }).waitFor();
    await second.page.getByRole('button', { name: 'Claim this task' }).waitFor();
    await first.page.getByRole('button', { name: 'Claim this task' }).click();
    await first.page.getByText('You claimed this task.').waitFor();
    await second.page.getByRole('button', { name: 'Claim this task' }).click();
    await second.page
      .getByRole('alert')
      .getByText('Someone else got there first: this task is now claimed by cw.birmingham.hv.')
      .waitFor();
    await checkScreen(second.page, 'task-claim-conflict');
    await second.page.getByRole('button', { name: 'Reload the task' }).click();
    await second.page.getByText('cw.birmingham.hv is working on this task').waitFor();
    expect(await second.page.getByRole('button', { name: 'Claim this task' }).count()).toBe(0);
    expect(await taskRow_status(birth.taskId)).toMatchObject({ status: 'claimed', assignee: 'cw.birmingham.hv' });
    expect([...first.problems, ...second.problems]).toEqual([]);
  });

  test("a child of another locality opens only after a reason is given, and that locality's lead sees and acknowledges the alert", async () => {
    const [coventryChild] = await select<{ nhsNumber: string; givenName: string; familyName: string }>(
      ui.stack.db,
      `SELECT c.nhs_number, c.given_name, c.family_name FROM children c JOIN localities l ON l.id = c.locality_id WHERE l.code = 'coventry' ORDER BY c.id LIMIT 1`,
    );
    const { page, problems } = await ui.newPage();
    await signIn(page, 'cw.birmingham.hv', '/children');
    await page.getByRole('heading', { name: 'Find a child' }).waitFor();
    await checkScreen(page, 'find-a-child');
    await page.getByLabel('NHS number').pressSequentially(coventryChild.nhsNumber);
    expect(await page.getByLabel('NHS number').inputValue()).toBe(formatNhsNumber(coventryChild.nhsNumber));
    await page.getByRole('button', { name: 'Search by NHS number' }).click();
    await page.getByRole('heading', { name: 'No children found' }).waitFor();
    await checkScreen(page, 'find-a-child-not-found');
    await page.getByRole('button', { name: 'Search all localities' }).click();
    await page.getByRole('heading', { name: 'Why do you need to search all localities?' }).waitFor();
    await page.getByText('the safeguarding lead for the child').waitFor();
    await page.getByLabel('Reason').fill('Because');
    await page.getByRole('button', { name: 'Continue and record my access' }).click();
    await page.getByRole('alert').getByText('Enter a reason of at least 10 characters').waitFor();
    await checkScreen(page, 'break-glass-reason');
    await page.getByLabel('Reason').fill(REASON);
    await page.getByRole('button', { name: 'Continue and record my access' }).click();
    const name = `${coventryChild.familyName.toUpperCase()}, ${coventryChild.givenName}`;
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(name) }).waitFor();
    await page.getByText('Accessed with a stated reason').waitFor();
    // The banner names the locality as people know it, not by its code.
    const banner = await page.getByRole('region', { name: 'Child' }).innerText();
    expect(banner).toMatch(/Locality\s+Coventry\b/);
    expect(banner).not.toMatch(/coventry/);
    await checkScreen(page, 'child-record-outside-locality');

    const lead = await ui.newPage();
    await signIn(lead.page, 'sl.coventry');
    await lead.page.waitForURL('**/safeguarding');
    const alerts = lead.page.getByTestId('alerts-table');
    const alertRow = alerts.locator('tr', { hasText: REASON });
    await alertRow.first().waitFor();
    expect(await alertRow.count()).toBe(1); // one visit, one alert (search and record)
    expect(await alertRow.innerText()).toContain('cw.birmingham.hv');
    await checkScreen(lead.page, 'safeguarding-dashboard');
    await alertRow.getByRole('button', { name: /Acknowledge/ }).click();
    await lead.page.getByText(/Alert acknowledged/).waitFor();
    await lead.page.goto('/alerts?show=all');
    await lead.page.getByRole('heading', { name: 'Break-glass alerts' }).waitFor();
    expect(await lead.page.getByTestId('alerts-table').locator('tr', { hasText: REASON }).innerText()).toMatch(
      /sl\.coventry/,
    );
    await checkScreen(lead.page, 'break-glass-alerts');
    expect([...problems, ...lead.problems]).toEqual([]);
  });

  test('a task about a child of another locality asks for a reason before it opens, and the access is recorded', async () => {
    const birth = await notifyBirth(ui.stack, {
      locality: 'coventry',
      postcode: 'CV1 3HB',
      daysAgo: 1,
      givenName: 'Noah',
      familyName: 'Nwosu',
    });
    // Routed region-wide to the caseworker role (as a diagram with candidateGroups="caseworker" routes it):
    // in a Birmingham caseworker's queues, about a child they have no working relationship with.
    await select(
      ui.stack.db,
      "UPDATE human_tasks SET candidate_groups = '{caseworker}', locality_id = NULL WHERE id = $1 RETURNING id",
      [birth.taskId],
    );
    const { page, problems } = await ui.newPage();
    await signIn(page, 'cw.birmingham.hv', `/tasks/${birth.taskId}`);
    await page.getByRole('heading', { name: 'Why do you need to open this task?' }).waitFor();
    // Nothing about the child is on the page before the reason is given.
    expect(await page.locator('main').innerText()).not.toMatch(/NWOSU|Noah/i);
    expect(await page.getByRole('region', { name: 'Child' }).count()).toBe(0);
    await checkScreen(page, 'task-break-glass');
    await page.getByRole('button', { name: 'Continue and record my access' }).click();
    await page.getByRole('alert').getByText('Enter a reason of at least 10 characters').waitFor();
    await page.getByLabel('Reason').fill('Covering the Coventry rota this week');
    await page.getByRole('button', { name: 'Continue and record my access' }).click();
    await page.getByRole('heading', { level: 1, name: 'New birth visit' }).waitFor();
    expect(await page.getByRole('region', { name: 'Child' }).innerText()).toContain(formatNhsNumber(birth.nhsNumber));
    const [alert] = await select<{ username: string; reason: string }>(
      ui.stack.db,
      `SELECT s.username, a.reason FROM break_glass_alerts a JOIN children c ON c.id = a.child_id
       JOIN staff_users s ON s.id = a.actor_id WHERE c.nhs_number = $1`,
      [birth.nhsNumber],
    );
    expect(alert).toEqual({ username: 'cw.birmingham.hv', reason: 'Covering the Coventry rota this week' });
    // Cancelling takes the person back to their own work without opening it.
    const other = await ui.newPage();
    await signIn(other.page, 'cw.birmingham.hv', `/tasks/${birth.taskId}`);
    await other.page.getByRole('heading', { name: 'Why do you need to open this task?' }).waitFor();
    await other.page.getByRole('button', { name: 'Cancel' }).click();
    await other.page.waitForURL('**/my-work');
    expect([...problems, ...other.problems]).toEqual([]);
  });
});
